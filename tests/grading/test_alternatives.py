"""A correct answer gets full marks however it is written.

Every graded function exercise has at least three correct alternatives
(:mod:`simulation.alternatives`): each must pass its grader (on the seeded inputs and on two
students' own hidden inputs, grading.variant), keep the signature the notebook asks for, and be
a solution in its own right (not the grader's reference in disguise).
"""

from __future__ import annotations

import inspect

import pytest

from grading import grade
from grading.answers import is_question
from grading.registry import CHECKS, lookup
from simulation.alternatives import ALTERNATIVES, as_student_code, load_all
from simulation.alternatives.notebook import graded_functions, namespace

from .variants import STUDENTS, inputs_of, label

lookup("forward.sigmoid")  # registers every check
load_all()

#: Every graded function exercise: all but the quiz (answers, not functions) and test doubles.
EXERCISES = sorted(name for name in CHECKS
                   if not is_question(name) and not name.startswith("test."))
MINIMUM = 3

CASES = [pytest.param(exercise, function, id=f"{exercise}-{variant}")
         for exercise, variants in sorted(ALTERNATIVES.items())
         for variant, function in variants.items()]


def test_every_exercise_has_enough_alternatives():
    missing = {exercise: len(ALTERNATIVES.get(exercise, {})) for exercise in EXERCISES
               if len(ALTERNATIVES.get(exercise, {})) < MINIMUM}
    assert not missing, f"exercises with fewer than {MINIMUM} correct alternatives: {missing}"


def test_alternatives_answer_registered_exercises():
    assert set(ALTERNATIVES) <= set(EXERCISES), set(ALTERNATIVES) - set(EXERCISES)


@pytest.mark.parametrize(("exercise", "alternative"), CASES)
def test_alternative_has_the_notebooks_signature(exercise, alternative):
    assignment, name = graded_functions()[exercise]
    asked = inspect.signature(namespace(assignment)[name])
    assert inspect.signature(alternative) == asked, (
        f"{alternative.__name__}{inspect.signature(alternative)} should be {name}{asked}")


@pytest.mark.parametrize("student", STUDENTS, ids=label)
@pytest.mark.parametrize(("exercise", "alternative"), CASES)
def test_correct_alternative_gets_full_marks(exercise, alternative, student):
    with inputs_of(student):
        grade(exercise, alternative)  # raises Failure, with the grader's message, if it does not


@pytest.mark.parametrize(("exercise", "alternative"), CASES)
def test_alternative_typed_into_a_notebook_gets_full_marks(exercise, alternative):
    """What the class simulator pastes (imports, then the function under the notebook's name)
    runs on the notebook's own names and still gets full marks."""
    assignment, name = graded_functions()[exercise]
    notebook = dict(namespace(assignment))
    code, _ = as_student_code(alternative, name, notebook)
    exec(compile(code, f"<{name} cell>", "exec"), notebook)
    grade(exercise, notebook[name])
