"""The chain-rule graph of problem set 2, part A: node backwards and the two-sample graph.

The picture's numbers, by hand (w = 0.5, b = 0.25, x = (2, -1), y = (1, 0), sigma the sigmoid):
    z = (0.5*2 + 0.25, 0.5*(-1) + 0.25) = (1.25, -0.25)
    a = (sigma(1.25), sigma(-0.25)) = (0.777299861, 0.437823499)
    s = ((a1 - 1)**2, a2**2) = (0.049595352, 0.191689416),   L = (s1 + s2) / 2 = 0.120642384
    ds = (1/2, 1/2)                                  (the mean; upstream dL/dL = 1)
    da = 2 * e * ds = (a1 - 1, a2) = (-0.222700139, 0.437823499)
    dz = a * (1 - a) * da = (-0.038550460, 0.107763285)
    dw = x1 * dz1 + x2 * dz2 = -0.077100920 - 0.107763285 = -0.184864206   (two paths add)
    db = dz1 + dz2 = 0.069212825
"""

import numpy as np
import pytest

from reference import (
    add_backward,
    graph_forward_backward,
    mean_backward,
    multiply_backward,
    sigmoid,
    sigmoid_backward,
    square_backward,
)
from reference.gradcheck import numerical_gradient

W, B, X, Y = 0.5, 0.25, np.array([2.0, -1.0]), np.array([1.0, 0.0])


def test_the_pictures_numbers_are_the_ones_worked_by_hand():
    got = graph_forward_backward(W, B, X, Y)
    by_hand = {"z1": 1.25, "z2": -0.25, "a1": 0.777299861, "a2": 0.437823499,
               "s1": 0.049595352, "s2": 0.191689416, "L": 0.120642384, "ds1": 0.5, "ds2": 0.5,
               "da1": -0.222700139, "da2": 0.437823499, "dz1": -0.038550460,
               "dz2": 0.107763285, "dw": -0.184864206, "db": 0.069212825}
    for key, value in by_hand.items():
        assert got[key] == pytest.approx(value, abs=1e-9), key


@pytest.mark.parametrize(("w", "b", "x", "y"), [
    (0.5, 0.25, (2.0, -1.0), (1.0, 0.0)), (-1.2, 0.4, (0.5, 3.0), (0.0, 1.0)),
    (2.0, -0.7, (-1.5, 0.25), (1.0, 1.0))])
def test_graph_gradients_match_finite_differences(w, b, x, y):
    x, y = np.array(x), np.array(y)
    got = graph_forward_backward(w, b, x, y)

    def loss(params: np.ndarray) -> float:
        return float(np.mean((sigmoid(params[0] * x + params[1]) - y) ** 2))

    numeric = numerical_gradient(loss, np.array([w, b]))
    np.testing.assert_allclose([got["dw"], got["db"]], numeric, rtol=1e-7, atol=1e-10)
    assert got["L"] == pytest.approx(loss(np.array([w, b])), abs=1e-12)


def test_node_backwards_match_finite_differences():
    rng = np.random.default_rng(0)
    p, q, up = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    cases = [
        (lambda v: v + q, add_backward(up)[0], p),
        (lambda v: p + v, add_backward(up)[1], q),
        (lambda v: v * q, multiply_backward(p, q, up)[0], p),
        (lambda v: p * v, multiply_backward(p, q, up)[1], q),
        (lambda v: v ** 2, square_backward(p, up), p),
        (sigmoid, sigmoid_backward(p, up), p),
    ]
    for forward, analytic, at in cases:
        numeric = numerical_gradient(lambda v, f=forward: float(np.sum(f(v) * up)), at)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)
    numeric = numerical_gradient(lambda v: 1.7 * float(np.mean(v)), p)
    np.testing.assert_allclose(mean_backward(p, 1.7), numeric, rtol=1e-7, atol=1e-9)


def test_sigmoid_backward_is_zero_not_nan_when_saturated():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got = sigmoid_backward(np.array([-1000.0, 1000.0]), np.array([2.0, -3.0]))
    np.testing.assert_array_equal(got, [0.0, 0.0])


def test_nodes_leave_their_inputs_alone():
    p, q, up = np.array([1.0, -2.0]), np.array([3.0, 0.5]), np.array([0.25, 4.0])
    before = [p.copy(), q.copy(), up.copy()]
    add_backward(up)
    multiply_backward(p, q, up)
    square_backward(p, up)
    sigmoid_backward(p, up)
    mean_backward(p, 2.0)
    for original, kept in zip(before, (p, q, up), strict=True):
        np.testing.assert_array_equal(original, kept)
