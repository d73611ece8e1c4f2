"""The quiz (``source/quiz/quiz.ipynb``): its answer key and the check of every question.

Each question's hidden test cell calls ``grade("quiz.q01", answer_q01)``, or, for a select-all
question, ``grade_parts("quiz.q03", answer_q03, points=2)``. The key lives only here, never in
the notebook, so no answer reaches the released version.

A question is one of three kinds:

* ``single``: one letter, e.g. ``"B"``, all or nothing;
* ``multiple``: several letters, e.g. ``"AC"`` or ``["A", "C"]``, with partial credit: the
  share of the points is (right letters - wrong letters) / (letters in the key), never below
  0. It is registered as one part per letter of the key, part ``k`` passing when right minus
  wrong is at least ``k``, so :func:`grading.grade_parts` (the course's one way of giving
  partial credit) turns it into points and the sandbox records them like any other;
* ``numeric``: a number, right within the question's relative tolerance (of the key or of one
  of the values it also accepts). Six numeric questions have numbers of their own for each
  student (:mod:`grading.quiz_numbers`): their key is a formula of the student's numbers
  (``per_student``), and ``answer`` is its value for the default numbers.

:func:`read_answer` reads an answer in either form; it is copied verbatim into the notebook's
setup cell, where ``check_format`` calls it for the visible check, so a student's visible check
and this grader accept and reject exactly the same answers, with the same message. Keep the
two copies identical.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from grading import quiz_numbers
from grading.registry import Failure, register
from reference.gradcheck import GRADCHECK_THRESHOLD


@dataclass(frozen=True)
class Question:
    """One question of the quiz: its kind, its answer and a hint for a wrong answer."""

    kind: str  # "single", "multiple" or "numeric"
    answer: str | float  # the letter, the letters in alphabetical order, or the number
    hint: str  # points toward the idea; never gives the answer away
    options: str = "ABCD"  # the letters the question offers (single and multiple only)
    rtol: float = 1e-2  # relative tolerance (numeric only)
    also: tuple[float, ...] = ()  # other values accepted (numeric only)
    #: the answer for a student's numbers (numeric questions with per-student numbers only)
    per_student: Callable[[dict[str, Any]], float] | None = None


def _per_student(number: str, formula: Callable[[dict[str, Any]], float], hint: str
                 ) -> Question:
    """A numeric question whose numbers are each student's own: ``formula`` of the numbers
    gives the answer; the key's ``answer`` is the one for the default numbers."""
    default = quiz_numbers.quiz_numbers(None)[number]
    return Question("numeric", formula(default), hint, per_student=formula)


def _sigmoid_grad_share(n: dict[str, Any]) -> float:
    """sigma'(z) as a share of its largest value, 1/4 (at z = 0)."""
    s = 1.0 / (1.0 + math.exp(-n["z"]))
    return s * (1.0 - s) / 0.25


def _adam_first_moment(n: dict[str, Any]) -> float:
    """Adam's bias-corrected first moment after the gradients g1 and g2."""
    beta = n["beta1"]
    m = (1.0 - beta) * n["g1"]
    m = beta * m + (1.0 - beta) * n["g2"]
    return m / (1.0 - beta**2)


def _after_one_step(n: dict[str, Any]) -> float:
    """w after one gradient step on L = (w x + b - y)**2 / 2."""
    return n["w"] - n["eta"] * (n["w"] * n["x"] + n["b"] - n["y"]) * n["x"]


