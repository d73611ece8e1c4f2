"""Time limits that fit the work (issue 19): each cell's limit from the instructor's run.

:mod:`sandbox.limits` reads the course's table (``cell_time_limits.json``, written by
``python -m course.time_limits``); :class:`sandbox.execute.SealedExecute` gives each cell its
limit, the flat ``BACKPROP_CELL_TIMEOUT`` as the ceiling. What must hold: the table covers
every cell that runs a student's code, never a locked instructor cell; an endless loop costs a
cell's own limit, not the flat one; and the slowest correct alternative of every exercise
(written with loops, most of them) still gets full marks under the limits, through the real
pipeline.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

from course.time_limits import instructor_only
from grading import grade
from grading.registry import lookup
from sandbox import METADATA_KEY
from sandbox.limits import FILE, MAX_BYTES, cell_key, cell_limit, limit, read_table
from simulation.alternatives import ALTERNATIVES, as_student_code, load_all
from simulation.alternatives.notebook import SOURCE, graded_functions, namespace
from simulation.notebooks import read

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / FILE


def graded_cell(grade_id: str, source: str = "pass", **flags: bool):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade_id": grade_id, **flags}
    return cell


# ---- the table and its reader ----------------------------------------------------------------

def test_a_cell_is_named_by_its_grade_id_or_by_its_source():
    assert cell_key(graded_cell("relu_test")) == "relu_test"
    plain = new_code_cell("train(X, Y)")
    assert cell_key(plain).startswith("sha256:")
    assert cell_key(plain) == cell_key(new_code_cell("train(X, Y)"))
    assert cell_key(plain) != cell_key(new_code_cell("train(X, Y)  # edited"))
    assert cell_key(new_markdown_cell("text")) is None


def test_a_limit_is_the_factor_times_the_time_and_never_below_the_floor():
    assert limit(0.01, floor=5, factor=10) == 5.0
    assert limit(2.0, floor=5, factor=10) == 20.0
    assert limit(2.01, floor=5, factor=10) == 20.1
    assert limit(2.011, floor=5, factor=10) == 20.2  # rounded up, never down


def test_the_flat_limit_is_the_ceiling_and_a_cell_not_in_the_table_gets_it():
    table = {"relu_test": 5.0, "train_test": 90.0}
    assert cell_limit(table, graded_cell("relu_test"), 60) == 5.0
    assert cell_limit(table, graded_cell("train_test"), 60) == 60
    assert cell_limit(table, graded_cell("my_own_cell"), 60) == 60
    assert cell_limit(table, new_code_cell("while True: pass"), 60) == 60
    assert cell_limit(table, graded_cell("relu_test"), None) == 5.0


def test_an_unreadable_table_means_the_flat_limit(tmp_path):
    path = tmp_path / FILE
    assert read_table(path, "ps1_forward", "forward") == {}  # no file
    for text in ("not json", "[]", '{"assignments": []}', '{"assignments": {"ps1_forward": 3}}',
                 " " * (MAX_BYTES + 1) + "{}"):
        path.write_text(text)
        assert read_table(path, "ps1_forward", "forward") == {}, text[:40]
    path.write_text(json.dumps({"assignments": {"ps1_forward": {"forward": {
        "relu_test": 5, "bad": "x", "negative": -1, "nan": math.nan, "inf": math.inf}}}}))
    assert read_table(path, "ps1_forward", "forward") == {"relu_test": 5.0}
    assert read_table(path, "ps1_forward", "other") == {}


def _student_cells():
    """(assignment, notebook, cell) for every code cell of the source notebooks that runs a
    student's code: solutions, graded cells and plain cells."""
    for folder in sorted(p for p in SOURCE.iterdir() if p.is_dir()):
        for path in sorted(folder.glob("*.ipynb")):
            cells = read(str(path)).cells
            fixed = [id(cell) for cell in instructor_only(cells)]
            for cell in cells:
                if cell.cell_type == "code" and id(cell) not in fixed:
                    yield folder.name, path.stem, cell


def test_the_committed_table_covers_every_cell_that_runs_student_code():
    """Run ``python -m course.time_limits`` after changing a notebook when this fails."""
    data = json.loads(TABLE.read_text())
    missing = []
    for assignment, notebook, cell in _student_cells():
        own = read_table(TABLE, assignment, notebook).get(cell_key(cell))
        if own is None:
            missing.append(f"{assignment}/{notebook}: {cell_key(cell)} {cell.source[:40]!r}")
        else:
            assert own >= data["floor"], (assignment, notebook, cell_key(cell), own)
    assert not missing, "cells without a limit:\n" + "\n".join(missing)


