"""Hidden graders of gradient checking in ``ps2_backward/backward.ipynb``: the numerical
gradient, the relative error, and the gradient check of a whole network.

``numerical_gradient(f, x, eps=1e-5)`` returns centered differences of the scalar ``f`` at
``x``, of ``x``'s shape; ``relative_error(a, n)`` one number for two arrays of one shape;
``gradient_check(weights, biases, X, Y)`` a dict of relative errors keyed ``"W1"``, ``"b1"``...
A wrong numerical gradient or relative error is named by the runner, from the catalogued
mistakes of :mod:`grading.mistakes.gradient_check`.

A slip costs once (:mod:`grading.carry_forward`): ``gradient_check`` calls the student's
``network_backward``, ``softmax_cce_output_delta``, ``sigmoid_grad``, ``numerical_gradient`` and
``relative_error``, as the notebook asks (declared with :func:`~grading.dependencies.uses_helpers`):
reporting the large errors a wrong backward pass really has is what a gradient check is for, so
it keeps its points, and the message names the helper.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import reference
from grading import variant
from grading.calls import call, call_student, recording
from grading.cases import (
    NUMERICAL_CASES,
    below_the_floor,
    gradcheck_case,
)
from grading.checks.backward_pass import layer_delta, network_backward_through
from grading.checks.forward import layer_forward, network_forward_through
from grading.compare import assert_close, expect_number
from grading.dependencies import Helper, hung, student_helper, uses_helpers
from grading.registry import Failure, describe, register


@register("backward.numerical_gradient")
def check_numerical_gradient(numerical_gradient: Callable[..., Any]) -> None:
    """Centered differences for several f and shapes; eps is used (and 1e-5 when left to its
    default); x is left unchanged."""
    exercise = "numerical_gradient"
    for seed, (formula, f, shape, given) in enumerate(NUMERICAL_CASES):
        x = variant.rng(seed).normal(size=shape)
        eps = 1e-5 if given is None else given
        case = (f"{formula} at x of shape {shape}, "
                f"{'eps left to its default' if given is None else f'eps={eps}'}, seed {seed}")
        seen: list[tuple[int, ...]] = []
        got = call(exercise, numerical_gradient, (recording(f, seen), x),
                   {} if given is None else {"eps": eps}, names="f x", case=case)
        if any(s != shape for s in seen):
            wrong = next(s for s in seen if s != shape)
            raise Failure(f"{exercise}: for {case}, f must be called with an array of x's shape "
                          f"{shape}; it was called with shape {wrong}")
        assert_close(exercise, case, got, reference.numerical_gradient(f, x, eps), rtol=1e-6,
                     atol=1e-8)


@register("backward.relative_error")
def check_relative_error(relative_error: Callable[..., Any]) -> None:
    """norm(a - n) / max(1e-8, norm(a) + norm(n)) on random, equal, close and all-zero pairs."""
    exercise = "relative_error"
    rng = variant.rng(0)
    # norm(a) < norm(n) in the first case: dividing by norm(a) alone and dividing by the larger
    # norm then give different values
    a, b = sorted((rng.normal(size=(3, 4)), rng.normal(size=(3, 4))), key=np.linalg.norm)
    v, w = rng.normal(size=5), rng.normal(size=5)
    tiny = below_the_floor(1e-9 * v, 1e-9 * rng.normal(size=5))
    cases = (("a and n random of shape (3, 4), norm(a) < norm(n), seed 0", a, b),
             ("a and n random of shape (5,), seed 0", v, w),
             ("n = a * (1 + 1e-3), shape (5,)", v, v * (1 + 1e-3)),
             ("a = n, shape (3, 4)", a, a.copy()),
             ("a = n = zeros of shape (2, 2)", np.zeros((2, 2)), np.zeros((2, 2))),
             ("tiny a and n (norms about 1e-9, below the 1e-8 floor), shape (5,)", *tiny))
    for case, x, y in cases:
        got = call_student(exercise, case, relative_error, (x, y), "a n", "")
        expect_number(exercise, case, got, reference.relative_error(x, y), atol=1e-12,
                      nan_hint="two zero gradients give 0 / 0: use max(1e-8, norm(a) + norm(n))")


def _simplified_delta(A: Any, Y: Any) -> Any:
    """(A - Y) / m, the output delta of softmax with categorical cross-entropy."""
    A = np.asarray(A, dtype=float)
    return (A - Y) / A.shape[0]


@uses_helpers(
    "backward.gradient_check",
    Helper("network_backward", "backward.network_backward",
           network_backward_through(reference.dense_gradients, layer_delta)),
    Helper("softmax_cce_output_delta", "backward.softmax_cce_output_delta", _simplified_delta),
    Helper("sigmoid_grad", "backward.sigmoid_grad", reference.sigmoid_grad),
    Helper("numerical_gradient", "backward.numerical_gradient", reference.numerical_gradient),
    Helper("relative_error", "backward.relative_error", reference.relative_error))
def _gradient_check_through(network_backward: Callable[..., Any],
                            softmax_cce_output_delta: Callable[..., Any],
                            sigmoid_grad: Callable[..., Any],
                            numerical_gradient: Callable[..., Any],
                            relative_error: Callable[..., Any]) -> Callable[..., Any]:
    """The notebook's gradient_check, with the given forward pass and loss and the student's
    functions of exercises 2 to 6."""
    network_forward = network_forward_through(layer_forward)

    def gradient_check(weights: Any, biases: Any, X: Any, Y: Any) -> dict[str, Any]:
        L = len(weights)
        activations = [reference.sigmoid] * (L - 1) + [reference.softmax]
        A_L, caches = network_forward(X, weights, biases, activations)
        dWs, dbs = network_backward(softmax_cce_output_delta(A_L, Y), weights, caches,
                                    [sigmoid_grad] * (L - 1))

        def loss(ws: Any, bs: Any) -> float:
            return reference.categorical_cross_entropy(network_forward(X, ws, bs, activations)[0],
                                                       Y)

        errors = {}
        for layer in range(L):
            def loss_of_W(W: Any, layer: int = layer) -> float:
                ws = list(weights)
                ws[layer] = W
                return loss(ws, biases)

            def loss_of_b(b: Any, layer: int = layer) -> float:
                bs = list(biases)
                bs[layer] = b
                return loss(weights, bs)

            errors[f"W{layer + 1}"] = relative_error(
                dWs[layer], numerical_gradient(loss_of_W, weights[layer]))
            errors[f"b{layer + 1}"] = relative_error(
                dbs[layer], numerical_gradient(loss_of_b, biases[layer]))
        return errors

    return gradient_check


def _errors_from_delta(net: reference.Network, X: np.ndarray, Y: np.ndarray, delta_L: Any
                       ) -> dict[str, float]:
    """The relative errors an honest check of ``net`` on (X, Y) reports when its backward pass
    starts from ``delta_L`` (shape (m, n_L)): reference backward from it, centered differences
    of the categorical cross-entropy. Keys ``"W1"``, ``"b1"``, ..."""
    weights, biases = list(net.weights), list(net.biases)
    names = ["sigmoid"] * (len(weights) - 1) + ["softmax"]
    _, caches = reference.forward_layers(X, weights, biases, names)
    dWs, dbs = reference.backward_layers(np.asarray(delta_L, dtype=float), weights, caches,
                                          names[:-1])

    def loss(ws: list[Any], bs: list[Any]) -> float:
        A, _ = reference.forward_layers(X, ws, bs, names)
        return reference.categorical_cross_entropy(A, Y)

    errors = {}
    for layer in range(len(weights)):
        for kind, params, analytic in (("W", weights, dWs), ("b", biases, dbs)):
            def loss_at(p: Any, layer: int = layer, kind: str = kind) -> float:
                changed = list(weights if kind == "W" else biases)
                changed[layer] = p
                return loss(changed, biases) if kind == "W" else loss(weights, changed)

            numeric = reference.numerical_gradient(loss_at, params[layer])
            errors[f"{kind}{layer + 1}"] = reference.relative_error(analytic[layer], numeric)
    return errors


def _own_delta_errors(gradient_check: Callable[..., Any], net: reference.Network,
                      X: np.ndarray, Y: np.ndarray, case: str) -> dict[str, float] | None:
    """The errors an honest check reports with the student's own ``softmax_cce_output_delta``
    (None when there is none, it fails, or its result has the wrong shape). The exercise asks
    for one-hot targets only, so a correct delta (one built from the labels, say) may give
    other errors than (A - Y)/m on targets whose rows do not sum to 1."""
    own = student_helper(gradient_check, "softmax_cce_output_delta")
    if own is None or hung(own):
        return None
    names = ["sigmoid"] * (len(net.weights) - 1) + ["softmax"]
    A_L, _ = reference.forward_layers(X, list(net.weights), list(net.biases), names)
    try:
        delta = call("softmax_cce_output_delta", own, (A_L, Y), names="A Y", case=case)
        delta = np.asarray(delta, dtype=float)
    except Exception:  # a failing helper is charged in its own exercise, not here
        return None
    if delta.shape != A_L.shape or not np.all(np.isfinite(delta)):
        return None
    return _errors_from_delta(net, X, Y, delta)


def _expect_error(case: str, key: str, got: Any, expected: float, one_hot: bool,
                  also: float | None = None) -> None:
    """One reported relative error: tiny for one-hot targets, the measured one otherwise
    (``expected``, or ``also``: what the student's own output delta gives)."""
    exercise = "gradient_check"
    expect_number(exercise, f"{case}, error of {key}", got, expected, rtol=1.0,
                  atol=np.finfo(float).max)  # only its form: one number
    value = float(np.asarray(got, dtype=np.float64).reshape(()))
    if also is not None and np.isclose(value, also, rtol=1e-3, atol=1e-9):
        return
    if one_hot and not 0.0 <= value < 1e-6:
        raise Failure(f"{exercise}: for {case}, you report a relative error of {value:.3g} for "
                      f"{key}; a correct backward pass and a correct numerical gradient agree to "
                      "below 1e-6. Compare your analytic and numerical gradients of that array "
                      "(this check uses your functions: fix any earlier failing exercise first).")
    if not one_hot and not np.isclose(value, expected, rtol=1e-3, atol=1e-9):
        raise Failure(f"{exercise}: for {case}, you report a relative error of {value:.3g} for "
                      f"{key}, but comparing the two gradients gives {expected:.3g}. With targets "
                      "whose rows do not sum to 1, (A - Y)/m is not the gradient of the loss, so "
                      "an honest check reports a large error: compute the analytic gradient with "
                      "softmax_cce_output_delta and network_backward, the numerical one from "
                      "categorical_cross_entropy, and report what you measure.")


@register("backward.gradient_check")
def check_gradient_check(gradient_check: Callable[..., Any]) -> None:
    """Small errors on two correct setups; the reference's large errors when rows of Y do not
    sum to 1 (then (A - Y)/m is not the gradient of the loss, and an honest check says so)."""
    exercise = "gradient_check"
    for sizes, m, seed, one_hot in (((3, 4, 3), 5, 0, True), ((4, 5, 3, 2), 3, 1, True),
                                    ((3, 4, 3), 4, 2, False)):
        net, X, Y = gradcheck_case(sizes, m, seed, one_hot)
        target = "one-hot Y" if one_hot else "Y whose rows do not sum to 1"
        case = f"layer sizes {sizes}, batch of {m}, {target}, seed {seed}"
        weights, biases = list(net.weights), list(net.biases)
        errors = call(exercise, gradient_check, (weights, biases, X, Y),
                      names="weights biases X Y", case=case)
        keys = [f"{kind}{layer}" for layer in range(1, len(sizes)) for kind in "Wb"]
        if not isinstance(errors, dict) or set(errors) != set(keys):
            found = sorted(errors) if isinstance(errors, dict) else describe(errors)
            raise Failure(f"{exercise}: for {case}, expected a dict with keys {keys}; "
                          f"got {found}")
        expected = reference.check_network_gradients(net, X, Y, "cce")
        own = None if one_hot else _own_delta_errors(gradient_check, net, X, Y, case)
        for key in keys:
            _expect_error(case, key, errors[key], expected[key], one_hot,
                          None if own is None else own[key])
