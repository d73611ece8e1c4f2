"""Initialization, forward shapes, clear errors for bad shapes, and inputs left untouched."""

import itertools

import numpy as np
import pytest

from reference import (
    backward,
    dense_forward,
    dense_gradients,
    hidden_delta,
    init_network,
    network_forward,
    numerical_gradient,
    output_delta,
)


def test_init_is_seeded_and_scaled():
    a = init_network([300, 200, 10], ["relu", "softmax"], seed=1)
    b = init_network([300, 200, 10], ["relu", "softmax"], seed=1)
    np.testing.assert_array_equal(a.weights[0], b.weights[0])
    assert a.weights[0].std() == pytest.approx(np.sqrt(2 / 300), rel=0.05)       # He
    assert a.weights[1].std() == pytest.approx(np.sqrt(2 / 210), rel=0.1)        # Xavier
    assert all(np.all(bias == 0) for bias in a.biases)
    assert a.parameter_count == 300 * 200 + 200 + 200 * 10 + 10


def test_hidden_activation_shorthand():
    net = init_network([4, 8, 8, 3], "tanh", output_activation="softmax", seed=0)
    assert [a.name for a in net.activations] == ["tanh", "tanh", "softmax"]
    assert net.layer_sizes == (4, 8, 8, 3)


def test_softmax_is_only_allowed_on_the_output_layer():
    with pytest.raises(ValueError, match="layer 1: softmax is only supported on the output"):
        init_network([4, 8, 3], ["softmax", "softmax"])


def test_wrong_number_of_activations():
    with pytest.raises(ValueError, match="2 layers need 2 activations; got 1"):
        init_network([4, 8, 3], ["relu"])


def test_forward_shapes_and_cache():
    net = init_network([5, 7, 3], ["relu", "softmax"], seed=0)
    X = np.random.default_rng(0).normal(size=(11, 5))
    A, caches = network_forward(net, X)
    assert A.shape == (11, 3)
    assert [(c.A_prev.shape, c.Z.shape, c.A.shape) for c in caches] == [
        ((11, 5), (11, 7), (11, 7)), ((11, 7), (11, 3), (11, 3))]
    np.testing.assert_allclose(caches[1].A_prev, caches[0].A)


def test_dense_forward_names_the_mismatched_shapes():
    with pytest.raises(ValueError, match=r"X has 3 features per row \(shape \(2, 3\)\).*\(4, 5\)"):
        dense_forward(np.zeros((2, 3)), np.zeros((4, 5)), np.zeros(5))
    with pytest.raises(ValueError, match=r"b must have shape \(n_out,\) = \(5,\).*\(1, 5\)"):
        dense_forward(np.zeros((2, 4)), np.zeros((4, 5)), np.zeros((1, 5)))
    with pytest.raises(ValueError, match=r"2-D array.*\(4,\)"):
        dense_forward(np.zeros(4), np.zeros((4, 5)), np.zeros(5))


def test_network_rejects_inputs_of_the_wrong_width():
    net = init_network([5, 3], ["sigmoid"], seed=0)
    with pytest.raises(ValueError, match=r"X has 4 features per row .* expects 5 inputs"):
        network_forward(net, np.zeros((2, 4)))


def test_backward_shape_errors():
    with pytest.raises(ValueError, match=r"W_next must have shape \(n_l, n_next\) = \(3, 2\)"):
        hidden_delta(np.zeros((4, 2)), np.zeros((2, 3)), np.zeros((4, 3)), "relu")
    with pytest.raises(ValueError, match=r"same batch size m.*A_prev \(4, 3\) and delta \(5, 2\)"):
        dense_gradients(np.zeros((4, 3)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"A \(4, 2\) and Z \(4, 3\)"):
        output_delta(np.zeros((4, 2)), np.zeros((4, 2)), np.zeros((4, 3)), "sigmoid", "mse")


def test_backward_leaves_every_input_untouched():
    rng = np.random.default_rng(0)
    net = init_network([3, 4, 2], ["tanh", "softmax"], seed=0)
    X, Y = rng.normal(size=(6, 3)), np.eye(2)[rng.integers(0, 2, 6)]
    copies = [X.copy(), Y.copy(), *(W.copy() for W in net.weights), *(b.copy() for b in net.biases)]
    backward(net, X, Y, "cce")
    for original, copy in zip([X, Y, *net.weights, *net.biases], copies, strict=True):
        np.testing.assert_array_equal(original, copy)


def test_numerical_gradient_does_not_modify_x():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    grad = numerical_gradient(lambda v: float(np.sum(v**3)), x)
    np.testing.assert_array_equal(x, [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-8)


def test_the_exercises_signatures_agree_with_the_network_api():
    """forward_layers, backward_layers and Network.of take what the notebooks' network_forward,
    network_backward and train use (lists, activation names, plain cache tuples) and give what
    the Network API gives."""
    from reference import Network, backward_layers, forward_layers, network_gradients

    rng = np.random.default_rng(3)
    sizes = [3, 5, 4, 2]
    weights = [rng.normal(size=(a, b)) for a, b in itertools.pairwise(sizes)]
    biases = [rng.normal(size=b) for b in sizes[1:]]
    X, Y = rng.normal(size=(6, 3)), np.eye(2)[rng.integers(0, 2, 6)]
    net = Network.of(weights, biases, "tanh", "softmax")
    assert [a.name for a in net.activations] == ["tanh", "tanh", "softmax"]
    A, caches = network_forward(net, X)
    A_lists, caches_lists = forward_layers(X, weights, biases, ["tanh", "tanh", "softmax"])
    np.testing.assert_array_equal(A, A_lists)
    plain = [tuple(cache) for cache in caches_lists]
    dWs, dbs = backward_layers(output_delta(A, Y, caches[-1].Z, "softmax", "cce"), weights,
                               plain, ["tanh", "tanh"])
    expected = network_gradients(net, caches, Y, "cce")
    for got, want in zip(dWs + dbs, expected.dW + expected.db, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)
