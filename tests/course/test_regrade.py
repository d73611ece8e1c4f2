"""Regrade with a change report (``python -m course.regrade``): after the instructor fixes a
grader, exactly the students whose scores the fix changes are reported, with the cell, the
old and new score and the grader's old and new message; nothing is written to the gradebook
without ``--apply``, and the class report shows the changes."""

from __future__ import annotations

import csv

import nbformat
import pytest

from course import regrade
from course.nbgrader_api import instructor_api
from course.parallel_autograde import autograde_class
from course.report import write_report
from simulation.served_class import ServedClass

pytestmark = pytest.mark.notebooks

ASSIGNMENT = "ps1_forward"
RIGHT = 'grade("forward.sigmoid", sigmoid)'
BROKEN = 'grade("forward.relu", sigmoid)'  # the slip: the sigmoid cell checked as a ReLU
WRONG_SIGMOID = "def sigmoid(z):\n    return 1 / (1 + np.exp(z))\n"
WRONG_RELU = "def relu(z):\n    return np.maximum(z, 0.01 * z)\n"


def _set_sigmoid_grader(course, old: str, new: str) -> None:
    path = course / "source" / ASSIGNMENT / "forward.ipynb"
    notebook = nbformat.read(path, as_version=4)
    (cell,) = [c for c in notebook.cells
               if c.metadata.get("nbgrader", {}).get("grade_id") == "sigmoid_test"]
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    nbformat.write(notebook, path)


@pytest.fixture(autouse=True)
def _environment(monkeypatch):
    monkeypatch.setenv("BACKPROP_EXCHANGE", "")
    monkeypatch.delenv("BACKPROP_GRADEBOOK", raising=False)


def test_fixing_a_grader_reports_exactly_the_students_it_changes(tmp_path, capsys):
    served = ServedClass.create(tmp_path / "run", [ASSIGNMENT])
    course = served.course
    _set_sigmoid_grader(course, RIGHT, BROKEN)  # the instructor's slip, graded at the deadline
    api = instructor_api(course)
    assert api.generate_assignment(ASSIGNMENT, force=True)["success"]
    served.submit("alice", ASSIGNMENT)                                 # all right
    served.submit("bob", ASSIGNMENT, {"sigmoid": WRONG_SIGMOID})       # wrong either way
    served.submit("dave", ASSIGNMENT, {"relu": WRONG_RELU})            # sigmoid right
    assert api.collect(ASSIGNMENT)["success"]
    outcomes = autograde_class(course, ASSIGNMENT, workers=2, progress=None)
    assert all(o.status == "graded" for o in outcomes), outcomes
    before = {s: served.score(s, ASSIGNMENT) for s in ("alice", "bob", "dave")}

    _set_sigmoid_grader(course, BROKEN, RIGHT)  # the fix
    assert regrade.main([ASSIGNMENT, "--course", str(course), "--workers", "2"]) == 0
    printed = capsys.readouterr().out
    with (course / "regrade" / f"{ASSIGNMENT}.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["student"], r["cell"]) for r in rows} == {("alice", "sigmoid_test"),
                                                         ("dave", "sigmoid_test")}
    for row in rows:
        assert (float(row["old"]), float(row["new"]), float(row["delta"])) == (0.0, 3.0, 3.0)
        assert "relu" in row["old_message"] and row["new_message"] != row["old_message"]
    assert "alice  forward/sigmoid_test  0 -> 3 (+3)" in printed and "bob" not in printed
    assert "Nothing was written to the gradebook" in printed
    assert {s: served.score(s, ASSIGNMENT) for s in before} == before

    page = write_report(course, [ASSIGNMENT]).read_text()
    section = page[page.index("<h2>Regrades</h2>"):]
    assert "2 cells of 2 students changed" in section
    assert "alice" in section and "dave" in section and "bob" not in section

    assert regrade.main([ASSIGNMENT, "--course", str(course), "--apply"]) == 0
    after = {s: served.score(s, ASSIGNMENT) for s in before}
    assert after == {"alice": before["alice"] + 3, "bob": before["bob"],
                     "dave": before["dave"] + 3}
