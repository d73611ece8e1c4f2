"""Calling a student's function from a check: the one door every call goes through.

:func:`call` hands the student's function deep copies of the grader's inputs and keeps the
originals. Whatever the student's code does to its arguments (in the sandbox, its in-place
changes are mirrored onto the objects it was given, :func:`sandbox.remote.mirror`), it only
ever touches those copies: an expected answer the check computes from its own objects, before
or after the call, comes from inputs no student code touched. After the call each copy is
compared with its original, and an input the exercise does not say it updates (``updates``: a
random generator that moves on) that changed is a failure naming it. It also turns a shape
error into a hint and reads a returned generator to its end, so that what the generator does
to the inputs while it runs is seen too.

Every check calls student code through :func:`call` (or :func:`call_student` and
:func:`call_pure`, which use it); ``tests/grading/test_inputs_stay_pristine.py`` proves that no
check calls a student's function any other way.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from grading.registry import Failure, describe

#: Most items read from a generator a student's function returns (as many as cross the wire).
MAX_ITEMS = 100_000


class ChangedInPlace(Failure):
    """A student's function changed one of its inputs in place. ``where`` says which: the
    position of an argument (an int), its keyword, or ``None`` when it is not known."""

    def __init__(self, message: str, where: int | str | None = None) -> None:
        super().__init__(message)
        self.where = where


def call(exercise: str, fn: Callable[..., Any], args: Sequence[Any] = (),
         kwargs: Mapping[str, Any] | None = None, *, names: str | Sequence[str] = (),
         case: str | None = None, updates: Collection[str] = (),
         shape_hint: str | None = None) -> Any:
    """``fn(*args, **kwargs)`` on deep copies of the inputs; fail if it changed one of them.

    ``names`` names the positional arguments (a space-separated string or a sequence; keyword
    arguments are named by their keyword) for the message. The arguments named in ``updates``
    are the ones the exercise updates in place by contract: they are passed as they are (the
    grader sees their new state) and not compared. ``case`` says which input this is, for the
    message. With ``shape_hint`` (possibly empty), a ``ValueError`` the function raises becomes
    a failure that adds it.
    """
    kwargs = dict(kwargs or {})
    labels = names.split() if isinstance(names, str) else list(names)
    labels += [f"number {index + 1}" for index in range(len(labels), len(args))]
    labels = labels[:len(args)]
    shared = {labels[i]: arg for i, arg in enumerate(args) if labels[i] in updates}
    shared |= {key: value for key, value in kwargs.items() if key in updates}
    memo: dict[int, Any] = {id(value): value for value in shared.values()}
    memo |= {id(function): function for function in _functions((args, kwargs))}
    handed_args, handed_kwargs = copy.deepcopy((list(args), kwargs), memo)
    prefix = f"{exercise}: " + (f"for {case}, " if case else "")
    generator = False
    try:
        result = fn(*handed_args, **handed_kwargs)
        if _is_iterator(result):  # run it now: what it does to the inputs counts too
            generator, result = True, _read_to_the_end(prefix, result)
    except ChangedInPlace as changed:  # seen by the sandbox, which could not mirror it
        where = changed.where
        label = labels[where] if isinstance(where, int) and where < len(labels) else where
        raise Failure(_changed(prefix, exercise, str(label) if label is not None else "")
                      ) from None
    except ValueError as error:
        if shape_hint is None:
            raise
        raise Failure(f"{prefix}your code raised ValueError: {error}. {shape_hint}".rstrip()
                      ) from None
    pairs = [*zip(labels, args, handed_args, strict=True),
             *((key, kwargs[key], handed_kwargs[key]) for key in kwargs)]
    for label, original, handed in pairs:
        if label in updates:
            continue
        where = difference(original, handed, label)
        if where is not None:
            raise Failure(_changed(prefix, exercise, where))
    return (item for item in result) if generator else result


def _functions(value: Any) -> list[Any]:
    """The functions in ``value`` (nested in lists, tuples and dicts): handed over as they are,
    not copied (a copy of a bound method or a partial would be another object)."""
    if isinstance(value, (list, tuple)):
        return [f for item in value for f in _functions(item)]
    if isinstance(value, dict):
        return [f for item in value.values() for f in _functions(item)]
    return [value] if callable(value) and not isinstance(value, (type, np.ndarray)) else []


def _changed(prefix: str, exercise: str, where: str) -> str:
    short = exercise.rpartition(".")[2]
    what = f"its argument {where}" if where else "one of its arguments"
    return (f"{prefix}{short} changed {what} in place; it must leave its inputs unchanged "
            "(work on a copy, or build a new array or list)")


def _is_iterator(value: Any) -> bool:
    return isinstance(value, Iterator) and not isinstance(value, (str, bytes, np.ndarray))


def _read_to_the_end(prefix: str, generator: Iterator[Any]) -> list[Any]:
    items = list(itertools.islice(generator, MAX_ITEMS + 1))
    if len(items) > MAX_ITEMS:
        raise Failure(f"{prefix}the generator gave more than {MAX_ITEMS} items")
    return items


def difference(before: Any, after: Any, where: str) -> str | None:
    """Where ``after`` differs from ``before`` (``where``, or an entry of it such as
    ``caches[0][1]``), or None when it is the same: arrays in shape, dtype and every value,
    lists, tuples and dicts entry by entry, random generators in their state, functions by
    identity. Other objects, which cannot change in a way the grader sees, are not compared."""
    if isinstance(before, np.ndarray):
        same = (isinstance(after, np.ndarray) and before.shape == after.shape
                and before.dtype == after.dtype and _equal_arrays(before, after))
        return None if same else where
    if isinstance(before, np.random.Generator):
        same = (isinstance(after, np.random.Generator)
                and before.bit_generator.state == after.bit_generator.state)
        return None if same else where
    if isinstance(before, (list, tuple)):
        kind = tuple if isinstance(before, tuple) else list  # a NamedTuple may come back plain
        if not isinstance(after, kind) or len(after) != len(before):
            return where
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            if (found := difference(old, new, f"{where}[{index}]")) is not None:
                return found
        return None
    if isinstance(before, dict):
        if not isinstance(after, dict) or after.keys() != before.keys():
            return where
        for key in before:
            if (found := difference(before[key], after[key], f"{where}[{key!r}]")) is not None:
                return found
        return None
    if isinstance(before, (bool, int, float, complex, str, bytes, np.generic)) or before is None:
        return None if _equal(before, after) else where
    if callable(before):  # handed over as it is (a copy of a function is the function)
        return None if after is before else where
    return None


def _equal_arrays(a: np.ndarray, b: np.ndarray) -> bool:
    try:
        return bool(np.array_equal(a, b, equal_nan=True))
    except TypeError:  # not a numeric dtype
        return bool(np.array_equal(a, b))


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) or (a != a and b != b)  # NaN stays NaN
    except Exception:
        return False


def call_student(exercise: str, case: str, fn: Callable[..., Any], args: Sequence[Any],
                 names: str, shape_hint: str, **kwargs: Any) -> Any:
    """:func:`call` for one ``case``; a shape error becomes ``shape_hint``."""
    return call(exercise, fn, args, kwargs, names=names, case=case, shape_hint=shape_hint)


def call_pure(exercise: str, fn: Callable, names: Sequence[str], inputs: Sequence[Any],
              *args: Any, **kwargs: Any) -> Any:
    """:func:`call` with the named ``inputs`` followed by ``args``."""
    return call(exercise, fn, [*inputs, *args], kwargs, names=list(names))


def unpack(exercise: str, case: str, result: Any, names: Sequence[str]) -> tuple:
    """``result`` as a tuple of ``len(names)`` items, or a message naming what was expected."""
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        raise Failure(f"{exercise}: for {case}, expected to get back ({', '.join(names)}); "
                      f"got {describe(result)}" + (f" of length {len(result)}"
                                                   if isinstance(result, (tuple, list)) else ""))
    return tuple(result)


def unpack_pair(exercise: str, case: str, result: Any, what: str) -> tuple[Any, Any]:
    """The two items of a returned pair, or a failure saying a pair was expected."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Failure(f"{exercise}: for {case}, expected a pair {what}, got {describe(result)}")
    return result[0], result[1]


def recording(f: Callable[[np.ndarray], float], seen: list[tuple[int, ...]]
              ) -> Callable[[Any], float]:
    """``f``, noting the shape of every argument it is called with (to hand to a student's
    function that must call it with arrays of one shape)."""
    def wrapped(x: Any) -> float:
        seen.append(np.shape(x))
        return f(np.asarray(x, dtype=np.float64))
    return wrapped
