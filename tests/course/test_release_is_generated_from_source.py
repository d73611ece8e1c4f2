"""release/ is exactly what `nbgrader generate_assignment` makes from source/."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from course.nbgrader_api import load_config

from .nbgrader_cli import ASSIGNMENTS, RELEASE, released_course

pytestmark = pytest.mark.notebooks


def relative_files(folder: Path) -> set[str]:
    return {
        str(p.relative_to(folder)) for p in folder.rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts
    }


def test_every_assignment_has_a_committed_release():
    assert ASSIGNMENTS, "source/ holds no assignment"
    missing = [a for a in ASSIGNMENTS if not (RELEASE / a).is_dir()]
    assert not missing, f"no release/ folder for {missing}: run `make release`"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A scratch course after `nbgrader generate_assignment` of every assignment."""
    return released_course(tmp_path_factory.mktemp("generated"))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_equals_generate_assignment_output(assignment, generated):
    generated, committed = generated / "release" / assignment, RELEASE / assignment
    assert relative_files(generated) == relative_files(committed), (
        f"release/{assignment} does not hold the files nbgrader generates: run `make release`"
    )
    differing = [
        name for name in sorted(relative_files(generated))
        if not filecmp.cmp(generated / name, committed / name, shallow=False)
    ]
    assert not differing, (
        f"release/{assignment}: {differing} differ from what nbgrader generates from source/; "
        "run `make release` and commit the result"
    )


def _cells(course: Path) -> dict[str, set[tuple[str, str, float]]]:
    """Assignment -> its (notebook, grade cell, points) in the course's gradebook."""
    course_id = load_config(course).CourseDirectory.course_id
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id) as gradebook:
        return {assignment.name: {(notebook.name, cell.name, cell.max_score)
                                  for notebook in assignment.notebooks
                                  for cell in notebook.grade_cells}
                for assignment in gradebook.assignments}


def test_a_course_of_some_assignments_holds_theirs_alone(generated, tmp_path):
    """The suite's courses of a few assignments are cut from one generation of all of them:
    the others leave no folder and no gradebook entry, and theirs keep every graded cell."""
    some = ASSIGNMENTS[:1] + ASSIGNMENTS[-1:]
    part = released_course(tmp_path, some)
    assert sorted(p.name for p in (part / "release").iterdir()) == sorted(some)
    whole = _cells(generated)
    assert _cells(part) == {assignment: whole[assignment] for assignment in some}
    assert all(whole[assignment] for assignment in some)
