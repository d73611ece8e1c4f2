"""Hidden graders for ``ps1_forward/forward.ipynb``: activations, dense layers, losses.

Each check calls the student's function on seeded cases (several shapes, a batch of one
example, non-square layers, |z| up to 1e3, one float32 case), compares with the reference
package and fails with a message that names the case. The checks name no mistake themselves:
when a check fails, the runner replays the catalogued mistakes of :mod:`grading.mistakes.forward`
and names the one the student's function reproduces. The comparisons are in
:mod:`grading.compare`, the calls to student code in :mod:`grading.calls`, the shared cases in
:mod:`grading.cases`.

A slip costs once (:mod:`grading.carry_forward`): ``tanh`` may be written through the student's
``sigmoid`` (the notebook offers ``2 * sigmoid(2z) - 1``) and ``network_forward`` calls the
student's ``dense_forward``; each is declared with :func:`~grading.dependencies.uses_helpers`, so a
wrong helper costs its own points only, and a check that fails because of it says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

import reference
from grading import variant
from grading.calls import call_student, unpack_pair
from grading.cases import (
    FLOAT32_TOL,
    check_elementwise,
    ensure_saturated,
    random_layers,
)
from grading.compare import assert_close, expect_number, tolerances
from grading.dependencies import Helper, uses_helpers
from grading.registry import Failure, describe, register

OVERFLOW_HINT = ("for large |z|, exp overflows to inf and inf/inf is nan; compute exp only of "
                 "non-positive numbers (see the notebook's stability tip)")
LOSS_SHAPE_HINT = "sum over the outputs and average over the batch"


@register("forward.sigmoid")
def check_sigmoid(sigmoid: Callable[[np.ndarray], Any]) -> None:
    """Values for every shape, 0 and 1 (not nan) at |z| = 1e3."""
    check_elementwise("sigmoid", sigmoid, reference.sigmoid, nan_hint=OVERFLOW_HINT)


@register("forward.relu")
def check_relu(relu: Callable[[np.ndarray], Any]) -> None:
    """Values (0 at z = 0) for every shape; the input stays as it was."""
    check_elementwise("relu", relu, reference.relu)


@register("forward.tanh")
def check_tanh(tanh: Callable[[np.ndarray], Any]) -> None:
    """Values for every shape, -1 and 1 (not nan) at |z| = 1e3."""
    check_elementwise("tanh", tanh, reference.tanh, nan_hint=OVERFLOW_HINT)


@uses_helpers("forward.tanh", Helper("sigmoid", "forward.sigmoid", reference.sigmoid))
def _tanh_through(sigmoid: Callable[..., Any]) -> Callable[..., Any]:
    """The notebook's first way: tanh(z) = 2 sigmoid(2z) - 1, through the student's sigmoid."""

    def tanh(z: Any) -> Any:
        return 2.0 * sigmoid(2.0 * np.asarray(z, dtype=float)) - 1.0

    return tanh


@register("forward.leaky_relu")
def check_leaky_relu(leaky_relu: Callable[..., Any]) -> None:
    """Values with the default slope 0.01 and with slope=0.2."""
    check_elementwise("leaky_relu", leaky_relu, reference.leaky_relu)
    check_elementwise("leaky_relu", leaky_relu, reference.leaky_relu, slope=0.2)


def _check_softmax_cases(softmax: Callable[[np.ndarray], Any],
                         cases: list[tuple[str, np.ndarray, dict[str, float]]]) -> None:
    for case, Z, tolerance in cases:
        got = call_student("softmax", case, softmax, (Z,), "Z", "Z.max(axis=1) has shape (m,); "
                           "keepdims=True gives (m, 1), which lines up with the rows of Z.")
        assert_close("softmax", case, got, reference.softmax(Z.astype(np.float64)),
                     **tolerances(Z, got, **tolerance),
                     nan_hint="subtract each row's max before exp so the largest exponent is 0")


@register("forward.softmax", part="values for ordinary scores", weight=2)
def check_softmax_values(softmax: Callable[[np.ndarray], Any]) -> None:
    """Row-wise values for several shapes (one row, one column, square) and for float32."""
    shapes = ((4, 3), (1, 5), (3, 3), (6, 10), (5, 1), (1, 1))
    cases = [(f"Z of shape {s}, seed {i}", variant.rng(i).normal(0.0, 3.0, size=s), {})
             for i, s in enumerate(shapes)]
    z32 = variant.rng(9).normal(0.0, 3.0, size=(3, 4)).astype(np.float32)
    cases.append(("float32 Z of shape (3, 4), seed 9", z32, FLOAT32_TOL))
    _check_softmax_cases(softmax, cases)


@register("forward.softmax", part="stable for scores of ±1000", weight=1)
def check_softmax_stability(softmax: Callable[[np.ndarray], Any]) -> None:
    """Finite, right values when exp of the scores would overflow: hand-picked scores, then
    scores of order 1000 drawn for the student."""
    large = np.array([[1000.0, 999.0, -1000.0], [-1000.0, -1000.0, -1000.0], [0.5, 1000.0, 3.0]])
    drawn = variant.rng(8).normal(0.0, 1000.0, size=(4, 3))
    _check_softmax_cases(softmax, [(f"Z = {large.tolist()}", large, {}),
                                   ("Z of shape (4, 3) with scores of order 1000, seed 8", drawn,
                                    {})])


def _expect_cache(exercise: str, case: str, cache: Any, expected: Sequence[np.ndarray],
                  label: str = "cache", **tolerance: float) -> None:
    """The cache must be the triple (A_prev, Z, A), in this order, each compared with
    ``tolerance`` (those of the whole case)."""
    if not isinstance(cache, (tuple, list)) or len(cache) != 3:
        raise Failure(f"{exercise}: for {case}, {label} must be a tuple (A_prev, Z, A) of three "
                      f"arrays; got {describe(cache)}")
    names = ("A_prev (the layer's input)", "Z", "A")
    for index, name in enumerate(names):
        assert_close(exercise, f"{case} (in {label}[{index}] = {name})", cache[index],
                     expected[index], **tolerance)


def _dense_forward_cases(dense_forward: Callable[..., Any],
                         ) -> Iterator[tuple[str, Any, Any, Any, Any, dict[str, float]]]:
    """(case, student A, student cache, reference A, reference cache, tolerances) for batch
    sizes 1..7, non-square layers and four activations, in float64 and float32. The tolerances
    are the case's (wider for float32 inputs, or for a result that holds float32 numbers), the
    same for A and every item of the cache."""
    exercise = "dense_forward"
    layers = ((5, 4, 3, "sigmoid"), (1, 3, 2, "relu"), (7, 2, 6, "tanh"), (4, 3, 3, "identity"))
    for seed, (m, n_in, n_out, name) in enumerate(layers):
        rng = variant.rng(seed)
        X = rng.normal(size=(m, n_in))
        (W,), (b,) = random_layers(rng, (n_in, n_out))
        for dtype, tolerance in ((np.float64, {}), (np.float32, {"rtol": 1e-4, "atol": 1e-5})):
            X, W, b = (a.astype(dtype) for a in (X, W, b))
            case = (f"X {X.shape}, W {W.shape}, b {b.shape}, g = {name}, seed {seed}"
                    + (", float32" if dtype == np.float32 else ""))
            g = reference.get_activation(name).forward
            result = call_student(exercise, case, dense_forward, (X, W, b, g), "X W b g",
                                  "X (m, n_in) @ W (n_in, n_out) gives (m, n_out); add b (n_out,).")
            A, cache = unpack_pair(exercise, case, result, "(A, cache)")
            X64, W64, b64 = (a.astype(np.float64) for a in (X, W, b))
            expected, expected_cache = reference.dense_forward(X64, W64, b64, name)
            yield (case, A, cache, expected, expected_cache,
                   tolerances(X, W, b, result, **tolerance))


@register("forward.dense_forward", part="the output A", weight=1)
def check_dense_forward_output(dense_forward: Callable[..., Any]) -> None:
    """A = g(X @ W + b) for every case."""
    for case, A, _, expected, _, tolerance in _dense_forward_cases(dense_forward):
        assert_close("dense_forward", f"{case} (in A)", A, expected, **tolerance)


@register("forward.dense_forward", part="the cache (A_prev, Z, A)", weight=1)
def check_dense_forward_cache(dense_forward: Callable[..., Any]) -> None:
    """The cache holds the layer's input, pre-activation and output, in this order."""
    for case, _, cache, _, expected_cache, tolerance in _dense_forward_cases(dense_forward):
        _expect_cache("dense_forward", case, cache, expected_cache, **tolerance)


