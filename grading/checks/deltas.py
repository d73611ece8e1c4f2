"""Hidden graders of the deltas of ``ps2_backward/backward.ipynb``: dL/dZ at the output layer
and at a hidden layer.

The output deltas take the output ``A`` and targets ``Y`` of shape ``(m, k)`` (and, for the mean
squared error, the pre-activation ``Z`` and the derivative ``g_grad``) and return ``(m, k)``;
``hidden_delta`` sends ``delta_next`` ``(m, n_next)`` back through ``W_next`` ``(n_l, n_next)``
to ``(m, n_l)``, the shape of ``Z``. Cases: several (m, k), a batch of one, saturated outputs
(exactly 0 or 1) where a division by a(1 - a) breaks, and a square ``W_next`` first, where ``W``
for ``W.T`` computes without an error. A wrong answer is named by the runner, from the catalogued
mistakes of :mod:`grading.mistakes.deltas`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import reference
from grading import variant
from grading.calls import call_student
from grading.cases import ensure_saturated, output_cases
from grading.compare import assert_close
from grading.registry import register


@register("backward.mse_output_delta")
def check_mse_output_delta(mse_output_delta: Callable[..., Any]) -> None:
    """(A - Y) / m * g'(Z) for sigmoid, tanh, identity and relu outputs."""
    exercise = "mse_output_delta"
    for name in ("sigmoid", "tanh", "identity", "relu"):
        g_grad = reference.get_activation(name).grad
        for case, Z, A, Y in output_cases(name):
            case = f"{case}, g = {name}"
            got = call_student(exercise, case, mse_output_delta, (A, Y, Z, g_grad), "A Y Z g_grad",
                               "A, Y and Z all have shape (m, k).")
            assert_close(exercise, case, got, reference.output_delta(A, Y, Z, name, "mse"))


def _check_simplified_delta(exercise: str, student: Callable[..., Any], kind: str) -> None:
    """(A - Y) / m, including saturated outputs where dividing by a(1 - a) would break."""
    cases = output_cases(kind)
    if kind == "bce":
        rng = variant.rng(7)
        Z = rng.normal(0.0, 900.0, size=(4, 3))
        A, Y = ensure_saturated("bce", Z, reference.sigmoid(Z),
                                (rng.random((4, 3)) < 0.5).astype(np.float64))
        cases.append(("saturated A (some entries exactly 0 or 1) of shape (4, 3), seed 7",
                      Z, A, Y))
    for case, _, A, Y in cases:
        got = call_student(exercise, case, student, (A, Y), "A Y",
                           "A and Y both have shape (m, k).")
        assert_close(exercise, case, got, (A - Y) / A.shape[0],
                     nan_hint="use the simplified form (A - Y) / m: no division")


@register("backward.sigmoid_bce_output_delta")
def check_sigmoid_bce_output_delta(sigmoid_bce_output_delta: Callable[..., Any]) -> None:
    """(A - Y) / m for sigmoid outputs and 0/1 targets."""
    _check_simplified_delta("sigmoid_bce_output_delta", sigmoid_bce_output_delta, "bce")


@register("backward.softmax_cce_output_delta")
def check_softmax_cce_output_delta(softmax_cce_output_delta: Callable[..., Any]) -> None:
    """(A - Y) / m for softmax outputs and one-hot targets."""
    _check_simplified_delta("softmax_cce_output_delta", softmax_cce_output_delta, "cce")


@register("backward.hidden_delta")
def check_hidden_delta(hidden_delta: Callable[..., Any]) -> None:
    """(delta_next @ W_next.T) * g'(Z); a square layer first, where W for W.T goes unnoticed."""
    exercise = "hidden_delta"
    for seed, (m, n_l, n_next, name) in enumerate(
        ((4, 3, 3, "sigmoid"), (5, 4, 2, "tanh"), (1, 3, 5, "relu"), (6, 2, 4, "leaky_relu"))
    ):
        rng = variant.rng(seed)
        delta_next, W_next = rng.normal(size=(m, n_next)), rng.normal(size=(n_l, n_next))
        Z = rng.normal(size=(m, n_l))
        g_grad = reference.get_activation(name).grad
        case = (f"delta_next {delta_next.shape}, W_next {W_next.shape}, Z {Z.shape}, "
                f"g = {name}, seed {seed}")
        got = call_student(exercise, case, hidden_delta, (delta_next, W_next, Z, g_grad),
                           "delta_next W_next Z g_grad",
                           "(m, n_next) @ W_next.T (n_next, n_l) gives (m, n_l), the shape of Z.")
        assert_close(exercise, case, got, reference.hidden_delta(delta_next, W_next, Z, name))
