"""A simulated class graded by the real `nbgrader autograde` scores what the simulator intended,
student by student and cell by cell: right answers earn their points, catalogued mistakes earn
the parts they get right where an exercise is graded in parts and nothing elsewhere, blanks, a
syntax error and an infinite loop earn nothing, and no student stops the others. In the quiz,
partly right select-all answers earn the share the quiz's rule gives, and on questions with
per-student numbers an answer worked out with the student's own numbers earns the points while
one copied from a classmate earns nothing."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter

import pytest
from nbgrader.api import Gradebook, SubmittedAssignment

from course.parallel_autograde import autograde_assignments, failure_table
from simulation.exercises import read_assignment
from simulation.simulate import simulate_class

from .nbgrader_cli import RELEASE, SOURCE, released_course, start_nbgrader

pytestmark = pytest.mark.notebooks

ASSIGNMENTS = ["ps1_forward", "quiz"]
SEED = 20  # a class of 8 with an infinite loop and a syntax error among its students


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """The class graded by sequential `nbgrader autograde` (one command per assignment, in
    the background); meanwhile, a copy of the same course and submissions graded by
    course.parallel_autograde with two workers."""
    course = released_course(tmp_path_factory.mktemp("class"), ASSIGNMENTS)
    plans = simulate_class(SOURCE, RELEASE, ASSIGNMENTS, 8, SEED, course / "submitted")
    twin = course.parent / "parallel"
    shutil.copytree(course, twin)
    log = course.parent / "nbgrader.log"
    stock = start_nbgrader(*(["autograde", assignment, "--force"] for assignment in ASSIGNMENTS),
                           cwd=course, log=log, env={"BACKPROP_CELL_TIMEOUT": "10"})
    os.environ["BACKPROP_CELL_TIMEOUT"] = "10"
    try:
        graded = autograde_assignments(twin, ASSIGNMENTS, workers=2, progress=None)
        for outcomes in graded.values():
            assert all(o.status == "graded" for o in outcomes), failure_table(outcomes)
    finally:
        del os.environ["BACKPROP_CELL_TIMEOUT"]
        assert stock.wait(600) == 0, log.read_text()[-3000:]
    return course, plans, twin


def _gradebook(course):
    """Everything autograde wrote that a grade depends on, student by student and cell by cell."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {(submission.student.id, submission.assignment.name, notebook.name, grade.name):
                (grade.auto_score, grade.max_score, notebook.late_submission_penalty)
                for submission in gradebook.db.query(SubmittedAssignment)
                for notebook in submission.notebooks for grade in notebook.grades}


def test_parallel_autograde_writes_the_gradebook_sequential_autograde_writes(graded_class):
    course, plans, twin = graded_class
    sequential, parallel = _gradebook(course), _gradebook(twin)
    assert len(sequential) > len(plans)
    assert parallel == sequential


def test_the_class_has_every_kind_of_student(graded_class):
    _, plans, _ = graded_class
    kinds = Counter(p.profile for p in plans if p.assignment == "ps1_forward")
    assert {"infinite_loop", "syntax_error", "strong", "struggling"} <= set(kinds)
    choices = Counter(c.split(":")[0] for p in plans for c in p.choices.values())
    assert choices["mistake"] and choices["correct"] and choices["blank"] and choices["wrong"]
    styles = {c for p in plans for c in p.choices.values() if c.startswith("correct:")}
    assert styles, "every correct student wrote the instructor's solution"
    worth = {e.grade_id: e.points for assignment in ASSIGNMENTS
             for notebook in read_assignment(SOURCE, assignment) for e in notebook.exercises}
    partial = [(p.student, cell) for p in plans for cell, points in p.intended_points.items()
               if 0 < points < worth[cell]]
    assert partial, "no catalogued mistake earns partial credit in this class"
    assert any(cell.startswith("check_q") for _, cell in partial), "no partial quiz answer"
    assert choices["partial"] and choices["copied"] and choices["own-numbers"]


def test_every_student_scores_what_the_simulator_intended(graded_class):
    course, plans, _ = graded_class
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        got = {(p.student, p.assignment): gradebook.find_submission(p.assignment, p.student).score
               for p in plans}
    # A total adds cells of 0.67 or 1.33 points (a select-all question's share, rounded as
    # grade_parts records it): the gradebook's sum may differ from the rounded total in the
    # last bits of a float, never more.
    expected = {(p.student, p.assignment): p.intended_score for p in plans}
    assert got == pytest.approx(expected, abs=1e-6)


def test_every_cell_scores_what_the_simulator_intended(graded_class):
    course, plans, _ = graded_class
    got, expected = {}, {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for p in plans:
            notebook = gradebook.find_submission(p.assignment, p.student).notebooks[0]
            for grade in notebook.grades:
                got[p.student, grade.name] = grade.score
            expected.update({(p.student, name): points
                             for name, points in p.intended_points.items()})
    assert got == expected


def test_a_quiz_answer_copied_from_a_classmate_scores_0_and_says_why(graded_class):
    """Each student's notebook showed their own numbers (the grader told the kernel whose
    submission it ran); a classmate's answer is 0 and the feedback says the numbers are
    per-student, restating the student's own."""
    from grading.quiz_numbers import described, quiz_numbers

    course, plans, _ = graded_class
    copied = [(p.student, target.removeprefix("answer_")) for p in plans
              if p.assignment == "quiz"
              for target, choice in p.choices.items() if choice.startswith("copied:")]
    assert copied
    for student, question in copied:
        path = course / "autograded" / student / "quiz" / "quiz.ipynb"
        cells = {c["metadata"].get("nbgrader", {}).get("grade_id"): c
                 for c in json.loads(path.read_text())["cells"]}
        said = json.dumps(cells[f"check_{question}"]["outputs"])
        assert "per-student" in said and described(quiz_numbers(student)[question]) in said
        shown = json.dumps(cells[f"{question}_numbers"]["outputs"])
        assert described(quiz_numbers(student)[question]) in shown
        assert f"Graded as {student!r}" in json.dumps(cells["numbers"]["outputs"])


def test_the_simulator_is_deterministic(graded_class, tmp_path):
    _, plans, _ = graded_class
    again = simulate_class(SOURCE, RELEASE, ASSIGNMENTS, 8, SEED, tmp_path)
    assert [p.choices for p in again] == [p.choices for p in plans]
    assert json.loads((tmp_path / "class.json").read_text())[0]["student"] == "student001"
