"""A simulated class graded by the real `nbgrader autograde` scores what the simulator intended,
student by student and cell by cell: right answers earn their points, catalogued mistakes earn
the parts they get right where an exercise is graded in parts and nothing elsewhere, blanks, a
syntax error and an infinite loop earn nothing, and no student stops the others."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from nbgrader.api import Gradebook

from course.exercises import read_assignment
from course.simulate import simulate_class

from .nbgrader_cli import RELEASE, SOURCE, nbgrader, scratch_course

pytestmark = pytest.mark.notebooks

ASSIGNMENTS = ["ps1_forward", "quiz"]
SEED = 20  # a class of 8 with an infinite loop and a syntax error among its students


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    course = scratch_course(tmp_path_factory.mktemp("class"), ASSIGNMENTS)
    plans = simulate_class(SOURCE, RELEASE, ASSIGNMENTS, 8, SEED, course / "submitted")
    for assignment in ASSIGNMENTS:
        assert nbgrader("generate_assignment", assignment, "--force", cwd=course).returncode == 0
        done = nbgrader("autograde", assignment, "--force", cwd=course,
                        env={"BACKPROP_CELL_TIMEOUT": "10"})
        assert done.returncode == 0, done.stderr[-3000:]
    return course, plans


def test_the_class_has_every_kind_of_student(graded_class):
    _, plans = graded_class
    kinds = Counter(p.profile for p in plans if p.assignment == "ps1_forward")
    assert {"infinite_loop", "syntax_error", "strong", "struggling"} <= set(kinds)
    choices = Counter(c.split(":")[0] for p in plans for c in p.choices.values())
    assert choices["mistake"] and choices["correct"] and choices["blank"] and choices["wrong"]
    worth = {e.grade_id: e.points for assignment in ASSIGNMENTS
             for notebook in read_assignment(SOURCE, assignment) for e in notebook.exercises}
    partial = [(p.student, cell) for p in plans for cell, points in p.intended_points.items()
               if 0 < points < worth[cell]]
    assert partial, "no catalogued mistake earns partial credit in this class"


def test_every_student_scores_what_the_simulator_intended(graded_class):
    course, plans = graded_class
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        got = {(p.student, p.assignment): gradebook.find_submission(p.assignment, p.student).score
               for p in plans}
    expected = {(p.student, p.assignment): p.intended_score for p in plans}
    assert got == expected


def test_every_cell_scores_what_the_simulator_intended(graded_class):
    course, plans = graded_class
    got, expected = {}, {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for p in plans:
            notebook = gradebook.find_submission(p.assignment, p.student).notebooks[0]
            for grade in notebook.grades:
                got[p.student, grade.name] = grade.score
            expected.update({(p.student, name): points
                             for name, points in p.intended_points.items()})
    assert got == expected


def test_the_simulator_is_deterministic(graded_class, tmp_path):
    _, plans = graded_class
    again = simulate_class(SOURCE, RELEASE, ASSIGNMENTS, 8, SEED, tmp_path)
    assert [p.choices for p in again] == [p.choices for p in plans]
    assert json.loads((tmp_path / "class.json").read_text())[0]["student"] == "student001"