KEY: dict[str, Question] = {
    "q01": Question(
        "single", "C", "ask what backpropagation produces, and what then uses it."
    ),
    "q02": Question(
        "single", "D",
        "each factor is the derivative of one piece, evaluated at the value that piece "
        "receives as its input.",
    ),
    "q03": Question(
        "multiple", "ABD",
        "write the delta of layer 1 as a product of one factor per layer and ask which "
        "factors can be small.",
        options="ABCDE",
    ),
    "q04": _per_student(
        "q04", _sigmoid_grad_share,
        "sigma(z) * (1 - sigma(z)) is p * (1 - p) for p between 0 and 1: where is that largest, "
        "and what is it there? Then compute sigma(z) at your z.",
    ),
    "q05": Question(
        "single", "B", "where is p * (1 - p) largest, and for which z is sigma(z) equal to that p?"
    ),
    "q06": _per_student(
        "q06", lambda n: 0.25 ** n["D"],
        "use the largest value of the sigmoid's derivative, once per layer; a Python "
        "expression is a fine answer.",
    ),
    "q07": Question(
        "single", "B",
        "the loss is a mean over the batch; the log and the softmax Jacobian simplify "
        "together.",
    ),
    "q08": Question(
        "multiple", "ACD",
        "compute dL/dA, multiply by the sigmoid's derivative written with A, and simplify.",
        options="ABCDE",
    ),
    "q09": Question(
        "multiple", "BCE",
        "unroll v for a few steps: what does it add up, and what happens when successive "
        "gradients agree or alternate?",
        options="ABCDE",
    ),
    "q10": Question(
        "multiple", "ABD",
        "what are m and v running means of, and what value do they start from?",
        options="ABCDE",
    ),
    # default: m1 = 0.1 * 2 = 0.2; m2 = 0.9 * 0.2 + 0.1 * 4 = 0.58; m_hat = 0.58 / (1 - 0.9**2)
    "q11": _per_student(
        "q11", _adam_first_moment,
        "apply the update of m twice, then divide by 1 - beta1**t with t = 2.",
    ),
    "q12": Question(
        "single", "A", "clipping can only make a gradient smaller: when is a gradient too big?"
    ),
    "q13": Question(
        "single", "D",
        "clip the gradient (10, 1) to a limit of 1 both ways and compare the directions.",
    ),
    "q14": _per_student(
        "q14", lambda n: 2.0 * n["N"],
        "how many loss evaluations does one centered difference take, and how many weights "
        "need one?",
    ),
    "q15": Question(
        "single", "B", "compare a sum over 256 examples with a sum over 32 examples."
    ),
    "q16": Question(
        "multiple", "BCE",
        "what is ReLU's derivative where z <= 0, for which inputs must that hold, and what "
        "does a zero derivative do to the weights feeding the unit, whatever the step size?",
        options="ABCDE",
    ),
    "q17": Question(
        "single", "C", "a gradient has the shape of the parameter it is the gradient of."
    ),
    "q18": Question(
        "single", "A",
        "check the shapes: the product must have the shape (m, n_l) of layer l's delta.",
    ),
    "q19": Question(
        "single", "D",
        "the chain rule takes each derivative at the input of its piece; what is the input "
        "of the sigmoid?",
    ),
    "q20": Question(
        "single", "A",
        "a centered difference evaluates the loss at z - eps and z + eps: what is ReLU's "
        "slope on each side, and which one does the backward pass use?",
    ),
    "q21": _per_student(
        "q21", _after_one_step,
        "by the chain rule dL/dw = dL/dz * dz/dw, with z = w * x + b; the step subtracts the "
        "learning rate times that gradient.",
    ),
    # The threshold of reference.gradcheck; problem set 2's visible check is looser (1e-6)
    # and a student who learned that one is right too.
    "q22": Question(
        "numeric", GRADCHECK_THRESHOLD,
        "see the gradient check of problem set 2: below which relative error do the analytic "
        "and numerical gradients count as agreeing in float64?",
        also=(1e-7, 1e-6),
    ),
    "q23": _per_student(
        "q23", lambda n: 2.0 * n["m"] * n["n_in"] * n["n_out"],
        "write the shapes of both products; (a, b) @ (b, c) takes a * b * c multiplications.",
    ),
    "q24": Question(
        "single", "A",
        "backward visits each layer once, doing work of the same kind as forward; compare "
        "q23.",
    ),
    "q25": Question(
        "multiple", "BCD",
        "what goes wrong when every weight starts equal? What does the scale of the weights "
        "keep steady from layer to layer, and what does it leave to the activation's "
        "derivative (see problem set 4)?",
        options="ABCDE",
    ),
}


def read_answer(answer, kind, options=""):
    """Read a quiz answer the way the grader does: return it normalized, or say what to fix.

    kind "single": one letter as a string; "b" and " B " both read as "B".
    kind "multiple": letters as a string ("AC", "a, c") or a list, tuple or set of strings
    (["A", "C"]); order, case, spaces, commas and repeats do not matter: both read as "AC".
    kind "numeric": an int or a float (not text, not True or False, not NaN or inf): a float.
    ``options`` holds the letters the question offers. Raises NotImplementedError for None
    (not answered yet) and AssertionError saying what to fix for an answer of the wrong form.
    """
    import math
    import numbers

    if answer is None:
        raise NotImplementedError("not answered yet")
    allowed = ", ".join(options)
    if kind == "single":
        if not isinstance(answer, str):
            raise AssertionError(
                f'write the letter as a string, e.g. "B" (with the quotes); '
                f"got {answer!r} of type {type(answer).__name__}"
            )
        letter = answer.strip().upper()
        if len(letter) != 1 or letter not in options:
            raise AssertionError(f"write exactly one of the letters {allowed}; got {answer!r}")
        return letter
    if kind == "multiple":
        parts = [answer] if isinstance(answer, str) else answer
        if not isinstance(parts, (list, tuple, set, frozenset)) or not all(
            isinstance(part, str) for part in parts
        ):
            raise AssertionError(
                'write the letters as a string or a list of strings, e.g. "AC" or ["A", "C"]; '
                f"got {answer!r}"
            )
        letters = {c for c in "".join(parts).upper() if not c.isspace() and c != ","}
        unknown = sorted(letters - set(options))
        if unknown:
            raise AssertionError(
                f"{', '.join(repr(c) for c in unknown)} is not among the letters {allowed}; "
                f"got {answer!r}"
            )
        if not letters:
            raise AssertionError(f"choose at least one of the letters {allowed}; got {answer!r}")
        return "".join(sorted(letters))
    if kind == "numeric":
        if isinstance(answer, str):
            try:
                float(answer)
            except ValueError:
                raise AssertionError(
                    f"write a number, not text, e.g. 1.5 without quotes; got {answer!r}"
                ) from None
            raise AssertionError(f"write a number, not text: {answer.strip()} without the quotes")
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
            raise AssertionError(
                f"write a number such as 1.5 or 3e-4; got {answer!r} of type "
                f"{type(answer).__name__}"
            )
        value = float(answer)
        if not math.isfinite(value):
            raise AssertionError(f"write a finite number; got {value}")
        return value
    raise ValueError(f"unknown kind of question {kind!r}; use single, multiple or numeric")