def layer_forward(X: Any, W: Any, b: Any, g: Callable[[Any], Any]) -> tuple[Any, tuple]:
    """The notebook's dense_forward, for an activation function ``g`` (the reference's takes a
    name)."""
    Z = np.asarray(X) @ W + b
    A = g(Z)
    return A, (X, Z, A)


@uses_helpers("forward.network_forward",
              Helper("dense_forward", "forward.dense_forward", layer_forward))
def network_forward_through(dense_forward: Callable[..., Any]) -> Callable[..., Any]:
    """The notebook's network_forward: the student's dense_forward, layer after layer."""

    def network_forward(X: Any, weights: Any, biases: Any, activations: Any) -> Any:
        A, caches = X, []
        for W, b, g in zip(weights, biases, activations, strict=False):
            A, cache = dense_forward(A, W, b, g)
            caches.append(cache)
        return A, caches

    return network_forward


#: (layer sizes, activation names, batch size) of the networks network_forward is tried on.
NETWORKS = (((3, 4, 2), ("relu", "sigmoid"), 5), ((2, 3), ("tanh",), 1),
            ((4, 6, 5, 3), ("tanh", "relu", "softmax"), 6),
            ((5, 3, 3, 1), ("leaky_relu", "sigmoid", "identity"), 1))


