"""Run the checks of an exercise the way a hidden test cell needs them run.

nbgrader gives a test cell zero points if it writes anything to stderr, so a correct answer
that happens to trigger a NumPy RuntimeWarning would lose its points. The runner silences
warnings and stderr while the student's code runs under a check.

Two ways to grade, one per kind of test cell:

* :func:`grade` is all or nothing: it returns quietly when every case passes and raises
  :class:`~grading.registry.Failure` otherwise, so the cell errors and nbgrader gives it 0.
* :func:`grade_parts` gives partial credit: it runs every part of the exercise, prints what
  passed and what did not, and returns the points earned. As the last expression of the test
  cell, that number is the cell's score (nbgrader reads a numeric result as partial credit).

A slip costs once: when a check fails for an exercise whose method calls the student's own
earlier functions (network_backward calls dense_gradients...), the runner asks
:func:`grading.diagnosis.carry_forward` whether those helpers are what is wrong. If the student's
function does what the notebook asks with its wrong helpers, it passes, and a note names the
helpers (printed under the ✓); if not, the note is added to the failure.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import numpy as np

from grading.diagnosis import Recorder, carry_forward, matching_mistake
from grading.mistakes import Mistake
from grading.registry import Check, Failure, lookup, parts_of

#: The mistakes named while :func:`noting_mistakes` is active (None when it is not).
_named: ContextVar[list[Mistake] | None] = ContextVar("named_mistakes", default=None)


@contextlib.contextmanager
def noting_mistakes() -> Iterator[list[Mistake]]:
    """Collect every catalogued mistake the grading in the block names, in order: the
    structured record the class report counts (never the text of the notebook's outputs,
    which a student's code can imitate)."""
    named: list[Mistake] = []
    token = _named.set(named)
    try:
        yield named
    finally:
        _named.reset(token)


def grade(name: str, *student_objects: Any) -> None:
    """Grade exercise ``name`` with the student's function(s) or answer(s), every part.

    Returns None when every case passes; raises ``AssertionError`` with the reason otherwise.
    """
    message, note = _run(name, lookup(name), student_objects)
    if message is not None:
        raise Failure(message)
    if note:
        print(f"✓ {name}: the hidden tests pass", note, sep="\n")


def grade_parts(name: str, *student_objects: Any, points: float) -> float:
    """Grade each part of exercise ``name`` and return the points earned out of ``points``.

    Each part is worth its weight's share of ``points``; a part that fails earns nothing and
    its line of the printed report says why (naming the likely mistake when one matches).
    Never raises for anything the student's code does.
    """
    if not points > 0:
        raise ValueError(f"{name}: points must be positive; got {points!r}")
    parts = parts_of(name)
    total = sum(part.weight for part in parts)
    earned_weight, lines, notes = 0.0, [], []
    for part in parts:
        worth = points * part.weight / total
        message, note = _run(name, part.check, student_objects, part.title)
        if note and note not in notes:
            notes.append(note)
        if message is None:
            earned_weight += part.weight
            lines.append(f"  ✓ {part.title} ({_points(worth)})")
        else:
            detail = _without_name(name, message).replace("\n", "\n      ")
            lines.append(f"  ✗ {part.title} ({_points(worth)}): {detail}")
    earned = round(points * earned_weight / total, 2)
    print(f"{name}: {earned:g} of {_points(points)}", *lines, *(f"  {n}" for n in notes),
          sep="\n")
    return earned


def _without_name(name: str, message: str) -> str:
    """The message without its leading exercise name (full or short), said once above it."""
    for prefix in (f"{name}: ", f"{name.rpartition('.')[2]}: "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


def _points(value: float) -> str:
    value = round(value, 2)
    return f"{value:g} point" + ("" if value == 1 else "s")


def _run(name: str, check: Check, student_objects: tuple[Any, ...],
         part: str | None = None) -> tuple[str | None, str]:
    """Run one check (of the whole exercise, or of its ``part``) quietly: (None when it passes,
    else the message for the student; a note naming the student's wrong helpers, for a check
    that passes thanks to them being the cause; else empty)."""
    recorders = [Recorder(obj) if callable(obj) else None for obj in student_objects]
    wrapped = [rec or obj for rec, obj in zip(recorders, student_objects, strict=True)]
    with contextlib.ExitStack() as stack:
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        stack.enter_context(np.errstate(all="ignore"))
        stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
        try:
            check(*wrapped)
        except NotImplementedError:
            message, diagnose, carry = f"{name}: not implemented yet", False, True
        except (Exception, SystemExit) as error:
            message = _text(error) if isinstance(error, Failure) else (
                f"{name}: your code raised {type(error).__name__}: {_text(error)}")
            # a lost or timed-out kernel (a subclass of Failure) is no place to try again
            diagnose, carry = True, not (isinstance(error, Failure) and type(error) is not Failure)
        else:
            return None, ""
        passed, note = _carried_forward(name, part, check, wrapped) if carry else (False, "")
        if passed:
            return None, note
        return (message + (_diagnosis(name, recorders) if diagnose else "")
                + (f"\n{note}" if note else "")), ""


def _carried_forward(name: str, part: str | None, check: Check,
                     wrapped: list[Any]) -> tuple[bool, str]:
    """:func:`grading.diagnosis.carry_forward` for an exercise graded on one function; never
    raises (a failure to judge the helpers only leaves the first verdict standing)."""
    if len(wrapped) != 1 or not callable(wrapped[0]):
        return False, ""
    try:
        return carry_forward(name, part, check, wrapped[0])
    except (Exception, SystemExit):
        return False, ""


def _text(error: BaseException) -> str:
    """``str(error)``, even for a student's exception class whose ``__str__`` is broken."""
    try:
        return str(error)
    except Exception:
        return "(its message could not be shown)"


def _diagnosis(name: str, recorders: list[Recorder | None]) -> str:
    """A sentence naming the catalogued mistake the student's function reproduces, if any.

    Never raises: whatever the student's results are, the diagnosis only adds to the message.
    """
    for recorder in recorders:
        if recorder is None:
            continue
        try:
            mistake = matching_mistake(name, recorder)
        except Exception:
            mistake = None
        if mistake is not None:
            noted = _named.get()
            if noted is not None:
                noted.append(mistake)
            return f"\nLikely mistake: {mistake.name}.\nHint: {mistake.hint}"
    return ""
