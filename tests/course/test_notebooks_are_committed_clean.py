"""Notebooks live in git without outputs or execution counts, with well-formed nbgrader cells."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from grading.grading_calls import grading_calls
from grading.registry import parts_of
from simulation.exercises import read_plan

from .nbgrader_cli import ASSIGNMENTS, RELEASE, ROOT, SOURCE, notebooks

ALL_NOTEBOOKS = notebooks(SOURCE) + notebooks(RELEASE)


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_there_are_notebooks():
    assert len(notebooks(SOURCE)) >= len(ASSIGNMENTS) >= 1


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_outputs_or_execution_counts(path):
    for index, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"cell {index} of {path.name} has outputs"
            assert cell["execution_count"] is None, f"cell {index} has an execution count"


@pytest.mark.parametrize("path", notebooks(SOURCE), ids=lambda p: str(p.relative_to(ROOT)))
def test_grade_ids_are_unique_and_points_add_up_to_a_round_total(path):
    cells = [c for c in load(path)["cells"] if "nbgrader" in c.get("metadata", {})]
    ids = [c["metadata"]["nbgrader"]["grade_id"] for c in cells]
    assert len(ids) == len(set(ids)), f"duplicate grade_id in {path.name}"
    points = sum(
        c["metadata"]["nbgrader"].get("points", 0)
        for c in cells if c["metadata"]["nbgrader"].get("grade")
    )
    assert points > 0 and points % 5 == 0, f"{path.name}: points add up to {points}"
    intro = "".join(load(path)["cells"][0]["source"])
    assert f"{points:g} points" in intro, (
        f"{path.name}: the first cell should state the total, {points:g} points"
    )


@pytest.mark.parametrize("path", notebooks(SOURCE), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_graded_test_cell_calls_its_hidden_grader(path):
    for cell in load(path)["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and cell["cell_type"] == "code":
            source = "".join(cell["source"])
            assert "### BEGIN HIDDEN TESTS" in source and grading_calls(source), (
                f"{path.name}: test cell {meta['grade_id']} has no hidden grader call"
            )


@pytest.mark.parametrize("path", notebooks(SOURCE), ids=lambda p: str(p.relative_to(ROOT)))
def test_exercises_in_parts_are_graded_in_parts_for_the_cells_points(path):
    """An exercise whose grader has several parts gives partial credit (``grade_parts``, as
    the cell's last line, with the cell's own points); one without parts is all or nothing."""
    for exercise in read_plan(path, path.parent.name).exercises:
        split = len(parts_of(exercise.exercise)) > 1
        assert exercise.in_parts == split, (
            f"{exercise.grade_id}: {exercise.exercise} has {len(parts_of(exercise.exercise))} "
            f"part(s); its cell should call {'grade_parts' if split else 'grade'}")
        if split:
            assert exercise.stated_points == exercise.points, (
                f"{exercise.grade_id}: grade_parts(..., points={exercise.stated_points:g}) but "
                f"the cell is worth {exercise.points:g} points")
    for cell in load(path)["cells"]:
        source = "".join(cell["source"])
        if "grade_parts(" in source:
            last = source.rstrip().splitlines()
            assert last[-1] == "### END HIDDEN TESTS" and last[-2].startswith("grade_parts("), (
                f"{cell['metadata']['nbgrader']['grade_id']}: grade_parts must be the last "
                "expression, so its result is the cell's score")
            function = grading_calls(last[-2])[0].targets[0]
            assert f'SCORED_IN_PARTS.add("{function}")' in source.split("with visible_checks")[0]


@pytest.mark.parametrize("path", notebooks(SOURCE), ids=lambda p: str(p.relative_to(ROOT)))
def test_visible_checks_call_only_their_own_function(path):
    """A wrong relu must not cost the points of a right dense_forward: each graded cell's
    visible part calls no student function but the one it grades."""
    plan = read_plan(path, path.parent.name)
    for cell in load(path)["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not (meta.get("grade") and cell["cell_type"] == "code"):
            continue
        visible = re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "",
                         "".join(cell["source"]), flags=re.S)
        names = {n.id for n in ast.walk(ast.parse(visible)) if isinstance(n, ast.Name)}
        target = next(e.target for e in plan.exercises if e.grade_id == meta["grade_id"])
        others = names & set(plan.solutions) - {target}
        assert not others, f"{meta['grade_id']} calls the student's {sorted(others)}"
