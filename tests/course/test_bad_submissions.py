"""Bad input: every broken, renamed, missing or odd submission is reported by name with a
reason and scored, the rest of the class is graded, and no submitted file changes."""

from __future__ import annotations

import copy
import shutil
from datetime import datetime, timezone

import nbformat
import pytest
from nbgrader.api import Gradebook

from course.parallel_autograde import autograde_class, failure_table
from course.preflight import check_class
from simulation.exercises import read_assignment
from simulation.simulate import StudentPlan, write_submission

from .nbgrader_cli import RELEASE, SOURCE, digest, released_course

pytestmark = pytest.mark.notebooks

DEADLINE = datetime(2026, 11, 20, 17, 0, tzinfo=timezone.utc)
ON_TIME = "2026-11-20 16:00:00.000000 UTC"


def _cells(notebook, grade_id):
    return [i for i, c in enumerate(notebook.cells)
            if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]


def _make_class(submitted, solved):
    """One folder per kind of bad input, each otherwise a fully correct submission."""
    def folder(student, stamp=ON_TIME):
        path = submitted / student / "ps1_forward"
        path.mkdir(parents=True)
        (path / "timestamp.txt").write_text(stamp)
        return path

    def edited(student, edit):
        notebook = nbformat.read(solved, 4)
        edit(notebook)
        nbformat.write(notebook, folder(student) / "forward.ipynb")

    shutil.copy(solved, folder("correct"))
    (folder("not_json") / "forward.ipynb").write_text('{"cells": [ {"cell_type": "code", ')
    (folder("missing") / "notes.txt").write_text("I could not finish")
    shutil.copy(solved, folder("renamed") / "forward-Copy1.ipynb")
    extra = folder("extra_files")
    shutil.copy(solved, extra)
    (extra / "data.csv").write_text("1,2\n")
    shutil.copy(solved, extra / "scratch.ipynb")

    def delete(nb):
        del nb.cells[_cells(nb, "sigmoid_test")[0]]

    def duplicate(nb):
        index = _cells(nb, "relu_test")[0]
        twin = copy.deepcopy(nb.cells[index])
        twin["id"] = "relu-test-twin"
        nb.cells.insert(index + 1, twin)

    def to_markdown(nb):
        cell = nb.cells[_cells(nb, "relu_test")[0]]
        cell.cell_type = "markdown"
        del cell["outputs"], cell["execution_count"]

    def other_kernel(nb):
        nb.metadata.kernelspec = {"name": "julia-1.10", "display_name": "Julia 1.10",
                                  "language": "julia"}

    def fifty_megabytes(nb):
        code = next(c for c in nb.cells if c.cell_type == "code")
        code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 50_000_000)]

    edited("deleted_cell", delete)
    edited("duplicated_cell", duplicate)
    edited("cell_type", to_markdown)
    edited("kernel", other_kernel)
    edited("huge", fifty_megabytes)
    shutil.copy(solved, folder("late", "2026-11-21 20:00:00.000000 UTC"))  # 27 h late



@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad")
    course = released_course(tmp, ["ps1_forward"])
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "backprop") as gradebook:
        gradebook.update_or_create_assignment("ps1_forward", duedate=DEADLINE)
    plan = read_assignment(SOURCE, "ps1_forward")[0]
    everything = StudentPlan("x", "strong", "ps1_forward", {e.target: "correct"
                                                            for e in plan.exercises})
    solved = write_submission(plan, RELEASE, everything, tmp / "solved")
    _make_class(course / "submitted", solved)
    before = digest(course / "submitted")
    students = [*sorted(p.name for p in (course / "submitted").iterdir()), "absent"]
    findings = check_class(course, "ps1_forward", students, DEADLINE)
    outcomes = autograde_class(course, "ps1_forward", workers=2, progress=None)
    after = digest(course / "submitted")
    scores, penalties = {}, {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "backprop") as gradebook:
        for student in students:
            try:
                submission = gradebook.find_submission("ps1_forward", student)
            except Exception:
                scores[student] = 0.0
                continue
            scores[student] = submission.score
            penalties[student] = submission.late_submission_penalty
    return findings, outcomes, scores, penalties, before, after


def test_submitted_files_stay_byte_for_byte_as_they_came(graded):
    *_, before, after = graded
    assert before == after


def test_every_submission_is_scored_and_the_rest_of_the_class_is_graded(graded):
    _, outcomes, scores, _, _, _ = graded
    assert scores == {
        "correct": 30.0, "extra_files": 30.0, "cell_type": 30.0, "kernel": 30.0, "huge": 30.0,
        "late": 30.0, "deleted_cell": 27.0,  # sigmoid_test (3 points) is gone
        "not_json": 0.0, "missing": 0.0, "renamed": 0.0, "duplicated_cell": 0.0, "absent": 0.0}
    graded_ok = {o.student for o in outcomes if o.status == "graded"}
    assert graded_ok == {"correct", "extra_files", "cell_type", "kernel", "huge", "late",
                         "deleted_cell"}


def test_late_work_loses_the_configured_penalty(graded):
    _, _, _, penalties, _, _ = graded
    assert penalties["late"] == pytest.approx(6.0)  # 27 h: two started days, 20% of 30
    assert penalties["correct"] == 0.0


@pytest.mark.parametrize(("student", "kind", "words"), [
    ("not_json", "not_json", "not a readable notebook"),
    ("missing", "missing", "forward.ipynb is missing"),
    ("renamed", "renamed", "forward-Copy1.ipynb was submitted instead"),
    ("extra_files", "extra_files", "data.csv, scratch.ipynb"),
    ("deleted_cell", "deleted_cells", "sigmoid_test"),
    ("duplicated_cell", "duplicated_cells", "relu_test"),
    ("cell_type", "cell_type", "relu_test"),
    ("kernel", "kernel", "julia-1.10"),
    ("huge", "large", "MB"),
    ("late", "late", "27.0 h after the deadline"),
    ("absent", "no_submission", "nothing was submitted"),
])
def test_each_problem_is_reported_by_name_with_a_reason(graded, student, kind, words):
    findings = graded[0]
    mine = [f for f in findings if f.student == student and f.kind == kind]
    assert mine and words in mine[0].message, [f for f in findings if f.student == student]


def test_the_failure_table_names_who_was_not_graded_and_why(graded):
    table = failure_table(graded[1])
    assert table.startswith("4 of 11 submissions could not be graded")
    assert "not_json" in table and "not valid JSON" in table
    assert "duplicated_cell" in table and "renamed" in table and "missing" in table
