"""Each student their own numbers in the quiz's numeric questions.

Six numeric questions of the quiz (``source/quiz/quiz.ipynb``) show every student their own
values: the depth of a network, a learning rate, a weight, the shapes of a layer... An answer
worked out with someone else's numbers (a classmate's, or the default ones) is wrong.

The numbers are no secret: :func:`quiz_numbers` draws them from SHA-256 of the question and
the student's id, as nbgrader knows it (the name the exchange submits under). It is copied
verbatim into the notebook's locked ``numbers`` cell, since the student's kernel cannot import
the course's packages; a test proves that the two copies give the same numbers. The notebook
shows a student their numbers; the grader (:mod:`grading.checks.quiz`) grades with the same.

Who is being graded: :func:`grading.variant.student`, which the sandbox sets for every
submission it grades, with the course's secret or without one (the notebook shows the student's
numbers whatever the secret); outside a student's grading, nobody, and the default numbers are
used (the course's own tests, ``nbgrader validate``, ``make lab``).
"""

from __future__ import annotations

from typing import Any

from grading import variant


def quiz_numbers(student):
    """The numbers of the quiz's per-student questions: {question: {name: value}}.

    ``student`` is the student's id as nbgrader knows it; None gives the default numbers, the
    same for everyone. Each value is picked from its list by two bytes of
    SHA-256("backprop-quiz/<question>/<student>"): public and deterministic, so this notebook
    and the grader compute the same numbers. No list holds a default value that would make a
    student's answer equal the default numbers' answer.
    """
    import hashlib

    default = {
        "q04": {"z": 3.0},
        "q06": {"D": 10},
        "q11": {"beta1": 0.9, "g1": 2.0, "g2": 4.0},
        "q14": {"N": 1_000_000},
        "q21": {"w": 0.5, "b": 0.2, "x": 2.0, "y": 3.0, "eta": 0.1},
        "q23": {"m": 32, "n_in": 100, "n_out": 50},
    }
    if student is None:
        return default
    choices = {
        "q04": {"z": [-5.0, -4.5, -4.0, -3.5, -2.5, -2.0, -1.5, 1.5, 2.0, 2.5, 3.5, 4.0, 4.5,
                      5.0]},
        "q06": {"D": [4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16]},
        "q11": {"beta1": [0.5, 0.6, 0.7, 0.8, 0.95], "g1": [1.0, 2.0, 3.0, 4.0, 9.0],
                "g2": [-4.0, 1.0, 6.0, 7.0, 8.0, 9.0]},
        "q14": {"N": [k * 100_000 for k in range(2, 61) if k != 10]},
        "q21": {"w": [-2.0, -1.0, 1.0, 2.0], "b": [-2.0, -1.0, 0.0],
                "x": [-3.0, -1.0, 1.0, 3.0], "y": [-3.0, -2.0, -1.0, 0.0],
                "eta": [0.1, 0.2, 0.3]},
        "q23": {"m": [8, 16, 64, 128], "n_in": [20, 40, 60, 80, 120, 200],
                "n_out": [10, 25, 30, 75]},
    }
    numbers = {}
    for question, names in choices.items():
        text = f"backprop-quiz/{question}/{student}"
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        numbers[question] = {
            name: values[int.from_bytes(digest[2 * i:2 * i + 2], "big") % len(values)]
            for i, (name, values) in enumerate(names.items())
        }
    return numbers


def described(values: dict) -> str:
    """``D = 7`` or ``beta1 = 0.8, g1 = 2.0, g2 = -4.0``: one question's numbers, written as
    Python reads them (``N = 1_300_000``)."""
    return ", ".join(f"{name} = {value:_}" if isinstance(value, int) else f"{name} = {value!r}"
                     for name, value in values.items())


def student() -> str | None:
    """The id of the student whose numbers are graded now, or None for the default numbers."""
    return variant.student()


def numbers(question: str, student_id: str | None = None) -> dict[str, Any]:
    """The numbers of ``question`` (``"q06"``) for ``student_id``, or for the student being
    graded now when it is None (the default numbers outside a student's grading)."""
    return quiz_numbers(student_id if student_id is not None else student())[question]


#: The questions that have numbers of their own.
QUESTIONS = tuple(quiz_numbers(None))
