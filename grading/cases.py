"""The seeded inputs the checks try, and the reference answers they are compared with.

Random inputs come from :func:`grading.variant.rng`: the plain seeded generator in the
course's own tests, each student's own inputs while that student is graded.

Elementwise functions meet several shapes, ``|z|`` up to 1e3 and a float32 array
(:func:`elementwise_cases`, run by :func:`check_elementwise`); layers and networks get random
weights and biases (:func:`random_layers`); the reference answers come from the reference
package, whose :func:`reference.forward_layers`, :func:`reference.backward_layers` and
:meth:`reference.Network.of` take the lists the notebooks' exercises take.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

import reference
from grading import variant
from grading.calls import call_student
from grading.compare import FLOAT32_TOL, assert_close

ELEMENTWISE_SHAPES = ((7,), (4, 3), (1, 5), (1,), (2, 3, 4))
EXTREME_Z = np.array([-1000.0, -745.0, -50.0, -1.0, 0.0, 1.0, 50.0, 745.0, 1000.0])


def elementwise_cases() -> Iterator[tuple[str, np.ndarray, dict[str, float]]]:
    """``(case, z, tolerances)``: random z of several shapes, extreme values, one float32 z."""
    for seed, shape in enumerate(ELEMENTWISE_SHAPES):
        z = variant.rng(seed).normal(0.0, 3.0, size=shape)
        yield f"z of shape {shape}, seed {seed}", z, {}
    yield f"z = {EXTREME_Z.tolist()}", EXTREME_Z.copy(), {}
    z32 = variant.rng(9).normal(0.0, 3.0, size=(3, 4)).astype(np.float32)
    yield "float32 z of shape (3, 4), seed 9", z32, FLOAT32_TOL


def check_elementwise(exercise: str, student: Callable[..., Any], expected_fn: Callable[..., Any],
                      *, nan_hint: str | None = None, **kwargs: Any) -> None:
    """Check an elementwise function on every :func:`elementwise_cases` input (``kwargs`` go to
    both functions); ``nan_hint`` is added when the result holds NaN or inf where the expected
    one is finite."""
    for case, z, tolerances in elementwise_cases():
        case += "".join(f", {key}={value}" for key, value in kwargs.items())
        got = call_student(exercise, case, student, (z,), "z", "", **kwargs)
        assert_close(exercise, case, got, expected_fn(z.astype(np.float64), **kwargs),
                     nan_hint=nan_hint, **tolerances)


def random_arrays(seed: int, shape: tuple[int, ...], count: int) -> list[np.ndarray]:
    """``count`` standard normal arrays of ``shape``."""
    rng = variant.rng(seed)
    return [rng.normal(size=shape) for _ in range(count)]


def random_layers(rng: np.random.Generator, sizes: Sequence[int]
                  ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Weights ``(n_l, n_{l+1})`` scaled by ``1/sqrt(n_l)`` and nonzero biases, for ``sizes``."""
    weights = [rng.normal(size=(a, b)) / np.sqrt(a) for a, b in pairwise(sizes)]
    return weights, [rng.normal(0.0, 0.5, size=b) for b in sizes[1:]]


def training_data(seed: int, output: str) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """40 random rows: binary targets for a sigmoid output, one-hot ones for softmax; and the
    layer sizes of a network to train on them."""
    rng = variant.rng(seed)
    X = rng.normal(size=(40, 3))
    if output == "sigmoid":
        return X, (X[:, :1] * X[:, 1:2] > 0).astype(float), [3, 5, 1]
    return X, reference.one_hot(rng.integers(0, 3, size=40), 3), [3, 6, 4, 3]


def output_cases(kind: str) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """(case, Z, A, Y) for an output layer; ``kind`` is an activation name or "bce"/"cce"."""
    cases = []
    for seed, (m, k) in enumerate(((5, 3), (4, 1), (1, 2), (6, 4))):
        rng = variant.rng(seed)
        Z = rng.normal(0.0, 2.0, size=(m, k))
        if kind == "cce":
            A, Y = reference.softmax(Z), reference.one_hot(rng.integers(0, k, size=m), k)
        elif kind == "bce":
            A, Y = reference.sigmoid(Z), (rng.random((m, k)) < 0.5).astype(np.float64)
        else:
            A, Y = reference.get_activation(kind).forward(Z), rng.normal(size=(m, k))
        cases.append((f"A, Y, Z of shape {(m, k)}, seed {seed}", Z, A, Y))
    return cases


