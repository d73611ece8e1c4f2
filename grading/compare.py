"""Comparisons that turn a wrong answer into a message a student can act on.

:func:`assert_close` compares a result with the expected array and says how it differs (None
for a missing ``return``, the shape, NaN or inf, the largest error and where);
:func:`expect_number` does the same for a result that must be one number, and
:func:`expect_list` for one array per layer (naming a reversed list as such);
:func:`assert_unchanged` compares one array with a copy of itself (a check need not call it for
a student's inputs: :func:`grading.calls.call` hands the student copies and fails on any change
to them). No comparison names a mistake: the catalogue (``grading/mistakes/``) is the one way a
mistake is named, by :mod:`grading.diagnosis` once a check fails.

Tolerances follow precision. A correct answer computed in float32 (from float32 inputs, or by
code that works in single precision) differs from the float64 reference by its rounding, so every
comparison widens its tolerances to at least :data:`FLOAT32_TOL` when the result it is given holds
float32 numbers, and a check whose case or result has several parts (an output and a cache, a
tuple, a list or a dict of arrays) computes the tolerances once, with :func:`tolerances`, over the
case's inputs and the student's whole result, and uses them for every part: a part returned as
float64 but computed from float32 numbers (a loop that fills a float64 array) is judged like the
rest of the result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grading.registry import Failure, describe

#: The tolerances of a comparison of float64 results (the default of every comparison).
FLOAT64_TOL = {"rtol": 1e-6, "atol": 1e-8}
#: The least tolerances of a comparison whose inputs or result hold float32 numbers: float32
#: keeps about 7 significant digits, and sums and products add a few roundings.
FLOAT32_TOL = {"rtol": 1e-5, "atol": 1e-6}
#: How deep and how many items :func:`single_precision` looks into a result.
_DEPTH, _ITEMS = 8, 10_000


def single_precision(*values: Any) -> bool:
    """Whether any number in ``values`` is a float (or complex) of less than double precision
    (float32, float16): NumPy arrays and scalars, looked for inside lists, tuples (named tuples
    too) and dicts."""
    seen = 0

    def lower(value: Any, depth: int) -> bool:
        nonlocal seen
        seen += 1
        if seen > _ITEMS or depth > _DEPTH:
            return False
        if isinstance(value, (np.ndarray, np.generic)):
            kind, size = value.dtype.kind, value.dtype.itemsize
            return (kind == "f" and size < 8) or (kind == "c" and size < 16)
        if isinstance(value, dict):
            return any(lower(item, depth + 1) for item in value.values())
        if isinstance(value, (list, tuple)):
            return any(lower(item, depth + 1) for item in value)
        return False

    return any(lower(value, 0) for value in values)


def tolerances(*values: Any, rtol: float = FLOAT64_TOL["rtol"],
               atol: float = FLOAT64_TOL["atol"]) -> dict[str, float]:
    """``{"rtol": ..., "atol": ...}`` for comparing a result that involves ``values`` (the
    case's inputs, the student's whole result): ``rtol`` and ``atol``, widened to at least
    :data:`FLOAT32_TOL` when any of ``values`` holds float32 numbers."""
    if single_precision(*values):
        return {"rtol": max(rtol, FLOAT32_TOL["rtol"]), "atol": max(atol, FLOAT32_TOL["atol"])}
    return {"rtol": rtol, "atol": atol}


def assert_close(
    exercise: str,
    case: str,
    got: Any,
    expected: np.ndarray,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    nan_hint: str | None = None,
) -> None:
    """Fail unless ``got`` is an array of ``expected``'s shape whose values are close to it.

    ``case`` says which input was used, e.g. ``"Z of shape (5, 3), seed 1"``. A ``got`` in
    float32 is compared with at least :data:`FLOAT32_TOL`. ``nan_hint`` is added to the message
    when ``got`` holds NaN or inf where ``expected`` is finite (how to stay stable).
    """
    widened = tolerances(got, rtol=rtol, atol=atol)
    rtol, atol = widened["rtol"], widened["atol"]
    expected = np.asarray(expected, dtype=np.float64)
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
        raise Failure(f"{exercise}: for {case}, the result contains NaN or inf values"
                      + (f"; {nan_hint}" if nan_hint else ""))
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


def numeric(value: Any) -> np.ndarray | None:
    """``value`` as a float64 array, or None when it is not numeric."""
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def expect_number(exercise: str, case: str, got: Any, expected: float, *,
                  shape_hint: str = "return one float", **options: Any) -> None:
    """Like :func:`assert_close` for a result that must be a single number (``shape_hint``
    says what to return when it is not)."""
    if got is None:
        raise Failure(f"{exercise}: returned None for {case}; did you forget `return`?")
    array = numeric(got)
    if array is None or array.size != 1:
        raise Failure(f"{exercise}: for {case}, expected a single number, got {describe(got)}; "
                      f"{shape_hint}")
    if single_precision(got):
        options = {**options, **tolerances(got, rtol=options.get("rtol", FLOAT64_TOL["rtol"]),
                                           atol=options.get("atol", FLOAT64_TOL["atol"]))}
    assert_close(exercise, case, array.reshape(()), expected, **options)


def expect_list(exercise: str, case: str, got: Any, expected: list[np.ndarray],
                label: str, **tolerance: float) -> None:
    """One array per layer, in layer order (a reversed list is named as such); every layer
    with the same tolerances (``tolerance``, widened by the precision of the whole list)."""
    if not isinstance(got, (list, tuple)) or len(got) != len(expected):
        raise Failure(f"{exercise}: for {case}, {label} must be a list with one array per layer "
                      f"({len(expected)}); got {describe(got)}"
                      + (f" of length {len(got)}" if hasattr(got, "__len__") else ""))
    shapes = [np.shape(g) for g in got]
    if shapes != [e.shape for e in expected] and shapes == [e.shape for e in expected[::-1]]:
        raise Failure(f"{exercise}: for {case}, {label} is in reverse order: {label}[0] must be "
                      "layer 1's gradient (the order of weights); reverse the list at the end")
    tolerance = tolerances(got, **tolerance)
    for layer, (g, e) in enumerate(zip(got, expected, strict=True)):
        assert_close(exercise, f"{case} (in {label}[{layer}], layer {layer + 1})", g, e,
                     **tolerance)
