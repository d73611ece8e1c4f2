"""Calling a student's function from a check: its inputs must come back unchanged, a shape
error becomes a hint, and what it returns must unpack into the parts the exercise asks for."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from grading.compare import assert_unchanged
from grading.registry import Failure, describe


def call_student(exercise: str, case: str, fn: Callable[..., Any], args: Sequence[Any],
                 names: str, shape_hint: str, **kwargs: Any) -> Any:
    """Call the student's function on ``args``; fail if it changes one of the leading arrays
    named in ``names`` or raises a shape error (``shape_hint`` says what the shapes should be)."""
    arrays = dict(zip(names.split(), args, strict=False))
    saved = {name: np.array(array, copy=True) for name, array in arrays.items()}
    try:
        result = fn(*args, **kwargs)
    except ValueError as error:
        raise Failure(f"{exercise}: for {case}, your code raised ValueError: {error}. "
                      f"{shape_hint}".rstrip()) from None
    for name, array in arrays.items():
        assert_unchanged(exercise, name, saved[name], array)
    return result


def call_pure(exercise: str, fn: Callable, names: Sequence[str], inputs: Sequence[Any],
              *args: Any, **kwargs: Any) -> Any:
    """``fn(*inputs, *args, **kwargs)``; fail if it changed an input array (or list of them)."""
    before = copy.deepcopy(list(inputs))
    result = fn(*inputs, *args, **kwargs)
    for name, old, new in zip(names, before, inputs, strict=True):
        olds, news = _leaves(old), _leaves(new)
        if len(olds) != len(news):
            raise Failure(f"{exercise}: your function changed the list {name} in place; "
                          "build a new list instead")
        for old_array, new_array in zip(olds, news, strict=True):
            assert_unchanged(exercise, name, old_array, np.asarray(new_array))
    return result


def _leaves(value: Any) -> list[Any]:
    """The arrays inside ``value``, an array or nested lists and tuples of arrays."""
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


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
