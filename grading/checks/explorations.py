"""Hidden graders for ps4_explorations/explorations.ipynb: gradient norms, the sigmoid bound,
dead ReLUs, and the cost of backpropagation against finite differences.

Values are compared with :mod:`reference.diagnostics`. Timings cannot be compared with anything
exact, so :func:`check_time_gradients` checks the structure, the parameter counts, and that
finite differences are clearly slower than backpropagation on the larger network.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

import reference
from grading.calls import call_pure, unpack
from grading.compare import close
from grading.registry import Failure, describe, register
from reference import diagnostics

#: On a network of about 1,500 parameters finite differences take ~3,000 forward passes: they
#: must be at least this many times slower than one backpropagation.
MIN_SLOWDOWN = 5.0


def _numbers(name: str, case: str, got: Any, count: int) -> np.ndarray:
    """``got`` as a float array of ``count`` numbers (a list, tuple or 1-D array)."""
    try:
        values = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        values = None
    if values is None or values.shape != (count,):
        raise Failure(f"{name}: for {case}, expected a list of {count} number"
                      f"{'s' if count != 1 else ''}, one per layer; "
                      f"got {describe(got)}" + (f" of length {len(got)}"
                                                if isinstance(got, (list, tuple)) else ""))
    return values


def _scalar(name: str, case: str, got: Any) -> np.float64:
    if np.ndim(got) != 0:
        raise Failure(f"{name}: for {case}, expected one number; got {describe(got)}")
    return np.float64(got)


@register("explorations.gradient_norms")
def check_gradient_norms(gradient_norms: Callable) -> None:
    """One Frobenius norm per array, for one, three and two arrays of very different sizes."""
    name = "explorations.gradient_norms"
    for seed, shapes in enumerate((((3, 4),), ((5, 2), (2, 2), (2, 1)), ((64, 32), (32, 10)))):
        rng = np.random.default_rng(seed)
        dWs = [rng.normal(scale=10.0**-i, size=shape) for i, shape in enumerate(shapes)]
        case = f"dWs of shapes {list(shapes)}"
        got = _numbers(name, case, call_pure(name, gradient_norms, ("dWs",), (dWs,)), len(dWs))
        close(name, case, got, np.array(diagnostics.gradient_norms(dWs)), {
            "take the square root of the sum of squares": np.array(
                [np.sum(dW**2) for dW in dWs]),
            "the Frobenius norm squares the entries; it does not sum their absolute values":
                np.array([np.sum(np.abs(dW)) for dW in dWs]),
            "sum the squares, do not average them": np.array(
                [np.sqrt(np.mean(dW**2)) for dW in dWs])})


@register("explorations.sigmoid_grad_bound")
def check_sigmoid_grad_bound(sigmoid_grad_bound: Callable) -> None:
    """``0.25 ** depth`` for depths 0 to 12."""
    name = "explorations.sigmoid_grad_bound"
    for depth in range(13):
        case = f"depth={depth}"
        got = _scalar(name, case, sigmoid_grad_bound(depth))
        close(name, case, got, np.float64(diagnostics.sigmoid_grad_bound(depth)), {
            "the derivatives multiply, one factor per layer: 0.25 ** depth, not 0.25 * depth":
                np.float64(0.25 * depth),
            "the sigmoid's derivative s (1 - s) peaks at 0.25, not 0.5": np.float64(0.5**depth)})


@register("explorations.deep_gradient_norms")
def check_deep_gradient_norms(deep_gradient_norms: Callable) -> None:
    """Norms of every dW of fresh deep networks, against the reference, layer 1 first."""
    name = "explorations.deep_gradient_norms"
    for seed, (hidden, depth, width) in enumerate((("sigmoid", 3, 8), ("relu", 5, 16),
                                                   ("tanh", 2, 8), ("sigmoid", 8, 32))):
        rng = np.random.default_rng(seed)
        X, Y = rng.random((16, 10)), reference.one_hot(rng.integers(0, 4, size=16), 4)
        case = (f"X (16, 10), Y (16, 4), hidden={hidden!r}, depth={depth}, width={width}, "
                f"seed={seed}")
        got = _numbers(name, case, call_pure(name, deep_gradient_norms, ("X", "Y"), (X, Y),
                                             hidden, depth=depth, width=width, seed=seed),
                       depth + 1)
        want = diagnostics.deep_gradient_norms(X, Y, hidden, depth, width, seed)
        network = reference.init_network([10, *[width] * depth, 4], hidden,
                                         output_activation="softmax", seed=seed)
        _, grads = reference.backward(network, X, Y, "cce")
        close(name, case, got, np.array(want), {
            "list the layers from the first (next to the input) to the output layer":
                np.array(want[::-1]),
            "these are the norms of the bias gradients db; measure dW":
                np.array(diagnostics.gradient_norms(grads.db))},
              advice="Build the network with init_network([n_in] + [width] * depth + [n_out], "
              "seed, hidden) and use the given backprop on the whole batch")


@register("explorations.dead_unit_fraction")
def check_dead_unit_fraction(dead_unit_fraction: Callable) -> None:
    """Units off on every row, counted with ``<= 0``, as a share of the units."""
    name = "explorations.dead_unit_fraction"
    rng = np.random.default_rng(0)
    mixed = rng.normal(size=(6, 8)) + np.array([-9, -9, 0, 0, 0, 9, 9, 9])
    mixed[:, 2] = np.minimum(mixed[:, 2], 0.0)
    mixed[0, 2] = 0.0
    cases = {"Z of shape (6, 8): two units always negative, one never positive (some exact "
             "zeros), the rest mixed or positive": mixed,
             "Z of shape (1, 5), a single example": np.array([[-1.0, 0.0, 2.0, -0.5, 3.0]]),
             "Z of shape (30, 4), all positive": np.abs(rng.normal(size=(30, 4))) + 0.1,
             "Z of shape (3, 7), all negative": -np.abs(rng.normal(size=(3, 7))) - 0.1}
    for case, Z in cases.items():
        got = _scalar(name, case, call_pure(name, dead_unit_fraction, ("Z",), (Z,)))
        close(name, case, got, np.float64(diagnostics.dead_unit_fraction(Z)), {
            "a unit is dead at z <= 0 (relu_grad(0) is 0), not only at z < 0":
                np.float64(np.mean(np.all(Z < 0, axis=0))),
            "a unit is dead only if it is off for every example (all rows), not any":
                np.float64(np.mean(np.any(Z <= 0, axis=0))),
            "return the fraction of units, not of entries of Z": np.float64(np.mean(Z <= 0)),
            "return a fraction of the units, not a count":
                np.float64(np.sum(np.all(Z <= 0, axis=0))),
            "units are the columns of Z; rows are examples":
                np.float64(np.mean(np.all(Z <= 0, axis=1)))})


@register("explorations.dead_fractions")
def check_dead_fractions(dead_fractions: Callable) -> None:
    """One dead fraction per hidden layer of ReLU networks with negative biases."""
    name = "explorations.dead_fractions"
    for seed, sizes in enumerate(([5, 8, 3], [6, 16, 16, 16, 4])):
        rng = np.random.default_rng(seed)
        net = reference.init_network(sizes, "relu", output_activation="softmax", seed=seed)
        net = net.with_parameters(net.weights, [rng.normal(-1.0, 1.0, size=b.shape)
                                                for b in net.biases])
        _, caches = reference.network_forward(net, rng.normal(size=(20, sizes[0])))
        caches = [tuple(cache) for cache in caches]
        case = f"the caches of a ReLU network with layer sizes {sizes}"
        got = call_pure(name, dead_fractions, ("caches",), (caches,))
        if isinstance(got, (list, tuple)) and len(got) == len(caches):
            raise Failure(f"{name}: for {case}, got {len(got)} numbers; leave out the output "
                          f"layer (the last cache): expected {len(caches) - 1}, one per hidden "
                          "layer")
        got = _numbers(name, case, got, len(caches) - 1)
        close(name, case, got, np.array(diagnostics.dead_fractions(caches)),
              advice="Use dead_unit_fraction on Z, the middle item of each cache (A_prev, Z, A)")


@register("explorations.parameter_count")
def check_parameter_count(parameter_count: Callable) -> None:
    """Weights and biases of networks from one layer to four."""
    name = "explorations.parameter_count"
    for sizes in ([2, 1], [2, 4, 1], [64, 64, 10], [784, 256, 256, 10], [3, 5, 5, 5, 2]):
        got, want = parameter_count(list(sizes)), diagnostics.parameter_count(sizes)
        if np.ndim(got) != 0 or got != want:
            weights_only = sum(a * b for a, b in pairwise(sizes))
            hint = (" It looks like the biases are missing: each layer has n_out of them."
                    if got == weights_only else "")
            raise Failure(f"{name}: for layer_sizes={sizes}, expected {want} parameters; "
                          f"got {got!r}.{hint}")


TIMED_NETWORKS = ([3, 4, 2], [8, 32, 32, 4])


def _timed_rows(time_gradients: Callable) -> tuple[list[tuple[Any, Any, Any]], float]:
    """The student's (parameter_count, backprop_seconds, numerical_seconds) per network of
    :data:`TIMED_NETWORKS`, and how long the whole call took."""
    name = "explorations.time_gradients"
    case = f"time_gradients({list(TIMED_NETWORKS)}, batch_size=8, seed=0)"
    start = time.perf_counter()
    got = time_gradients([list(s) for s in TIMED_NETWORKS], batch_size=8, seed=0)
    wall = time.perf_counter() - start
    if not isinstance(got, (list, tuple)) or len(got) != len(TIMED_NETWORKS):
        raise Failure(f"{name}: {case} should give one (parameter_count, backprop_seconds, "
                      f"numerical_seconds) per network ({len(TIMED_NETWORKS)}); "
                      f"got {describe(got)}")
    rows = [unpack(name, case, row, ("parameter_count", "backprop_seconds",
                                     "numerical_seconds")) for row in got]
    return rows, wall


@register("explorations.time_gradients", part="the parameter counts", weight=2)
def check_time_gradients_counts(time_gradients: Callable) -> None:
    """One row per network, whose first entry is the network's parameter count."""
    rows, _ = _timed_rows(time_gradients)
    for sizes, (count, _, _) in zip(TIMED_NETWORKS, rows, strict=True):
        want = diagnostics.parameter_count(sizes)
        if count != want:
            raise Failure(f"explorations.time_gradients: for layer sizes {sizes}, the parameter "
                          f"count should be {want}; got {count!r}")