@pytest.mark.notebooks
def test_the_command_measures_one_assignment_and_keeps_the_others(tmp_path):
    """``python -m course.time_limits quiz`` as the README prints it, on a copy of the table:
    every quiz cell that runs student code gets a measured time and a limit from the rule, and
    the other assignments' entries stay as they were."""
    output = tmp_path / FILE
    output.write_text(TABLE.read_text())
    before = json.loads(output.read_text())
    done = subprocess.run([sys.executable, "-m", "course.time_limits", "quiz", "--repeat", "1",
                           "--floor", "7", "--factor", "20", "--output", str(output)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"wrote {output}" in done.stdout
    after = json.loads(output.read_text())
    assert (after["floor"], after["factor"]) == (7, 20)
    measured = after["measured_seconds"]["quiz"]["quiz"]
    limits = after["assignments"]["quiz"]["quiz"]
    keys = {cell_key(cell) for assignment, _, cell in _student_cells() if assignment == "quiz"}
    assert set(measured) == set(limits) == keys
    for key, took in measured.items():
        assert 0 < took < 60, (key, took)
        assert limits[key] == limit(took, floor=7, factor=20)
    for assignment in set(before["measured_seconds"]) - {"quiz"}:
        assert after["measured_seconds"][assignment] == before["measured_seconds"][assignment]


def test_locked_instructor_cells_keep_the_flat_limit():
    """A setup cell cut short by a busy machine would cost the whole notebook."""
    for folder in sorted(p for p in SOURCE.iterdir() if p.is_dir()):
        for path in sorted(folder.glob("*.ipynb")):
            table = read_table(TABLE, folder.name, path.stem)
            fixed = [cell_key(c) for c in instructor_only(read(str(path)).cells)]
            assert fixed, path  # every notebook has a setup cell
            assert not set(fixed) & set(table), (path, set(fixed) & set(table))


# ---- through the real pipeline ---------------------------------------------------------------

def _slowest_alternatives(assignment: str) -> dict[str, str]:
    """Function name -> the code of its slowest correct alternative (graded here, once per
    exercise that grades the function), for every function of ``assignment`` that has some."""
    load_all()
    lookup("forward.sigmoid")
    exercises: dict[str, list[str]] = {}
    for exercise, (where, target) in graded_functions().items():
        if where == assignment and exercise in ALTERNATIVES:
            exercises.setdefault(target, []).append(exercise)
    slowest = {}
    for target, graded_by in sorted(exercises.items()):
        timed = []
        for alternative in {id(f): f for e in graded_by for f in ALTERNATIVES[e].values()
                            }.values():
            start = time.perf_counter()
            for exercise in graded_by:
                if alternative in ALTERNATIVES[exercise].values():
                    grade(exercise, alternative)
            timed.append((time.perf_counter() - start, alternative))
        _, chosen = max(timed, key=lambda pair: pair[0])
        slowest[target], _ = as_student_code(chosen, target, namespace(assignment))
    return slowest


LOOPING_RELU = "def relu(z):\n    while True:\n        pass\n"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The course's assignments autograded (with the committed limits): ``slowest-<assignment>``
    answers every function with its slowest correct alternative, ``looping`` wrote a relu that
    never returns, ``looping_helper`` a dense_forward that never returns and no
    network_forward."""
    from ..course.nbgrader_cli import autograde_solutions

    submissions = {f"slowest-{assignment}": (assignment, _slowest_alternatives(assignment))
                   for assignment in sorted(p.name for p in SOURCE.iterdir() if p.is_dir())}
    submissions["looping"] = ("ps1_forward", {"relu": LOOPING_RELU})
    submissions["looping_helper"] = ("ps1_forward", {
        "dense_forward": LOOPING_RELU.replace("relu(z)", "dense_forward(X, W, b, g)"),
        "network_forward": None})
    course = autograde_solutions(tmp_path_factory.mktemp("limits"), submissions)
    assert (course / FILE).exists()
    return course


def _records(course: Path, student: str):
    for path in sorted((course / "autograded").glob(f"{student}/*/*.ipynb")):
        yield path.parent.name, path.stem, read(str(path)).metadata[METADATA_KEY]


@pytest.mark.notebooks
def test_the_slowest_correct_alternative_of_every_exercise_gets_full_marks(graded):
    lost = []
    for assignment, notebook, record in _records(graded, "slowest-*"):
        for grade_id, cell in record["cells"].items():
            if cell["points"] < cell["max_points"]:
                lost.append(f"{assignment}/{notebook} {grade_id}: {cell['points']} of "
                            f"{cell['max_points']}")
        assert not [i for i in record["incidents"] if "time limit" in i], record["incidents"]
    assert not lost, "\n".join(lost)


@pytest.mark.notebooks
def test_an_endless_loop_costs_its_cells_own_limit_not_the_flat_one(graded):
    ((_, _, record),) = list(_records(graded, "looping"))
    own = read_table(TABLE, "ps1_forward", "forward")["relu_test"]
    assert "relu_test: the cell ran past the time limit" in record["incidents"]
    assert record["cells"]["relu_test"]["points"] == 0
    assert own < 60  # the flat limit these tests run with
    assert own <= record["seconds"]["relu_test"] < own + 15, (own, record["seconds"])
    assert record["cells"]["sigmoid_test"]["points"] == record["cells"]["sigmoid_test"][
        "max_points"]  # the rest of the notebook is graded as usual
    # the instructor's plot of the activations below calls relu too: its own limit, not 60 s
    plot = read_table(TABLE, "ps1_forward", "forward")["plot_activations"]
    assert "plot_activations: the cell ran past the time limit" in record["incidents"]
    assert plot <= record["seconds"]["plot_activations"] < plot + 15, (plot, record["seconds"])


@pytest.mark.notebooks
def test_a_helper_that_ran_past_its_limit_is_not_waited_for_again(graded):
    """dense_forward loops and network_forward is the released stub: network_forward's grading
    fails at once (not implemented) instead of waiting for dense_forward again to find out
    whether it is to blame; the stub scores 0 as with stock nbgrader."""
    ((_, _, record),) = list(_records(graded, "looping_helper"))
    own = read_table(TABLE, "ps1_forward", "forward")["network_forward_test"]
    assert "dense_forward_test: the cell ran past the time limit" in record["incidents"]
    assert not [i for i in record["incidents"] if i.startswith("network_forward_test")], (
        record["incidents"])
    assert record["cells"]["network_forward_test"]["points"] == 0
    assert record["seconds"]["network_forward_test"] < 0.9 * own, record["seconds"]  # not own
