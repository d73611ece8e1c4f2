"""Name the likely mistake behind a failed check.

While a check runs, the student's function is wrapped in a :class:`Recorder` that keeps a copy
of every call's arguments and of what came back. When the check fails, each catalogued mistake of
the exercise is replayed on the same arguments: a mistake that gives the same results on every
recorded call (or raises the same kind of error) is most likely what the student wrote.
Results are compared within the tolerances of their precision (wider when the arguments or a
result hold float32 numbers, as in :mod:`grading.compare`).

:mod:`grading.carry_forward` builds on these records to make a slip cost once.
"""

from __future__ import annotations

import copy
import functools
import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from grading.compare import FLOAT32_TOL, single_precision
from grading.mistakes import Mistake, for_exercise

#: Results are compared with this tolerance; mistakes differ from the truth far more.
RTOL, ATOL = 1e-6, 1e-9


@dataclass(frozen=True)
class Raised:
    """Stands for a call that raised instead of returning: the error's kind and message (the
    message too, since different mistakes can raise the same kind of error)."""

    kind: str
    message: str

    @classmethod
    def of(cls, error: BaseException) -> Raised:
        return cls(type(error).__name__, str(error))


@dataclass(frozen=True)
class Yielded:
    """What a generator yielded before the check stopped reading it, and whether it ended."""

    items: list[Any]
    ended: bool = False


@dataclass(frozen=True)
class Call:
    """One recorded call: its arguments as they were before it, what it returned (or raised,
    or yielded), and its arguments as they were after it (a function may change them; None for
    a generator)."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    outcome: Any
    args_after: Any


class Recorder:
    """Calls ``function`` and records each call that can be copied."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function
        self.calls: list[Call] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        before = copied((args, kwargs))
        try:
            result = self.function(*args, **kwargs)
        except Exception as error:
            self._record(before, Raised.of(error), args)
            raise
        if inspect.isgenerator(result):
            # A generator runs as it is read: its effect on the arguments is not known yet.
            yielded = Yielded([])
            self._record(before, yielded, None)
            return _recording(result, yielded)
        self._record(before, copied(result), copied(args))
        return result

    def _record(self, before: Any, outcome: Any, args_after: Any) -> None:
        if all(part is not UNCOPIABLE for part in (before, outcome, args_after)):
            self.calls.append(Call(*before, outcome, args_after))


def _recording(generator: Any, yielded: Yielded) -> Any:
    """Pass a generator's items through, keeping a copy of each in ``yielded``."""
    for item in generator:
        yielded.items.append(copied(item))
        yield item
    object.__setattr__(yielded, "ended", True)


UNCOPIABLE = object()


def copied(value: Any) -> Any:
    """A deep copy of ``value``, or :data:`UNCOPIABLE` when it cannot be copied (then a
    :class:`Recorder` does not record the call)."""
    try:
        return copy.deepcopy(value)
    except Exception:
        return UNCOPIABLE


def same(a: Any, b: Any, *inputs: Any) -> bool:
    """Whether two outcomes agree: arrays and numbers within tolerance, containers entry by
    entry, raised errors by their kind. The tolerance is :data:`RTOL`, :data:`ATOL`, or
    :data:`grading.compare.FLOAT32_TOL` when ``a``, ``b`` or the ``inputs`` they were computed
    from hold float32 numbers."""
    if single_precision(a, b, *inputs):
        return _same(a, b, FLOAT32_TOL["rtol"], FLOAT32_TOL["atol"])
    return _same(a, b, RTOL, ATOL)


def _same(a: Any, b: Any, rtol: float, atol: float) -> bool:
    if isinstance(a, Raised) or isinstance(b, Raised):
        return isinstance(a, Raised) and isinstance(b, Raised) and a == b
    if isinstance(a, Yielded) or isinstance(b, Yielded):
        return (isinstance(a, Yielded) and isinstance(b, Yielded) and a.ended == b.ended
                and _same(a.items, b.items, rtol, atol))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y, rtol, atol)
                                        for x, y in zip(a, b, strict=True))
    if isinstance(a, np.random.Generator) and isinstance(b, np.random.Generator):
        return a.bit_generator.state == b.bit_generator.state
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], rtol, atol) for k in a)
    if isinstance(a, functools.partial) and isinstance(b, functools.partial):
        # a recorded argument is a copy: a partial's copy is another object with the same parts
        return (a.func is b.func and _same(list(a.args), list(b.args), rtol, atol)
                and _same(a.keywords, b.keywords, rtol, atol))
    try:
        x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return _equal(a, b)
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=True))


def _equal(a: Any, b: Any) -> bool:
    """``a == b`` as a plain bool; False when the comparison itself fails or is ambiguous."""
    try:
        return bool(a == b)
    except Exception:
        return False


def _replay(mistake: Mistake, call: Call) -> tuple[Any, Any]:
    """The mistake's outcome on the recorded arguments, and those arguments after the call."""
    args, kwargs = copy.deepcopy((call.args, call.kwargs))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            result = mistake.function(*args, **kwargs)
            if isinstance(call.outcome, Yielded):
                result = _read_like(result, call.outcome)
        except Exception as error:
            result = Raised.of(error)
    return result, args


def _read_like(generator: Any, recorded: Yielded) -> Yielded:
    """Read as many items from ``generator`` as the check read from the student's (one more
    when the student's ended, to see whether this one ends there too)."""
    if not inspect.isgenerator(generator):
        return Yielded([generator])
    items: list[Any] = []
    for item in generator:
        if len(items) == len(recorded.items):
            return Yielded(items, ended=False)
        items.append(item)
    return Yielded(items, ended=True) if recorded.ended else Yielded(items, ended=False)


def matching_mistake(exercise: str, recorder: Recorder) -> Mistake | None:
    """The first catalogued mistake of ``exercise`` that reproduces every recorded call:
    the same results, and the same changes to its arguments."""
    if not recorder.calls:
        return None
    for mistake in for_exercise(exercise):
        if all(_reproduces(mistake, call) for call in recorder.calls):
            return mistake
    return None


def _reproduces(mistake: Mistake, call: Call) -> bool:
    outcome, args_after = _replay(mistake, call)
    if not same(call.outcome, outcome, call.args, call.kwargs):
        return False
    return call.args_after is None or same(call.args_after, args_after)
