"""Diagnostics: gradient norms, the sigmoid bound, dead units, parameter counts and the cost of a
gradient counted in forward passes."""

import numpy as np
import pytest

from reference import init_network, network_forward, one_hot, sigmoid_grad
from reference.diagnostics import (
    dead_fractions,
    dead_unit_fraction,
    deep_gradient_norms,
    gradient_cost_ratio,
    gradient_norms,
    parameter_count,
    sigmoid_grad_bound,
)


def test_gradient_norms_are_frobenius_norms_per_layer():
    grads = [np.array([[3.0, 4.0]]), np.zeros((2, 2)), np.ones((2, 3, 4))]
    assert gradient_norms(grads) == pytest.approx([5.0, 0.0, np.sqrt(24.0)])
    assert all(isinstance(n, float) for n in gradient_norms(grads))


def test_sigmoid_grad_bound_is_a_quarter_per_layer_and_really_bounds_the_derivative():
    assert sigmoid_grad_bound(0) == 1.0
    assert sigmoid_grad_bound(1) == 0.25
    assert sigmoid_grad_bound(10) == pytest.approx(9.5367431640625e-07)
    z = np.linspace(-10, 10, 2001)
    assert sigmoid_grad(z).max() == pytest.approx(sigmoid_grad_bound(1))
    with pytest.raises(ValueError, match="at least 0"):
        sigmoid_grad_bound(-1)


def test_dead_unit_needs_nonpositive_pre_activation_in_every_row():
    Z = np.array([[-1.0, 2.0, 0.0, -3.0],
                  [-2.0, -1.0, 0.0, 0.5]])
    # unit 0 is off in both rows; unit 2 sits exactly on the kink (relu_grad(0) = 0): dead too
    assert dead_unit_fraction(Z) == 0.5
    assert dead_unit_fraction(np.ones((3, 5))) == 0.0
    assert dead_unit_fraction(-np.ones((1, 5))) == 1.0
    with pytest.raises(ValueError, match=r"shape \(m, n\)"):
        dead_unit_fraction(np.zeros(4))


def test_dead_fractions_cover_hidden_layers_and_grow_with_a_negative_bias():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 6))
    net = init_network([6, 16, 16, 3], "relu", output_activation="softmax", seed=0)
    _, caches = network_forward(net, X)
    assert len(dead_fractions(caches)) == 2
    shifted = net.with_parameters(net.weights, [b - 100.0 for b in net.biases])
    _, dead_caches = network_forward(shifted, X)
    assert dead_fractions(dead_caches) == [1.0, 1.0]


def test_parameter_count_matches_the_network():
    sizes = [64, 32, 32, 10]
    assert parameter_count(sizes) == init_network(sizes, "relu", output_activation="softmax",
                                                  seed=0).parameter_count
    assert parameter_count([2, 1]) == 3
    with pytest.raises(ValueError, match="two sizes"):
        parameter_count([5])


def test_deep_sigmoid_network_gradients_vanish_toward_the_input_but_relu_ones_do_not():
    rng = np.random.default_rng(1)
    X, Y = rng.random((32, 20)), one_hot(rng.integers(0, 5, size=32), 5)
    sig = deep_gradient_norms(X, Y, "sigmoid", depth=8, width=32, seed=0)
    relu = deep_gradient_norms(X, Y, "relu", depth=8, width=32, seed=0)
    assert len(sig) == len(relu) == 9
    assert sig[0] < 1e-3 * sig[-1]
    assert relu[0] > 0.1 * relu[-1]


def test_diagnostics_leave_their_inputs_alone():
    Z = np.array([[-1.0, 1.0]])
    grads = [np.ones((2, 2))]
    before = (Z.copy(), grads[0].copy())
    dead_unit_fraction(Z)
    gradient_norms(grads)
    np.testing.assert_array_equal(Z, before[0])
    np.testing.assert_array_equal(grads[0], before[1])


def test_gradient_cost_ratio_reconciles_the_course_count_with_the_materials_500000():
    assert gradient_cost_ratio(10**6) == pytest.approx(2e6 / 3)  # centered, backward = 2 forwards
    assert gradient_cost_ratio(10**6, centered=False, backward_cost=1.0) == pytest.approx(500_000.5)
    assert gradient_cost_ratio(4, centered=False) == pytest.approx(5 / 3)  # f(x) once, shared
    assert gradient_cost_ratio(parameter_count([64, 64, 10])) == pytest.approx(9620 / 3)
    with pytest.raises(ValueError):
        gradient_cost_ratio(0)
