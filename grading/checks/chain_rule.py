"""Hidden graders for the first part of ``ps2_backward/backward.ipynb``: the chain rule by hand.

The node exercises (``add_backward``, ``multiply_backward``, ``square_backward``,
``sigmoid_backward``, ``mean_backward``) are called on floats and on arrays of several shapes
(a float32 one too), with upstream gradients that are never 1, so that forgetting to multiply by
the upstream gradient shows. ``graph_forward_backward`` is the two-sample graph drawn in the
notebook: the student writes its forward and backward pass node by node, and the grader calls it
on the picture's numbers and on others (so the procedure is graded, not a copied number), one
key at a time, so the message names the first node whose value or gradient is wrong.
``two_layer_step`` is the 2-2-1 XOR network worked by hand (every intermediate, then the updated
parameters), graded the same way on the notebook's example, the four XOR rows as one batch, and
non-square layers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import reference
from grading import variant
from grading.calls import call_student, unpack, unpack_pair
from grading.compare import assert_close, expect_number, tolerances
from grading.registry import Failure, describe, register
from reference.chain_rule import GRAPH_GRADIENTS, GRAPH_VALUES
from reference.two_layer import STEP_KEYS

#: Shapes of the elementwise node cases; () is a plain Python float (last: a first call with
#: arrays lets the tests try a function that edits its inputs in place).
NODE_SHAPES = ((7,), (4, 3), (1,), (2, 3, 2), ())


def _node_cases(inputs: int, scale: float = 2.0
                ) -> Iterator[tuple[str, list[Any], Any, dict[str, float]]]:
    """``(case, node inputs, upstream, tolerances)``: floats, arrays, one float32 case. The
    upstream gradient is never 1 (or the same for every entry), so its factor must show."""
    for seed, shape in enumerate(NODE_SHAPES):
        rng = variant.rng(40 + seed)
        values = [rng.normal(0.0, scale, size=shape) for _ in range(inputs)]
        upstream = rng.normal(0.0, 1.0, size=shape) + 1.5
        if shape == ():
            values, upstream = [float(v) for v in values], float(upstream)
            shown = "".join(f"{value:.6g}, " for value in values)
            yield f"floats ({shown}upstream {upstream:.6g})", values, upstream, {}
        else:
            yield f"arrays of shape {shape}, seed {40 + seed}", values, upstream, {}
    rng = variant.rng(49)
    values = [rng.normal(0.0, scale, size=(3, 4)).astype(np.float32) for _ in range(inputs)]
    upstream = (rng.normal(size=(3, 4)) + 1.5).astype(np.float32)
    yield ("float32 arrays of shape (3, 4), seed 49", values, upstream,
           {"rtol": 1e-5, "atol": 1e-6})


def _expect_pair(exercise: str, case: str, result: Any, expected: tuple[Any, Any],
                 names: tuple[str, str], tolerance: dict[str, float]) -> None:
    """A returned pair of gradients, each compared with its expected value."""
    first, second = unpack_pair(exercise, case, result, f"({', '.join(names)})")
    tolerance = tolerances(result, **tolerance)
    for name, got, right in zip(names, (first, second), expected, strict=True):
        assert_close(exercise, f"{case} (in {name})", got, right, **tolerance)


@register("backward.add_backward")
def check_add_backward(add_backward: Callable[..., Any]) -> None:
    """(upstream, upstream): an add node passes the upstream gradient to both inputs."""
    exercise = "add_backward"
    for case, _, upstream, tolerance in _node_cases(0):
        result = call_student(exercise, case, add_backward, (upstream,), "upstream", "")
        right = reference.add_backward(upstream)
        _expect_pair(exercise, case, result, right, ("dp", "dq"), tolerance)


@register("backward.multiply_backward")
def check_multiply_backward(multiply_backward: Callable[..., Any]) -> None:
    """(upstream * q, upstream * p): each input gets the other input times the upstream."""
    exercise = "multiply_backward"
    for case, (p, q), upstream, tolerance in _node_cases(2):
        result = call_student(exercise, case, multiply_backward, (p, q, upstream),
                              "p q upstream", "p, q and upstream have one shape.")
        right = reference.multiply_backward(p, q, upstream)
        _expect_pair(exercise, case, result, right, ("dp", "dq"), tolerance)


@register("backward.square_backward")
def check_square_backward(square_backward: Callable[..., Any]) -> None:
    """2 * x * upstream."""
    exercise = "square_backward"
    for case, (x,), upstream, tolerance in _node_cases(1):
        got = call_student(exercise, case, square_backward, (x, upstream), "x upstream",
                           "x and upstream have one shape.")
        assert_close(exercise, case, got, reference.square_backward(x, upstream), **tolerance)


@register("backward.sigmoid_backward")
def check_sigmoid_backward(sigmoid_backward: Callable[..., Any]) -> None:
    """sigmoid(z) * (1 - sigmoid(z)) * upstream; 0, not nan, at |z| = 1e3."""
    exercise = "sigmoid_backward"
    extreme = np.array([-1000.0, -745.0, -50.0, -1.0, 0.0, 1.0, 50.0, 745.0, 1000.0])
    cases = [*_node_cases(1, scale=3.0),
             (f"z = {extreme.tolist()}", [extreme], np.linspace(-2.0, 2.0, extreme.size) + 0.1,
              {})]
    for case, (z,), upstream, tolerance in cases:
        got = call_student(exercise, case, sigmoid_backward, (z, upstream), "z upstream",
                           "z and upstream have one shape.")
        assert_close(exercise, case, got, reference.sigmoid_backward(z, upstream), **tolerance,
                     nan_hint="use the given (stable) sigmoid: s = sigmoid(z), then "
                              "s * (1 - s) * upstream")


@register("backward.mean_backward")
def check_mean_backward(mean_backward: Callable[..., Any]) -> None:
    """An array of values' shape, every entry upstream / values.size (2-D values too)."""
    exercise = "mean_backward"
    shapes = ((2,), (5,), (1,), (3, 4), (2, 1, 3))
    for seed, shape in enumerate(shapes):
        rng = variant.rng(60 + seed)
        values, upstream = rng.normal(size=shape), float(rng.normal() + 1.5)
        case = f"values of shape {shape}, upstream {upstream:.6g}, seed {60 + seed}"
        got = call_student(exercise, case, mean_backward, (values, upstream), "values upstream",
                           "")
        assert_close(exercise, case, got, reference.mean_backward(values, upstream))
    values = variant.rng(69).normal(size=(4,)).astype(np.float32)
    got = call_student(exercise, "float32 values of shape (4,), upstream 0.8", mean_backward,
                       (values, 0.8), "values upstream", "")
    assert_close(exercise, "float32 values of shape (4,), upstream 0.8", got,
                 reference.mean_backward(values, 0.8), rtol=1e-5, atol=1e-6)