def _read(number: str, answer: Any) -> Any:
    """The answer read as :func:`read_answer` does; a wrong form fails as the visible check did."""
    question = KEY[number]
    try:
        return read_answer(answer, question.kind, question.options)
    except AssertionError as error:
        raise Failure(f"quiz.{number}: {error}") from None


def expected(number: str, student: str | None = None) -> float:
    """The answer to numeric question ``number`` for ``student``'s numbers (for the student
    being graded now when None: see :func:`grading.quiz_numbers.student`)."""
    question = KEY[number]
    if question.per_student is None:
        return float(question.answer)
    return question.per_student(quiz_numbers.numbers(number, student))


def _check_per_student(number: str, value: float) -> None:
    """A numeric answer against the answer for the numbers of the student being graded."""
    question, name = KEY[number], f"quiz.{number}"
    assert question.per_student is not None
    right = expected(number)
    if math.isclose(value, right, rel_tol=question.rtol):
        return
    student = quiz_numbers.student()
    mine = quiz_numbers.described(quiz_numbers.numbers(number))
    if student is None:
        whose = f"the default numbers ({mine})"
    elif math.isclose(value, float(question.answer), rel_tol=question.rtol):
        whose = (f"your numbers ({mine}); {value:g} is the answer for the default numbers, "
                 "not for yours")
    else:
        whose = f"your numbers ({mine})"
    raise Failure(
        f"{name}: {value:g} is not within {question.rtol:.0%} of the answer for {whose}. "
        "This question's numbers are per-student: an answer worked out with other numbers "
        "(a classmate's, or the default ones) is wrong; use the numbers your notebook shows "
        f"under the question. Hint: {question.hint}"
    )


def check_answer(number: str, answer: Any) -> None:
    """Grade the answer to question ``number`` (``"q01"``) against the key, all or nothing."""
    question = KEY[number]
    name = f"quiz.{number}"
    value = _read(number, answer)
    if question.per_student is not None:
        _check_per_student(number, value)
    elif question.kind == "numeric":
        if not any(math.isclose(value, right, rel_tol=question.rtol)
                   for right in (question.answer, *question.also)):
            raise Failure(
                f"{name}: {value:g} is not within {question.rtol:.0%} of the expected value. "
                f"Hint: {question.hint}"
            )
    elif value != question.answer:
        raise Failure(f"{name}: {value!r} is not the right answer. Hint: {question.hint}")


def right_and_wrong(number: str, answer: Any) -> tuple[int, int]:
    """How many of a select-all answer's letters are in the key, and how many are not."""
    letters, key = set(_read(number, answer)), set(str(KEY[number].answer))
    return len(letters & key), len(letters - key)


def share(number: str, answer: Any) -> float:
    """The share of a select-all question's points an answer earns: (right - wrong) / letters
    in the key, never below 0. An answer of the wrong form raises :class:`Failure`."""
    right, wrong = right_and_wrong(number, answer)
    return max(0, right - wrong) / len(str(KEY[number].answer))


def check_at_least(number: str, needed: int, answer: Any) -> None:
    """Part ``needed`` of a select-all question: right letters minus wrong ones >= ``needed``.

    Only the first part that fails says why, with the hint; the parts after it say less."""
    try:
        right, wrong = right_and_wrong(number, answer)
    except (Failure, NotImplementedError):  # the wrong form, or None: said by the first part
        if needed > 1:
            raise Failure(f"quiz.{number}: as above.") from None
        raise
    net = right - wrong
    if net >= needed:
        return
    if needed > max(net, 0) + 1:
        raise Failure(f"quiz.{number}: as above.")
    raise Failure(
        f"quiz.{number}: {_read(number, answer)!r} has {right} right "
        f"letter{'s' if right != 1 else ''} and {wrong} wrong: {right} - {wrong} = {net}. "
        f"Hint: {KEY[number].hint}"
    )


def part_title(needed: int, of: int) -> str:
    """The title of part ``needed`` of a select-all question whose key has ``of`` letters."""
    if needed == of:
        return f"right letters - wrong letters = {of}: exactly the right set"
    return f"right letters - wrong letters >= {needed}"


for _number, _question in KEY.items():
    if _question.kind == "multiple":
        _of = len(str(_question.answer))
        for _needed in range(1, _of + 1):
            register(f"quiz.{_number}", part=part_title(_needed, _of))(
                partial(check_at_least, _number, _needed))
    else:
        register(f"quiz.{_number}")(partial(check_answer, _number))
