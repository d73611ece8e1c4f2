"""A 2-2-1 sigmoid network on one XOR example, every number worked out by hand.

Example ``x = (1, 0)`` with target ``y = 1``; binary cross-entropy; learning rate 0.5.
Layer 1: ``W1 = [[0.5, -0.4], [0.3, 0.8]]``, ``b1 = [0.1, -0.1]``.
Layer 2: ``W2 = [[0.7], [-0.6]]``, ``b2 = [0.2]``.

By hand (sigma is the sigmoid):
    z1 = x @ W1 + b1 = (1*0.5 + 0*0.3 + 0.1, 1*(-0.4) + 0*0.8 - 0.1) = (0.6, -0.5)
    a1 = (sigma(0.6), sigma(-0.5)) = (0.645656306, 0.377540669)
    z2 = 0.7*0.645656306 - 0.6*0.377540669 + 0.2 = 0.425435013
    a2 = sigma(0.425435013) = 0.604783066
    delta2 = (a2 - y) / m = -0.395216934            (sigmoid + BCE, m = 1)
    delta1 = delta2 * W2.T * a1 * (1 - a1)
           = (-0.395216934 * 0.7 * 0.228784, -0.395216934 * -0.6 * 0.235003)
           = (-0.063293584, 0.055726468)
    dW2 = a1.T @ delta2 = (-0.255174305, -0.149210465),   db2 = -0.395216934
    dW1 = x.T @ delta1 = [[-0.063293584, 0.055726468], [0, 0]],  db1 = delta1
    loss = -log(a2) = 0.502885453
"""

import numpy as np
import pytest

from reference import (
    dense_gradients,
    hidden_delta,
    init_network,
    network_forward,
    network_gradients,
    output_delta,
    sgd_step,
)
from reference.losses import binary_cross_entropy

X = np.array([[1.0, 0.0]])
Y = np.array([[1.0]])
W1 = np.array([[0.5, -0.4], [0.3, 0.8]])
B1 = np.array([0.1, -0.1])
W2 = np.array([[0.7], [-0.6]])
B2 = np.array([0.2])
LR = 0.5
TOL = dict(rtol=0, atol=1e-9)


@pytest.fixture
def network():
    net = init_network([2, 2, 1], ["sigmoid", "sigmoid"], seed=0)
    return net.with_parameters([W1, W2], [B1, B2])


def test_forward_intermediates(network):
    A2, (layer1, layer2) = network_forward(network, X)
    np.testing.assert_allclose(layer1.Z, [[0.6, -0.5]], **TOL)
    np.testing.assert_allclose(layer1.A, [[0.645656306, 0.377540669]], atol=1e-9)
    np.testing.assert_allclose(layer2.Z, [[0.425435013]], atol=1e-9)
    np.testing.assert_allclose(A2, [[0.604783066]], atol=1e-9)
    assert binary_cross_entropy(A2, Y) == pytest.approx(0.502885453, abs=1e-9)


def test_deltas(network):
    _, (layer1, layer2) = network_forward(network, X)
    delta2 = output_delta(layer2.A, Y, layer2.Z, "sigmoid", "bce")
    np.testing.assert_allclose(delta2, [[-0.395216934]], atol=1e-9)
    delta1 = hidden_delta(delta2, W2, layer1.Z, "sigmoid")
    np.testing.assert_allclose(delta1, [[-0.063293584, 0.055726468]], atol=1e-9)


def test_general_output_delta_agrees_with_simplified_one(network):
    """dL/dA * sigma'(z) for BCE equals (a - y) / m: the simplification is exact."""
    from reference import binary_cross_entropy_grad, sigmoid_grad

    _, (_, layer2) = network_forward(network, X)
    general = binary_cross_entropy_grad(layer2.A, Y) * sigmoid_grad(layer2.Z)
    np.testing.assert_allclose(general, [[-0.395216934]], atol=1e-9)


def test_weight_gradients(network):
    _, caches = network_forward(network, X)
    grads = network_gradients(network, caches, Y, "bce")
    np.testing.assert_allclose(grads.dW[1], [[-0.255174305], [-0.149210465]], atol=1e-9)
    np.testing.assert_allclose(grads.db[1], [-0.395216934], atol=1e-9)
    np.testing.assert_allclose(grads.dW[0], [[-0.063293584, 0.055726468], [0.0, 0.0]], atol=1e-9)
    np.testing.assert_allclose(grads.db[0], [-0.063293584, 0.055726468], atol=1e-9)
    dW2, db2 = dense_gradients(caches[1].A_prev, [[-0.395216934]])
    np.testing.assert_allclose(dW2, grads.dW[1], atol=1e-9)
    np.testing.assert_allclose(db2, grads.db[1], atol=1e-9)


def test_updated_weights(network):
    _, caches = network_forward(network, X)
    grads = network_gradients(network, caches, Y, "bce")
    # W - lr * dW, e.g. 0.7 - 0.5 * (-0.255174305) = 0.827587153
    np.testing.assert_allclose(sgd_step(W2, grads.dW[1], LR), [[0.827587153], [-0.525394767]],
                               atol=1e-9)
    np.testing.assert_allclose(sgd_step(B2, grads.db[1], LR), [0.397608467], atol=1e-9)
    np.testing.assert_allclose(
        sgd_step(W1, grads.dW[0], LR), [[0.531646792, -0.427863234], [0.3, 0.8]], atol=1e-9
    )
    np.testing.assert_allclose(sgd_step(B1, grads.db[0], LR), [0.131646792, -0.127863234],
                               atol=1e-9)


def test_one_step_lowers_the_loss(network):
    A_before, caches = network_forward(network, X)
    grads = network_gradients(network, caches, Y, "bce")
    stepped = network.with_parameters(
        [sgd_step(W, dW, LR) for W, dW in zip(network.weights, grads.dW, strict=True)],
        [sgd_step(b, db, LR) for b, db in zip(network.biases, grads.db, strict=True)],
    )
    A_after, _ = network_forward(stepped, X)
    assert binary_cross_entropy(A_after, Y) < binary_cross_entropy(A_before, Y)


def test_two_layer_step_reproduces_every_number_worked_by_hand():
    """The notebook's exercise (ps2, exercise 3) asks for exactly these numbers."""
    from reference import two_layer_step

    step = two_layer_step(X, Y, W1, B1, W2, B2, LR)
    by_hand = {
        "Z1": [[0.6, -0.5]], "A1": [[0.645656306, 0.377540669]], "Z2": [[0.425435013]],
        "A2": [[0.604783066]], "loss": 0.502885453, "delta2": [[-0.395216934]],
        "delta1": [[-0.063293584, 0.055726468]], "dW2": [[-0.255174305], [-0.149210465]],
        "db2": [-0.395216934], "dW1": [[-0.063293584, 0.055726468], [0.0, 0.0]],
        "db1": [-0.063293584, 0.055726468], "W2": [[0.827587153], [-0.525394767]],
        "b2": [0.397608467], "W1": [[0.531646792, -0.427863234], [0.3, 0.8]],
        "b1": [0.131646792, -0.127863234],
    }
    for key, value in by_hand.items():
        np.testing.assert_allclose(step[key], value, atol=1e-9, err_msg=key)
