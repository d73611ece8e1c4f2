"""Questions asked inside the problem sets (grading/answers.py): a prediction earns its points for
being recorded in a valid form, right or wrong; a reading of an experiment for being right."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest

from grading import Failure, grade
from grading.answers import ASKED, is_question, wrong_answer
from grading.checks.quiz import read_answer

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = {"training": ROOT / "source" / "ps3_training" / "training.ipynb",
             "explorations": ROOT / "source" / "ps4_explorations" / "explorations.ipynb"}
is_question("quiz.q01")  # loads every check, and with them every question

PREDICTIONS = sorted(name for name, q in ASKED.items() if q.is_prediction)
READINGS = sorted(name for name, q in ASKED.items() if not q.is_prediction)


def _cells(notebook: str) -> list[str]:
    cells = json.loads(NOTEBOOKS[notebook].read_text())["cells"]
    return ["".join(cell["source"]) for cell in cells]


def test_each_problem_set_asks_its_questions_in_its_notebook():
    for notebook in NOTEBOOKS:
        graded = {f"{notebook}.{variable}" for cell in _cells(notebook)
                  for variable in re.findall(rf'grade\("{notebook}\.(answer_\w+)"', cell)}
        assert graded == {name for name in ASKED if name.startswith(f"{notebook}.")}
    assert len(PREDICTIONS) == 5 and len(READINGS) == 5


@pytest.mark.parametrize("exercise", PREDICTIONS)
def test_a_prediction_earns_its_points_for_any_valid_answer(exercise):
    question = ASKED[exercise]
    for answer in ([0.0, 1e-5, 42, -3.5] if question.kind == "numeric" else
                   [*question.options, question.options[0].lower(), f" {question.options[-1]} "]):
        grade(exercise, answer)


@pytest.mark.parametrize("exercise", PREDICTIONS)
def test_a_prediction_not_recorded_in_a_valid_form_earns_nothing(exercise):
    invalid = (["1e-3", True, float("nan"), "about 0.5"] if ASKED[exercise].kind == "numeric"
               else ["", "AB", "E", 1])
    for answer in [None, *invalid]:
        with pytest.raises(Failure) as failure:
            grade(exercise, answer)
        assert str(failure.value).startswith(f"{exercise}: ")


@pytest.mark.parametrize("exercise", READINGS)
def test_a_reading_is_graded_on_being_right_and_gives_a_hint_not_the_answer(exercise):
    question = ASKED[exercise]
    grade(exercise, question.answer)
    grade(exercise, question.answer.lower())
    for letter in question.options.replace(question.answer, ""):
        with pytest.raises(Failure) as failure:
            grade(exercise, letter)
        assert f"Hint: {question.hint}" in str(failure.value)
        assert f"'{question.answer}'" not in str(failure.value)


@pytest.mark.parametrize("exercise", sorted(ASKED))
def test_the_simulated_wrong_answer_earns_nothing(exercise):
    with pytest.raises(Failure):
        grade(exercise, wrong_answer(exercise.split(".", 1)[1]))


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS))
def test_the_visible_check_reads_answers_with_the_graders_own_reader(notebook):
    setup = _cells(notebook)[1]
    assert inspect.getsource(read_answer).strip() in setup


def test_questions_are_not_function_exercises():
    assert all(is_question(name) for name in ASKED)
    assert is_question("quiz.q01") and not is_question("explorations.gradient_norms")
