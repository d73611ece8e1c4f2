"""The quiz's per-student numbers: the notebook and the grader compute the same numbers from a
student's id, an answer is graded with the numbers of the student being graded, and one worked
out with anyone else's numbers scores 0 with a message saying the numbers are per-student."""

from __future__ import annotations

import contextlib
import inspect
import io
import itertools
import json
import math
import os
import re
from pathlib import Path

import pytest

from course import student_lab
from grading import Failure, grade, quiz_numbers, variant
from grading.checks.quiz import KEY, expected
from grading.quiz_numbers import QUESTIONS
from grading.quiz_numbers import quiz_numbers as numbers_for

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = json.loads((ROOT / "source" / "quiz" / "quiz.ipynb").read_text())
CELLS = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
         for c in NOTEBOOK["cells"] if "nbgrader" in c["metadata"]}
SECRET = bytes(range(32))
#: Ids of every kind a folder name can hold.
IDS = [f"student{n:03d}" for n in range(300)] + [
    "alice", "Bob.Smith", "jovyan", "müller", "李雷", "o'brien", "a b", "x" * 100, "-",
    "name+with+plus", "🙂", "--bind", "$(id)",
]


def notebook_namespace(environ: dict[str, str]) -> dict:
    """The notebook's setup and numbers cells run with ``environ`` as the kernel's environment."""
    namespace: dict = {}
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(environ)
        with contextlib.redirect_stdout(io.StringIO()):
            exec(CELLS["setup"], namespace)
            exec(CELLS["numbers"], namespace)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return namespace


def other_answer(number: str, student: str) -> tuple[str, float]:
    """A classmate of ``student`` whose answer to ``number`` is not ``student``'s, and it."""
    mine = expected(number, student)
    for classmate in IDS:
        theirs = expected(number, classmate)
        if not math.isclose(theirs, mine, rel_tol=3 * KEY[number].rtol):
            return classmate, theirs
    raise AssertionError(f"every student has the same answer to {number}")


# ---- one derivation, two copies ---------------------------------------------------------------

def test_the_notebook_holds_the_graders_copy_of_the_derivation():
    for function in (quiz_numbers.quiz_numbers, quiz_numbers.described):
        assert inspect.getsource(function).strip() in CELLS["numbers"]


def test_the_notebook_and_the_grader_compute_the_same_numbers_for_many_ids():
    notebook = notebook_namespace({"NBGRADER_EXECUTION": "validate"})
    for student in IDS:
        assert notebook["quiz_numbers"](student) == numbers_for(student), student
    assert notebook["NUMBERS"] == numbers_for(None)


@pytest.mark.parametrize("student", ["alice", "李雷", "x" * 100])
def test_a_graded_notebook_shows_the_numbers_of_the_student_the_grader_names(student):
    notebook = notebook_namespace({"BACKPROP_STUDENT": student})
    assert notebook["STUDENT"] == student
    assert notebook["NUMBERS"] == numbers_for(student)


def test_students_get_different_numbers():
    for number in QUESTIONS:
        answers = {round(expected(number, s), 9) for s in IDS}
        assert len(answers) >= 4, number


def test_at_least_six_numeric_questions_have_numbers_of_their_own():
    per_student = [n for n, q in KEY.items() if q.per_student is not None]
    assert len(per_student) >= 6 and set(per_student) == set(QUESTIONS)
    assert all(KEY[n].kind == "numeric" for n in per_student)
    for number in per_student:
        assert f'show_numbers("{number}")' in CELLS[f"{number}_numbers"]
        assert "shown under this question" in CELLS[f"{number}_question"]
        assert "numbers of your own" in CELLS[f"{number}_question"]


def test_no_students_numbers_give_the_default_answer_or_one_near_zero():
    """Every combination a student can get, not only the ids tried above."""
    default_numbers = numbers_for(None)
    spaces = _choices()
    for number, names in spaces.items():
        default = KEY[number].per_student(default_numbers[number])
        for values in itertools.product(*names.values()):
            answer = KEY[number].per_student(dict(zip(names, values, strict=True)))
            assert not math.isclose(answer, default, rel_tol=3 * KEY[number].rtol), (
                number, values)
            assert abs(answer) > 1e-12, (number, values)  # 1% of 0 would be no tolerance


def _choices() -> dict[str, dict[str, list]]:
    """The lists the numbers are drawn from, read out of the derivation's own source."""
    source = inspect.getsource(quiz_numbers.quiz_numbers)
    body = source[source.index("choices = {"):source.index("numbers = {}")]
    scope: dict = {}
    exec(body.strip(), scope)
    return scope["choices"]


