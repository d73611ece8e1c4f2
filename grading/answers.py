"""Questions asked inside the problem sets: predictions made before an experiment and readings
of its plots made after it.

A question is answered, as in the quiz, by a variable (``answer_vanishing_prediction = 1e-3``,
``answer_vanishing_reading = "B"``) whose test cell calls
``grade("explorations.answer_vanishing_reading", answer_vanishing_reading)``. Answers are read
by the quiz's :func:`grading.checks.quiz.read_answer` (also copied into the notebooks' setup
cells for the visible check), so the same forms are accepted everywhere: one letter in quotes,
or a plain number.

Two kinds of grading, on purpose:

* a **prediction** (``answer=None``) earns its points for being recorded in a valid form, not for
  being right. It is written before the experiment runs; grading it on being right would grade
  hindsight (a student can always run the cell first and copy the number), and would punish the
  honest wrong guess that makes the experiment worth running. What it rewards is committing to
  a number before looking.
* a **reading** (``answer`` set) is graded on being right, like a quiz question: it asks what
  the experiment the student just ran shows, after they have seen it.

The key lives only here, never in a notebook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grading.registry import Failure, register


@dataclass(frozen=True)
class Asked:
    """One question of a problem set: ``kind`` ``"single"`` (one letter among ``options``) or
    ``"numeric"``; ``answer`` the right letter, or None for a prediction (any valid answer
    earns the points); ``hint`` shown with a wrong reading (it never gives the answer away)."""

    kind: str
    options: str = ""
    answer: str | None = None
    hint: str = ""

    @property
    def is_prediction(self) -> bool:
        return self.answer is None


#: Exercise name (``"explorations.answer_vanishing_reading"``) -> its question.
ASKED: dict[str, Asked] = {}


def ask(exercise: str, question: Asked) -> None:
    """Register ``question`` and its check under ``exercise`` (``<notebook>.answer_<name>``)."""
    if not exercise.split(".", 1)[-1].startswith("answer_"):
        raise ValueError(f"{exercise}: a question's variable is named answer_...")
    ASKED[exercise] = question
    register(exercise)(_checker(exercise, question))


def _checker(exercise: str, question: Asked) -> Callable[[Any], None]:
    def check(answer: Any) -> None:
        from grading.checks.quiz import read_answer  # here: grading.checks imports this module

        try:
            value = read_answer(answer, question.kind, question.options)
        except NotImplementedError:
            raise Failure(f"{exercise}: not answered yet") from None
        except AssertionError as error:
            raise Failure(f"{exercise}: {error}") from None
        if question.answer is not None and value != question.answer:
            raise Failure(f"{exercise}: {value!r} is not what the experiment shows. "
                          f"Hint: {question.hint}")

    check.__doc__ = ("Recorded in a valid form (a prediction)." if question.is_prediction
                     else "The right letter (a reading of the experiment).")
    return check


def is_question(exercise: str) -> bool:
    """Whether ``exercise`` is graded as an answer (a quiz question, or a question of a problem
    set), not as a function."""
    return exercise.startswith("quiz.") or exercise in ASKED


def wrong_answer(target: str) -> Any:
    """An answer to the question answered by the variable ``target`` that earns nothing: a wrong
    letter for a reading, the number written as text (in quotes) for a numeric prediction, no
    letter at all for a prediction by letter. None when no question uses ``target``."""
    found = [q for name, q in ASKED.items() if name.split(".", 1)[1] == target]
    if not found:
        return None
    question = found[0]
    if question.kind == "numeric":
        return "1e-3"
    if question.is_prediction:
        return ""
    return next(letter for letter in question.options if letter != question.answer)