#: (w, b, x, y) of the graph: the notebook's picture first, then others; the last saturates.
#: One more is drawn for each student (:func:`_graph_cases`).
GRAPH_CASES = (
    (0.5, 0.25, (2.0, -1.0), (1.0, 0.0)),
    (-1.2, 0.4, (0.5, 3.0), (0.0, 1.0)),
    (2.0, -0.7, (-1.5, 0.25), (1.0, 1.0)),
    (0.3, 1.1, (1.0, 1.0), (0.2, 0.9)),
    (0.0, 0.0, (4.0, -2.0), (0.0, 0.0)),
    (300.0, 0.5, (4.0, -3.5), (0.0, 1.0)),
)


def _graph_cases() -> Iterator[tuple[float, float, tuple[float, ...], tuple[float, ...]]]:
    """(w, b, x, y): :data:`GRAPH_CASES`, then one drawn for the student (rounded to three
    decimals, so that the message shows it exactly), with targets in [0, 1]."""
    yield from GRAPH_CASES
    rng = variant.rng(80)
    w, b = (round(float(v), 3) for v in rng.normal(0.0, 1.5, size=2))
    yield (w, b, tuple(round(float(v), 3) for v in rng.normal(0.0, 2.0, size=2)),
           tuple(round(float(v), 3) for v in rng.random(2)))


def _require_keys(exercise: str, case: str, got: Any, keys: tuple[str, ...]) -> None:
    """Fail unless ``got`` is a dict holding every one of ``keys``."""
    if not isinstance(got, dict):
        raise Failure(f"{exercise}: for {case}, expected a dict with the keys "
                      f"{', '.join(keys)}; got {describe(got)}")
    missing = [key for key in keys if key not in got]
    if missing:
        raise Failure(f"{exercise}: for {case}, the dict has no key {missing[0]!r}; it "
                      f"needs every one of {', '.join(keys)}")


@register("backward.graph_forward_backward")
def check_graph_forward_backward(graph_forward_backward: Callable[..., Any]) -> None:
    """Every forward value and every gradient of the two-sample graph, key by key."""
    exercise = "graph_forward_backward"
    keys = (*GRAPH_VALUES, *GRAPH_GRADIENTS)
    for w, b, x, y in _graph_cases():
        x_array, y_array = np.array(x), np.array(y)
        case = f"w = {w}, b = {b}, x = {list(x)}, y = {list(y)}"
        got = call_student(exercise, case, graph_forward_backward, (w, b, x_array, y_array),
                           "w b x y", "x and y have shape (2,): x[0] is x1, x[1] is x2.")
        _require_keys(exercise, case, got, keys)
        right = reference.graph_forward_backward(w, b, x_array, y_array)
        for key in keys:
            expect_number(exercise, f"{case} (in {key!r})", got[key], right[key],
                          shape_hint=f"{key!r} must be a single number")