def ensure_saturated(kind: str, Z: np.ndarray, A: np.ndarray, Y: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(A, Y) of shape (m, k), from the scores ``Z`` (m, k), saturated whatever the student's
    draw: for "bce" (A = sigmoid(Z), 0/1 targets) some output exactly 0 or 1 whose target is
    the other value, for "cce" (A = softmax(Z), one-hot rows) some row whose true class has
    probability exactly 0: without clipping, the loss takes log(0) there. Returned unchanged
    when the draw already is (the seeded draws of the course's own tests are)."""
    if kind == "bce":
        if np.any(((A == 0.0) & (Y == 1.0)) | ((A == 1.0) & (Y == 0.0))):
            return A, Y
        if not np.any((A == 0.0) | (A == 1.0)):
            Z = Z.copy()
            Z[0, 0] = 1000.0
            A = reference.sigmoid(Z)
        row, column = np.argwhere((A == 0.0) | (A == 1.0))[0]
        Y = Y.copy()
        Y[row, column] = 1.0 - A[row, column]
        return A, Y
    if np.any((A == 0.0) & (Y == 1.0)):
        return A, Y
    row = int(np.argmin(A.min(axis=1)))
    column = int(np.argmin(A[row]))
    if A[row, column] > 0.0:
        Z = Z.copy()
        Z[row, column] = Z[row].max() - 2000.0
        A = reference.softmax(Z)
    Y = Y.copy()
    Y[row] = np.eye(A.shape[1])[column]
    return A, Y


def below_the_floor(a: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a`` and ``n`` (arrays of one shape), scaled down if need be so that norm(a) + norm(n)
    stays under half the 1e-8 floor of relative_error's denominator, whatever the student's
    draw (the seeded one already does)."""
    total = float(np.linalg.norm(a) + np.linalg.norm(n))
    if total < 0.5e-8:
        return a, n
    return a * (0.25e-8 / total), n * (0.25e-8 / total)


def gradcheck_case(sizes: tuple[int, ...], m: int, seed: int, one_hot: bool
                   ) -> tuple[reference.Network, np.ndarray, np.ndarray]:
    """A sigmoid/softmax network with nonzero biases, a batch X of shape ``(m, sizes[0])``, and
    one-hot or arbitrary Y of shape ``(m, sizes[-1])``."""
    rng = variant.rng(seed)
    net = reference.init_network(sizes, "sigmoid", output_activation="softmax",
                                 seed=variant.int_seed(seed))
    net = net.with_parameters(net.weights, [rng.normal(0.0, 0.5, size=b.shape)
                                            for b in net.biases])
    X = rng.normal(size=(m, sizes[0]))
    if one_hot:
        return net, X, reference.one_hot(rng.integers(0, sizes[-1], size=m), sizes[-1])
    return net, X, rng.uniform(0.0, 1.0, size=(m, sizes[-1]))


def _cubes_and_sines(x: np.ndarray) -> float:
    return float(np.sum(x**3) + np.sum(np.sin(x)))


def _logsumexp_times_squares(x: np.ndarray) -> float:
    return float(np.log(np.sum(np.exp(x))) * np.sum(x**2))


def _cubes(x: np.ndarray) -> float:
    return float(np.sum(x**3))


def _fast_sines(x: np.ndarray) -> float:
    return float(np.sum(np.sin(100.0 * x)) / 100.0)


#: (formula, f, shape of x, eps) for numerical gradients. With eps=1e-2 the centered difference
#: of sum(x**3) is off by exactly eps**2, so ignoring the eps argument shows. eps None: left to
#: its default (1e-5 in the notebook's signature); sin(100 x) bends so fast that the centered
#: difference with another default (1e-4) is off by about 2e-5 of the slope.
NUMERICAL_CASES = (("f(x) = sum(x**3) + sum(sin(x))", _cubes_and_sines, (4,), 1e-5),
                   ("f(x) = sum(x**3) + sum(sin(x))", _cubes_and_sines, (2, 3), 1e-5),
                   ("f(x) = log(sum(exp(x))) * sum(x**2)", _logsumexp_times_squares, (3, 1, 2),
                    1e-5),
                   ("f(x) = sum(x**3)", _cubes, (1, 1), 1e-5),
                   ("f(x) = sum(x**3)", _cubes, (2, 2), 1e-2),
                   ("f(x) = sum(sin(100 x)) / 100", _fast_sines, (4,), None))
