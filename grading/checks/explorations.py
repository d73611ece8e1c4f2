"""Hidden graders for ps4_explorations/explorations.ipynb, its first two experiments: gradient
norms (of a list of arrays, and of every layer of a fresh deep network) and dead ReLU units;
and, registered with :func:`grading.answers.ask`, the prediction made before each of the
notebook's three experiments (graded for being recorded as a number) and the reading of what it
showed (graded on being right). The third experiment, the cost of backpropagation against finite
differences, is graded in :mod:`grading.checks.gradient_cost`.

Values are compared with :mod:`reference.diagnostics`. A slip costs once
(:mod:`grading.carry_forward`): ``deep_gradient_norms`` calls the student's ``gradient_norms`` and
``dead_fractions`` the student's ``dead_unit_fraction``, as the notebook asks; each is declared
with :func:`~grading.dependencies.uses_helpers`, so a wrong helper costs its own points only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import reference
from grading import variant
from grading.answers import Asked, ask
from grading.calls import call_pure
from grading.compare import assert_close, tolerances
from grading.dependencies import Helper, uses_helpers
from grading.registry import Failure, describe, register
from reference import diagnostics


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


def single_number(name: str, case: str, got: Any) -> np.float64:
    """``got`` as one float64 (a Python or NumPy number, or an array of shape ())."""
    if np.ndim(got) != 0:
        raise Failure(f"{name}: for {case}, expected one number; got {describe(got)}")
    return np.float64(got)


@register("explorations.gradient_norms")
def check_gradient_norms(gradient_norms: Callable) -> None:
    """One Frobenius norm per array, for one, three and two arrays of very different sizes."""
    name = "explorations.gradient_norms"
    for seed, shapes in enumerate((((3, 4),), ((5, 2), (2, 2), (2, 1)), ((64, 32), (32, 10)))):
        rng = variant.rng(seed)
        dWs = [rng.normal(scale=10.0**-i, size=shape) for i, shape in enumerate(shapes)]
        case = f"dWs of shapes {list(shapes)}"
        raw = call_pure(name, gradient_norms, ("dWs",), (dWs,))
        got = _numbers(name, case, raw, len(dWs))
        assert_close(name, case, got, np.array(diagnostics.gradient_norms(dWs)),
                     **tolerances(raw))


@uses_helpers("explorations.deep_gradient_norms",
              Helper("gradient_norms", "explorations.gradient_norms", diagnostics.gradient_norms))
def _deep_gradient_norms_through(gradient_norms: Callable) -> Callable:
    """The notebook's deep_gradient_norms: the given init_network and backprop (here the
    reference's), then the student's gradient_norms of the dWs."""

    def deep_gradient_norms(X: Any, Y: Any, hidden: str, depth: int = 8, width: int = 32,
                            seed: int = 0) -> Any:
        sizes = [np.shape(X)[1], *[width] * depth, np.shape(Y)[1]]
        network = reference.init_network(sizes, hidden, output_activation="softmax", seed=seed)
        _, grads = reference.backward(network, X, Y, "cce")
        return gradient_norms(list(grads.dW))

    return deep_gradient_norms


@register("explorations.deep_gradient_norms")
def check_deep_gradient_norms(deep_gradient_norms: Callable) -> None:
    """Norms of every dW of fresh deep networks, against the reference, layer 1 first."""
    name = "explorations.deep_gradient_norms"
    for seed, (hidden, depth, width) in enumerate((("sigmoid", 3, 8), ("relu", 5, 16),
                                                   ("tanh", 2, 8), ("sigmoid", 8, 32))):
        rng, network_seed = variant.rng(seed), variant.int_seed(seed)
        X, Y = rng.random((16, 10)), reference.one_hot(rng.integers(0, 4, size=16), 4)
        case = (f"X (16, 10), Y (16, 4), hidden={hidden!r}, depth={depth}, width={width}, "
                f"seed={network_seed}")
        raw = call_pure(name, deep_gradient_norms, ("X", "Y"), (X, Y), hidden, depth=depth,
                        width=width, seed=network_seed)
        got = _numbers(name, case, raw, depth + 1)
        want = diagnostics.deep_gradient_norms(X, Y, hidden, depth, width, network_seed)
        try:
            assert_close(name, case, got, np.array(want), **tolerances(raw))
        except Failure as failure:
            raise Failure(f"{failure}. Build the network with init_network([n_in] + [width] * "
                          "depth + [n_out], seed, hidden) and use the given backprop on the "
                          "whole batch") from None


@register("explorations.dead_unit_fraction")
def check_dead_unit_fraction(dead_unit_fraction: Callable) -> None:
    """Units off on every row, counted with ``<= 0``, as a share of the units."""
    name = "explorations.dead_unit_fraction"
    rng = variant.rng(0)
    mixed = rng.normal(size=(6, 8)) + np.array([-9, -9, 0, 0, 0, 9, 9, 9])
    mixed[:, 2] = np.minimum(mixed[:, 2], 0.0)
    mixed[0, 2] = 0.0
    for unit in (3, 4):  # mixed whatever the draw (the seeded one is): one row on, one off
        if np.all(mixed[:, unit] > 0) or np.all(mixed[:, unit] <= 0):
            mixed[unit - 3, unit], mixed[unit - 2, unit] = -1.0, 1.0
    if not np.any(np.any(mixed > 0, axis=0) & np.all(mixed <= 1, axis=0)):
        mixed[:, 4] = np.minimum(mixed[:, 4], 0.9)  # a unit barely on: <= 1 is not <= 0
    cases = {"Z of shape (6, 8): two units always negative, one never positive (some exact "
             "zeros), the rest mixed or positive": mixed,
             "Z of shape (1, 5), a single example": np.array([[-1.0, 0.0, 2.0, -0.5, 3.0]]),
             "Z of shape (30, 4), all positive": np.abs(rng.normal(size=(30, 4))) + 0.1,
             "Z of shape (3, 7), all negative": -np.abs(rng.normal(size=(3, 7))) - 0.1}
    for case, Z in cases.items():
        raw = call_pure(name, dead_unit_fraction, ("Z",), (Z,))
        got = single_number(name, case, raw)
        assert_close(name, case, got, np.float64(diagnostics.dead_unit_fraction(Z)),
                     **tolerances(raw))


@uses_helpers("explorations.dead_fractions",
              Helper("dead_unit_fraction", "explorations.dead_unit_fraction",
                     diagnostics.dead_unit_fraction))
def _dead_fractions_through(dead_unit_fraction: Callable) -> Callable:
    """The notebook's dead_fractions: the student's dead_unit_fraction of each hidden Z."""

    def dead_fractions(caches: Any) -> list[Any]:
        return [dead_unit_fraction(Z) for _, Z, _ in caches[:-1]]

    return dead_fractions


_ACTIVATION_NAMES = {"relu": "ReLU", "sigmoid": "sigmoid"}


@register("explorations.dead_fractions")
def check_dead_fractions(dead_fractions: Callable) -> None:
    """One dead fraction per hidden layer of ReLU networks with negative biases, and of a
    sigmoid network, whose A = sigmoid(Z) is never <= 0: the fractions are those of Z, the
    pre-activations, whatever the activation."""
    name = "explorations.dead_fractions"
    for seed, (sizes, hidden) in enumerate((([5, 8, 3], "relu"), ([6, 16, 16, 16, 4], "relu"),
                                            ([4, 12, 10, 3], "sigmoid"))):
        rng = variant.rng(seed)
        net = reference.init_network(sizes, hidden, output_activation="softmax",
                                     seed=variant.int_seed(seed))
        net = net.with_parameters(net.weights, [rng.normal(-1.0, 1.0, size=b.shape)
                                                for b in net.biases])
        X = rng.normal(size=(20, sizes[0]))
        _, caches = reference.network_forward(net, X)
        if hidden == "sigmoid" and not any(diagnostics.dead_fractions(caches)):
            # a unit dead (Z <= 0 on every row, A never 0) whatever the draw, as in the
            # seeded one: else a fraction of A would pass for one of Z
            biases = [b.copy() for b in net.biases]
            biases[0][0] = -100.0
            net = net.with_parameters(net.weights, biases)
            _, caches = reference.network_forward(net, X)
        caches = [tuple(cache) for cache in caches]
        case = f"the caches of a {_ACTIVATION_NAMES[hidden]} network with layer sizes {sizes}"
        raw = got = call_pure(name, dead_fractions, ("caches",), (caches,))
        if isinstance(got, (list, tuple)) and len(got) == len(caches):
            raise Failure(f"{name}: for {case}, got {len(got)} numbers; leave out the output "
                          f"layer (the last cache): expected {len(caches) - 1}, one per hidden "
                          "layer")
        got = _numbers(name, case, got, len(caches) - 1)
        assert_close(name, case, got, np.array(diagnostics.dead_fractions(caches)),
                     **tolerances(raw))


# ---- Predict, run, read: the questions around the three experiments (grading.answers) ----
# A prediction earns its point for being recorded as a number; a reading is graded on being right.

for _experiment in ("vanishing", "dead", "cost"):
    ask(f"explorations.answer_{_experiment}_prediction", Asked("numeric"))
ask("explorations.answer_vanishing_reading", Asked(
    "single", "ABCD", "A",
    "read the sigmoid curve's first and last points on the log axis, and compare their ratio "
    "with 0.25 raised to the number of sigmoid layers the delta crosses."))
ask("explorations.answer_dead_reading", Asked(
    "single", "ABCD", "B",
    "compare, for each run, the share of dead units with the loss it ends at and with the "
    "gradient that still reaches layer 1."))
ask("explorations.answer_cost_reading", Asked(
    "single", "ABCD", "A",
    "time one forward pass of the smallest and of the largest network: does it grow with P at "
    "these sizes?"))
