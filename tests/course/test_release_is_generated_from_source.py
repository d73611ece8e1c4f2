"""release/ is exactly what `nbgrader generate_assignment` makes from source/."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

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