def _step_cases() -> Iterator[tuple[str, tuple[Any, ...]]]:
    """``(case, (X, Y, W1, b1, W2, b2, lr))``: the notebook's XOR example, then others."""
    W1, b1 = np.array([[0.5, -0.4], [0.3, 0.8]]), np.array([0.1, -0.1])
    W2, b2 = np.array([[0.7], [-0.6]]), np.array([0.2])
    yield ("the XOR example x = [[1, 0]], y = [[1]], lr = 0.5",
           (np.array([[1.0, 0.0]]), np.array([[1.0]]), W1, b1, W2, b2, 0.5))
    xor_X, xor_Y = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array(
        [[0.0], [1.0], [1.0], [0.0]])
    rng = variant.rng(5)
    yield ("the four XOR rows as one batch (m = 4), seed 5, lr = 0.3",
           (xor_X, xor_Y, *_layers(rng, (2, 2, 1)), 0.3))
    for seed, (m, sizes, lr) in enumerate(((5, (3, 4, 2), 0.1), (2, (2, 3, 1), 1.5)), start=6):
        rng = variant.rng(seed)
        X = rng.normal(size=(m, sizes[0]))
        Y = (rng.random((m, sizes[2])) < 0.5).astype(float)
        yield (f"X {X.shape}, sizes {sizes}, seed {seed}, lr = {lr}",
               (X, Y, *_layers(rng, sizes), lr))


def _layers(rng: np.random.Generator, sizes: tuple[int, int, int]) -> list[np.ndarray]:
    """W1, b1, W2, b2 for ``sizes`` (n0, n1, n2), of order 1, biases nonzero."""
    n0, n1, n2 = sizes
    return [rng.normal(size=(n0, n1)), rng.normal(0.0, 0.5, size=n1),
            rng.normal(size=(n1, n2)), rng.normal(0.0, 0.5, size=n2)]


@register("backward.two_layer_step")
def check_two_layer_step(two_layer_step: Callable[..., Any]) -> None:
    """Every intermediate of one step, key by key in the order they are computed."""
    exercise = "two_layer_step"
    for case, args in _step_cases():
        got = call_student(exercise, case, two_layer_step, args, "X Y W1 b1 W2 b2 lr",
                           "Z1 = X @ W1 + b1 is (m, n1); delta1 = (delta2 @ W2.T) * ... is too.")
        _require_keys(exercise, case, got, STEP_KEYS)
        right = reference.two_layer_step(*args)
        tolerance = tolerances(*(got[key] for key in STEP_KEYS))
        for key in STEP_KEYS:
            if key == "loss":
                expect_number(exercise, f"{case} (in 'loss')", got[key], right[key],
                              shape_hint="'loss' must be a single number", **tolerance)
            else:
                assert_close(exercise, f"{case} (in {key!r})", got[key], right[key],
                             **tolerance)


@register("backward.linear_backward")
def check_linear_backward(linear_backward: Callable[..., Any]) -> None:
    """(dA_prev, dW, db) for non-square layers, a batch of one and a float32 case."""
    exercise = "linear_backward"
    names = ("dA_prev", "dW", "db")
    shapes = ((4, 3, 3, np.float64), (5, 3, 2, np.float64), (1, 4, 3, np.float64),
              (6, 2, 5, np.float64), (4, 3, 3, np.float32))   # square first: W for W.T runs
    for seed, (m, n_in, n_out, dtype) in enumerate(shapes, start=70):
        rng = variant.rng(seed)
        delta, A_prev, W = (rng.normal(size=shape).astype(dtype)
                            for shape in ((m, n_out), (m, n_in), (n_in, n_out)))
        case = (f"delta {delta.shape}, A_prev {A_prev.shape}, W {W.shape}, seed {seed}"
                + (", float32" if dtype is np.float32 else ""))
        result = call_student(exercise, case, linear_backward, (delta, A_prev, W),
                              "delta A_prev W", "dA_prev is like A_prev (m, n_in), dW like W "
                              "(n_in, n_out), db like b (n_out,).")
        got = unpack(exercise, case, result, names)
        tolerance = tolerances(delta, result)
        right = reference.linear_backward(*(a.astype(np.float64) for a in (delta, A_prev, W)))
        for name, value, expected in zip(names, got, right, strict=True):
            assert_close(exercise, f"{case} (in {name})", value, expected, **tolerance)