@register("explorations.time_gradients", part="the timings", weight=5)
def check_time_gradients_timings(time_gradients: Callable) -> None:
    """Real timings: finite differences much slower than backprop on the larger network."""
    name = "explorations.time_gradients"
    rows, wall = _timed_rows(time_gradients)
    for sizes, (_, backprop, numerical) in zip(TIMED_NETWORKS, rows, strict=True):
        _check_seconds(name, sizes, backprop, numerical)
        _check_backprop_was_timed(name, sizes, backprop)
    reported = sum(float(b) + float(n) for _, b, n in rows)
    if reported > wall * 1.05 + 1e-3:
        raise Failure(f"{name}: the reported times add up to {reported:.3g} s but the whole call "
                      f"took {wall:.3g} s; measure each as time.perf_counter() - start")
    _, backprop, numerical = rows[-1]
    if numerical < MIN_SLOWDOWN * backprop or numerical <= rows[0][2]:
        raise Failure(f"{name}: for layer sizes {TIMED_NETWORKS[-1]} finite differences took "
                      f"{numerical:.3g} s and backprop {backprop:.3g} s; finite differences "
                      "should be far slower (two forward passes per parameter) and slower than "
                      "on the small network. Time one full gradient each way")


def _check_backprop_was_timed(name: str, sizes: Sequence[int], seconds: Any) -> None:
    """A backprop time far below what one backward pass takes means nothing was timed."""
    network = reference.init_network(sizes, "sigmoid", output_activation="softmax", seed=0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, sizes[0]))
    Y = reference.one_hot(rng.integers(0, sizes[-1], size=8), sizes[-1])
    fastest = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        reference.backward(network, X, Y, "cce")
        fastest = min(fastest, time.perf_counter() - start)
    if float(seconds) < 0.1 * fastest:
        raise Failure(f"{name}: for layer sizes {sizes}, backprop_seconds is {float(seconds):.2g} "
                      f"s, too short for a forward and backward pass; time the call to backprop "
                      "itself")


def _check_seconds(name: str, sizes: Sequence[int], *times: Any) -> None:
    for label, seconds in zip(("backprop_seconds", "numerical_seconds"), times, strict=True):
        if np.ndim(seconds) != 0 or not np.isfinite(seconds) or not seconds > 0:
            raise Failure(f"{name}: for layer sizes {sizes}, {label} should be a positive "
                          f"number of seconds (from time.perf_counter()); got {seconds!r}")
