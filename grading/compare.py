"""Comparisons that turn a wrong array into a message a student can act on."""

from __future__ import annotations

from typing import Any

import numpy as np

from grading.registry import Failure, describe


def assert_close(
    exercise: str,
    case: str,
    got: Any,
    expected: np.ndarray,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-8,
) -> None:
    """Fail unless ``got`` is an array of ``expected``'s shape whose values are close to it.

    ``case`` says which input was used, e.g. ``"Z of shape (5, 3), seed 1"``.
    """
    expected = np.asarray(expected)
    if got is None:
        raise Failure(f"{exercise}: returned None for {case}; did you forget `return`?")
    try:
        got_array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise Failure(
            f"{exercise}: for {case}, expected an array of shape {expected.shape}, "
            f"got {describe(got)} that is not a numeric array"
        ) from None
    if got_array.shape != expected.shape:
        raise Failure(
            f"{exercise}: for {case}, expected shape {expected.shape}, got {got_array.shape}"
        )
    if not np.all(np.isfinite(got_array)) and np.all(np.isfinite(expected)):
        raise Failure(f"{exercise}: for {case}, the result contains NaN or inf values")
    if not np.allclose(got_array, expected, rtol=rtol, atol=atol):
        error = np.abs(got_array - expected)
        worst = np.unravel_index(np.argmax(error), error.shape) if error.ndim else ()
        raise Failure(
            f"{exercise}: for {case}, values differ from the expected ones; largest error "
            f"{error.max():.3g} at index {tuple(int(i) for i in worst)} "
            f"(got {got_array[worst]:.6g}, expected {expected[worst]:.6g})"
        )


def assert_unchanged(exercise: str, name: str, before: np.ndarray, after: np.ndarray) -> None:
    """Fail if an input array was modified in place."""
    if not np.array_equal(before, after):
        raise Failure(
            f"{exercise}: your function changed its input {name} in place; "
            "work on a copy or build a new array instead"
        )