def _network_forward_cases(network_forward: Callable[..., Any],
                           ) -> Iterator[tuple[str, Any, Any, Any, list[Any], int,
                                               dict[str, float]]]:
    """(case, student A_L, student caches, reference A_L, reference caches, depth,
    tolerances) for depths 1 to 3 and batches of 1 and more; fails if an input was changed.
    The tolerances follow the precision of the student's whole result."""
    exercise = "network_forward"
    for seed, (sizes, names, m) in enumerate(NETWORKS):
        rng = variant.rng(seed)
        X = rng.normal(size=(m, sizes[0]))
        weights, biases = random_layers(rng, sizes)
        case = f"layer sizes {sizes}, activations {list(names)}, batch of {m}, seed {seed}"
        # plain functions, as a notebook hands its activations over (leaky_relu with its
        # default slope 0.01)
        activations = [getattr(reference, name) for name in names]
        result = call_student(exercise, case, network_forward, (X, weights, biases, activations),
                              "X weights biases activations",
                              "Layer l's W is (n_l, n_{l+1}): A_prev @ W.")
        A_L, caches = unpack_pair(exercise, case, result, "(A_L, caches)")
        expected, expected_caches = reference.forward_layers(X, weights, biases, names)
        yield (case, A_L, caches, expected, expected_caches, len(names),
               tolerances(X, weights, biases, result))


@register("forward.network_forward", part="the output A_L", weight=3)
def check_network_forward_output(network_forward: Callable[..., Any]) -> None:
    """A_L for every network, weights and biases left as they were."""
    for case, A_L, _, expected, _, _, tolerance in _network_forward_cases(network_forward):
        assert_close("network_forward", f"{case} (in A_L)", A_L, expected, **tolerance)


@register("forward.network_forward", part="one cache (A_prev, Z, A) per layer", weight=2)
def check_network_forward_caches(network_forward: Callable[..., Any]) -> None:
    """caches[l] is layer l+1's (A_prev, Z, A), for every layer of every network."""
    exercise = "network_forward"
    for case, _, caches, _, expected_caches, depth, tolerance in _network_forward_cases(
            network_forward):
        if not isinstance(caches, (list, tuple)) or len(caches) != depth:
            raise Failure(f"{exercise}: for {case}, caches must be a list with one cache per "
                          f"layer ({depth}); got {describe(caches)}"
                          + (f" of length {len(caches)}" if hasattr(caches, "__len__") else ""))
        for layer, (cache, wanted) in enumerate(zip(caches, expected_caches, strict=True)):
            _expect_cache(exercise, f"{case}, layer {layer + 1}", cache, wanted,
                          label=f"caches[{layer}]", **tolerance)


