"""Activation values, stability at large |z|, and the derivative conventions."""

import warnings

import numpy as np
import pytest

from reference import (
    ACTIVATIONS,
    get_activation,
    leaky_relu,
    leaky_relu_grad,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    sigmoid_grad_from_activation,
    softmax,
    tanh_grad,
)
from reference.activations import make_leaky_relu

EXTREME = np.array([[-1e3, -745.0, -50.0, -1.0, 0.0, 1.0, 50.0, 745.0, 1e3]])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_no_warning_and_finite_for_extreme_inputs(name):
    activation = get_activation(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A = activation.forward(EXTREME)
        dZ = activation.backward(np.ones_like(EXTREME), EXTREME)
    assert np.all(np.isfinite(A)) and np.all(np.isfinite(dZ))


def test_sigmoid_values_and_limits():
    expected = [0.5, 0.8807970779778823, 0.11920292202211769]
    np.testing.assert_allclose(sigmoid([0.0, 2.0, -2.0]), expected)
    assert sigmoid(1e3) == 1.0 and sigmoid(-1e3) == 0.0
    np.testing.assert_allclose(sigmoid(-40.0), np.exp(-40.0) / (1 + np.exp(-40.0)), rtol=1e-14)


def test_sigmoid_derivative_peaks_at_a_quarter():
    z = np.linspace(-10, 10, 2001)
    assert sigmoid_grad(z).max() == pytest.approx(0.25)
    assert sigmoid_grad(0.0) == 0.25


def test_sigmoid_derivative_from_activation_takes_the_activation():
    z = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(sigmoid_grad_from_activation(sigmoid(z)), sigmoid_grad(z))
    # Passing z where the activation is expected is the classic mistake: it gives another number.
    assert not np.allclose(sigmoid_grad_from_activation(z), sigmoid_grad(z))


def test_tanh_derivative_is_one_at_zero():
    assert tanh_grad(0.0) == 1.0


def test_relu_derivative_is_zero_at_and_below_zero():
    np.testing.assert_array_equal(relu_grad([-2.0, 0.0, 3.0]), [0.0, 0.0, 1.0])


def test_leaky_relu_slope_is_a_parameter():
    np.testing.assert_allclose(leaky_relu([-2.0, 3.0], slope=0.2), [-0.4, 3.0])
    np.testing.assert_allclose(leaky_relu_grad([-2.0, 0.0, 3.0], slope=0.2), [0.2, 0.2, 1.0])
    custom = make_leaky_relu(0.3)
    np.testing.assert_allclose(custom.forward(np.array([-1.0])), [-0.3])


def test_softmax_rows_are_distributions_and_shift_invariant():
    z = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]])
    p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), [1.0, 1.0])
    np.testing.assert_allclose(p[1], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(softmax(z + 123.0), p)


def test_softmax_has_no_elementwise_derivative():
    assert get_activation("softmax").grad is None
    assert not get_activation("softmax").elementwise


def test_unknown_activation_names_the_choices():
    with pytest.raises(ValueError, match=r"unknown activation 'swish'.*sigmoid"):
        get_activation("swish")


def test_softmax_needs_a_batch_matrix():
    with pytest.raises(ValueError, match=r"2-D array of shape \(m, n\).*\(3,\)"):
        softmax(np.zeros(3))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_do_not_modify_their_input(name):
    z = np.array([[-1.0, 0.0, 2.0]])
    before = z.copy()
    activation = get_activation(name)
    activation.forward(z)
    activation.backward(np.ones_like(z), z)
    np.testing.assert_array_equal(z, before)