# ---- grading with the student's numbers --------------------------------------------------------

@pytest.mark.parametrize("number", QUESTIONS)
def test_outside_a_students_grading_the_default_numbers_are_graded(number):
    grade(f"quiz.{number}", KEY[number].answer)
    assert expected(number) == KEY[number].answer


@pytest.mark.parametrize("number", QUESTIONS)
@pytest.mark.parametrize("how", ["with the course's secret", "without a secret"])
def test_a_student_is_graded_with_their_own_numbers(number, how):
    student = "student007"
    scope = (variant.grading_student(student, SECRET) if how == "with the course's secret"
             else variant.grading_student(student))
    with scope:
        grade(f"quiz.{number}", expected(number, student))
        with pytest.raises(Failure) as failure:
            grade(f"quiz.{number}", KEY[number].answer)
    said = str(failure.value)
    assert "per-student" in said
    assert quiz_numbers.described(numbers_for(student)[number]) in said
    assert "is the answer for the default numbers, not for yours" in said


@pytest.mark.parametrize("number", QUESTIONS)
def test_an_answer_computed_with_another_students_numbers_scores_0(number):
    student = "alice"
    classmate, theirs = other_answer(number, student)
    with variant.grading_student(student, SECRET), pytest.raises(Failure) as failure:
        grade(f"quiz.{number}", theirs)
    said = str(failure.value)
    assert "numbers are per-student" in said, said
    assert f"your numbers ({quiz_numbers.described(numbers_for(student)[number])})" in said
    assert quiz_numbers.described(numbers_for(classmate)[number]) not in said or (
        numbers_for(classmate)[number] == numbers_for(student)[number])
    # ... and the classmate's own answer is right for the classmate
    with variant.grading_student(classmate):
        grade(f"quiz.{number}", theirs)


def test_the_failure_outside_a_students_grading_names_the_default_numbers():
    with pytest.raises(Failure, match=r"the default numbers \(D = 10\)"):
        grade("quiz.q06", 0.25**7)


def test_the_instructors_solutions_compute_each_students_answer():
    """The source's solutions use NUMBERS: run in a graded student's kernel, they are right."""
    for student in ("alice", "student042"):
        notebook = notebook_namespace({"BACKPROP_STUDENT": student})
        for number in QUESTIONS:
            solution = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION",
                                 CELLS[f"answer_{number}"], re.S).group(1)
            exec(solution, notebook)
            with variant.grading_student(student):
                grade(f"quiz.{number}", notebook[f"answer_{number}"])


# ---- whose numbers the notebook shows -----------------------------------------------------------

def test_the_notebook_prefers_the_graders_id():
    whose = notebook_namespace({})["whose_numbers"]
    assert whose({"BACKPROP_STUDENT": "alice", "BACKPROP_QUIZ_NUMBERS": "default",
                  "NBGRADER_EXECUTION": "autograde"})[0] == "alice"


def test_make_lab_shows_the_default_numbers_and_says_why():
    whose = notebook_namespace({})["whose_numbers"]
    student, why = whose({student_lab.QUIZ_NUMBERS: "default"})
    assert student is None and "make lab" in why and "default numbers" in why
    lab = re.search(r"^lab:.*?(?=^\S)", (ROOT / "Makefile").read_text(), re.M | re.S).group(0)
    assert f"{student_lab.QUIZ_NUMBERS}=default" in lab
    assert f'"{student_lab.QUIZ_NUMBERS}"' in CELLS["numbers"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        notebook = notebook_namespace({student_lab.QUIZ_NUMBERS: "default"})
        notebook["show_numbers"]("q06")
    assert out.getvalue().startswith("The default numbers for question 6: D = 10")


def test_nbgrader_validate_uses_the_default_numbers():
    student, _ = notebook_namespace({})["whose_numbers"]({"NBGRADER_EXECUTION": "validate"})
    assert student is None


def test_in_jupyterlab_the_id_is_the_name_nbgrader_submits_under(monkeypatch):
    from nbgrader.utils import get_username

    whose = notebook_namespace({})["whose_numbers"]
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    student, why = whose({})
    assert student == get_username() and "per-student" in why

    import pwd

    class Entry(tuple):
        pass

    monkeypatch.setattr(pwd, "getpwuid", lambda uid: Entry(("jovyan",)))
    monkeypatch.setenv("JUPYTERHUB_USER", "hub-alice")
    assert whose({"JUPYTERHUB_USER": "hub-alice"})[0] == get_username() == "hub-alice"