@register("forward.mean_squared_error")
def check_mean_squared_error(mean_squared_error: Callable[..., Any]) -> None:
    """1/(2m) * sum of squares, for several (m, k) including one example and one output."""
    exercise = "mean_squared_error"
    for seed, (m, k) in enumerate(((5, 3), (8, 1), (4, 10), (1, 1), (1, 4))):
        rng = variant.rng(seed)
        A, Y = rng.normal(size=(m, k)), rng.normal(size=(m, k))
        case = f"A and Y of shape {(m, k)}, seed {seed}"
        got = call_student(exercise, case, mean_squared_error, (A, Y), "A Y", "")
        expect_number(exercise, case, got, reference.mean_squared_error(A, Y),
                      shape_hint=LOSS_SHAPE_HINT)


def _probability_cases(kind: str, saturated: bool,
                       ) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """(case, A, Y) for binary ("bce") or categorical ("cce") targets: ordinary ones, or the
    saturated one whose probabilities are exactly 0 or 1."""
    for seed, (m, k, scale) in enumerate(((5, 3, 2.0), (8, 2, 2.0), (1, 4, 2.0), (1, 1, 2.0),
                                          (6, 4, 900.0))):
        if (scale > 100) != saturated:
            continue
        rng = variant.rng(seed)
        Z = rng.normal(0.0, scale, size=(m, k))
        if kind == "bce":
            A, Y = reference.sigmoid(Z), (rng.random((m, k)) < 0.5).astype(np.float64)
        else:
            A, Y = reference.softmax(Z), reference.one_hot(rng.integers(0, k, size=m), k)
        if saturated:
            A, Y = ensure_saturated(kind, Z, A, Y)
        note = ", some probabilities exactly 0 or 1" if scale > 100 else ""
        yield f"A and Y of shape {(m, k)}, seed {seed}{note}", A, Y


def _check_bce(binary_cross_entropy: Callable[..., Any], saturated: bool) -> None:
    exercise = "binary_cross_entropy"
    for case, A, Y in _probability_cases("bce", saturated):
        got = call_student(exercise, case, binary_cross_entropy, (A, Y), "A Y", "")
        expect_number(exercise, case, got, reference.binary_cross_entropy(A, Y),
                      shape_hint=LOSS_SHAPE_HINT,
                      nan_hint="clip A to [1e-12, 1 - 1e-12] before the logs: log(0) is -inf")


@register("forward.binary_cross_entropy", part="values for several shapes", weight=2)
def check_binary_cross_entropy_values(binary_cross_entropy: Callable[..., Any]) -> None:
    """Values for (m, k) from one example and one output up to eight examples."""
    _check_bce(binary_cross_entropy, saturated=False)


@register("forward.binary_cross_entropy", part="finite when outputs are exactly 0 or 1",
          weight=1)
def check_binary_cross_entropy_saturated(binary_cross_entropy: Callable[..., Any]) -> None:
    """A finite, right value when some sigmoid outputs round to exactly 0 or 1."""
    _check_bce(binary_cross_entropy, saturated=True)


def _check_cce(categorical_cross_entropy: Callable[..., Any], saturated: bool) -> None:
    exercise = "categorical_cross_entropy"
    for case, A, Y in _probability_cases("cce", saturated):
        got = call_student(exercise, case, categorical_cross_entropy, (A, Y), "A Y", "")
        expect_number(exercise, case, got, reference.categorical_cross_entropy(A, Y),
                      shape_hint=LOSS_SHAPE_HINT,
                      nan_hint="floor A at 1e-12 before the log (np.maximum): log(0) is -inf")


@register("forward.categorical_cross_entropy", part="values for several shapes", weight=2)
def check_categorical_cross_entropy_values(categorical_cross_entropy: Callable[..., Any]) -> None:
    """Values for (m, k) from one example and one class up to eight examples."""
    _check_cce(categorical_cross_entropy, saturated=False)


@register("forward.categorical_cross_entropy",
          part="finite when the true class has probability 0", weight=1)
def check_categorical_cross_entropy_saturated(
        categorical_cross_entropy: Callable[..., Any]) -> None:
    """A finite, right value when a softmax output rounds to exactly 0 for the true class."""
    _check_cce(categorical_cross_entropy, saturated=True)
