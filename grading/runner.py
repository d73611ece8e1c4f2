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
:func:`grading.carry_forward.carry_forward` whether those helpers are what is wrong. If the
student's function does what the notebook asks with its wrong helpers, it passes, and a note
names the helpers (printed under the ✓); if not, the note is added to the failure.

A failure no catalogued mistake explains leaves a behavioural fingerprint in the record
(:func:`probe_fingerprint`): a hash of what the student's function returned on the check's
inputs drawn from the plain seeds, the same inputs for every student (a student's own hidden
inputs differ from everyone else's). Two students whose code fails the same uncatalogued way
share it; the class report lists them, as evidence for the instructor to look at.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import warnings
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import numpy as np

from grading import variant
from grading.carry_forward import carry_forward
from grading.dependencies import hung
from grading.diagnosis import Raised, Recorder, Yielded, matching_mistake
from grading.mistakes import Mistake
from grading.registry import Check, Failure, lookup, parts_of

#: Hex digits kept of a probe's fingerprint.
FINGERPRINT_CHARS = 16
#: At most this many values of one outcome enter a fingerprint (the rest are counted).
FINGERPRINT_VALUES = 100_000


class NamedMistakes(list[Mistake]):
    """The catalogued mistakes named while grading, in order; ``probes`` holds, by exercise
    (and part), the fingerprint of each failure no catalogued mistake explained."""

    def __init__(self) -> None:
        super().__init__()
        self.probes: dict[str, str] = {}


#: The mistakes named while :func:`noting_mistakes` is active (None when it is not).
_named: ContextVar[NamedMistakes | None] = ContextVar("named_mistakes", default=None)


@contextlib.contextmanager
def noting_mistakes() -> Iterator[NamedMistakes]:
    """Collect every catalogued mistake the grading in the block names, in order, and the
    fingerprints of the failures none explains: the structured record the class report counts
    (never the text of the notebook's outputs, which a student's code can imitate)."""
    named = NamedMistakes()
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


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """No warnings, NumPy floating-point complaints or stderr from the code run inside: a test
    cell with any stderr output scores 0 in nbgrader."""
    with warnings.catch_warnings(), np.errstate(all="ignore"), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


def _recorded(student_objects: tuple[Any, ...]
              ) -> tuple[list[Recorder | None], list[Any]]:
    """A recorder for each of the student's functions (None for other objects), and the objects
    to hand the check: the recorders in the functions' place."""
    recorders = [Recorder(obj) if callable(obj) else None for obj in student_objects]
    return recorders, [rec or obj for rec, obj in zip(recorders, student_objects, strict=True)]


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
    recorders, wrapped = _recorded(student_objects)
    with _quiet():
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
        named = _diagnosis(name, recorders) if diagnose else ""
        if diagnose and carry and not named:  # not after a lost or timed-out kernel
            _note_probe(name, part, check, student_objects)
        return message + named + (f"\n{note}" if note else ""), ""


def _carried_forward(name: str, part: str | None, check: Check,
                     wrapped: list[Any]) -> tuple[bool, str]:
    """:func:`grading.carry_forward.carry_forward` for an exercise graded on one function; never
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


def _note_probe(name: str, part: str | None, check: Check,
                student_objects: tuple[Any, ...]) -> None:
    """Add the fingerprint of an unexplained failure to the record, when one is kept."""
    noted = _named.get()
    if noted is None:
        return
    fingerprint = probe_fingerprint(check, student_objects)
    if fingerprint is not None:
        noted.probes.setdefault(name if part is None else f"{name} ({part})", fingerprint)


def probe_fingerprint(check: Check, student_objects: tuple[Any, ...]) -> str | None:
    """A short hash of what the student's functions return when ``check`` runs on its plain
    inputs (the seeds alone, without any student's key: the same inputs for every student),
    or None when there is nothing to compare (no call recorded, a function that already ran
    past a time limit). Never raises; what the check concludes is ignored."""
    if any(hung(obj) for obj in student_objects):
        return None
    try:
        recorders, wrapped = _recorded(student_objects)
        with _quiet(), contextlib.redirect_stdout(io.StringIO()), variant.plain_inputs(), \
                contextlib.suppress(Exception, SystemExit):
            check(*wrapped)
        outcomes = [call.outcome for rec in recorders if rec is not None for call in rec.calls]
        if not outcomes:
            return None
        digest = hashlib.sha256()
        for outcome in outcomes:
            _feed(digest, outcome)
        return digest.hexdigest()[:FINGERPRINT_CHARS]
    except Exception:
        return None


def _feed(digest: Any, value: Any, depth: int = 0) -> None:
    """Add ``value`` to ``digest``: numbers rounded to 6 significant digits (so that the same
    computation written in another order agrees), containers item by item, errors by kind."""
    if depth > 6:
        digest.update(b"<deep>")
    elif isinstance(value, Raised):
        digest.update(b"raised:" + value.kind.encode("utf-8", "replace")[:100])
    elif isinstance(value, Yielded):
        digest.update(b"yielded:%d:" % value.ended)
        _feed(digest, value.items, depth + 1)
    elif isinstance(value, (tuple, list)):
        digest.update(b"seq:%d(" % len(value))
        for item in value[:1000]:
            _feed(digest, item, depth + 1)
        digest.update(b")")
    elif isinstance(value, dict):
        digest.update(b"dict:%d(" % len(value))
        for key in sorted(value, key=repr)[:1000]:
            digest.update(repr(key)[:100].encode("utf-8", "replace"))
            _feed(digest, value[key], depth + 1)
        digest.update(b")")
    elif isinstance(value, (np.ndarray, float, int, np.number)) and not isinstance(value, bool):
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            digest.update(b"array:" + array.dtype.str.encode())
            return
        flat = array.astype(np.float64).ravel()[:FINGERPRINT_VALUES]
        mantissa, exponent = np.frexp(np.where(np.isfinite(flat), flat, 0.0))
        digest.update(b"num:%r:" % (array.shape,))
        # + 0.0 makes -0.0 (a sign, not a value) the same bytes as 0.0
        digest.update((np.round(mantissa, 5) + 0.0).tobytes()
                      + exponent.astype(np.int64).tobytes())
        digest.update(np.isnan(flat).tobytes() + (np.sign(flat) + 0.0).tobytes())
    elif isinstance(value, (str, bool, type(None))):
        digest.update(type(value).__name__.encode() + b":"
                      + repr(value)[:200].encode("utf-8", "replace"))
    else:  # an object whose text may hold an address: its type alone
        digest.update(b"object:" + type(value).__name__.encode("utf-8", "replace"))
