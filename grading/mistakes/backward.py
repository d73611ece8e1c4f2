"""Catalogued mistakes of the backward notebook (derivatives, deltas, gradients, checks)."""

from __future__ import annotations

import numpy as np

from grading.mistakes.catalogue import mistake

# --- activation derivatives -----------------------------------------------------------------


@mistake("backward.sigmoid_grad", "formula_of_activation_on_z",
         "sigmoid_grad uses z * (1 - z): the activation's formula applied to the pre-activation",
         "a * (1 - a) holds for the activation a = sigmoid(z). sigmoid_grad receives z: "
         "compute the sigmoid first.")
def sigmoid_grad_on_z(z):
    z = np.asarray(z, dtype=float)
    return z * (1 - z)


@mistake("backward.sigmoid_grad", "missing_one_minus",
         "sigmoid_grad returns sigmoid(z) without the (1 - sigmoid(z)) factor",
         "The derivative is s(z) * (1 - s(z)); it peaks at 0.25 when z = 0.")
def sigmoid_grad_missing_factor(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


@mistake("backward.tanh_grad", "formula_of_activation_on_z",
         "tanh_grad uses 1 - z**2: the activation's formula applied to the pre-activation",
         "1 - a**2 holds for a = tanh(z). tanh_grad receives z: compute tanh(z) first.")
def tanh_grad_on_z(z):
    return 1 - np.asarray(z, dtype=float) ** 2


@mistake("backward.tanh_grad", "missing_square",
         "tanh_grad uses 1 - tanh(z) without the square",
         "The derivative of tanh is 1 - tanh(z)**2, which is 1 at z = 0 and never negative.")
def tanh_grad_missing_square(z):
    return 1 - np.tanh(np.asarray(z, dtype=float))


@mistake("backward.relu_grad", "one_at_zero",
         "relu_grad is 1 at z = 0",
         "Our convention: ReLU's derivative is 0 for z <= 0, including the kink at 0.")
def relu_grad_one_at_zero(z):
    return (np.asarray(z) >= 0).astype(float)


@mistake("backward.relu_grad", "returns_relu",
         "relu_grad returns relu(z) instead of its derivative",
         "The derivative is 1 where z > 0 and 0 elsewhere: a mask, not the values.")
def relu_grad_returns_relu(z):
    return np.maximum(np.asarray(z, dtype=float), 0)


@mistake("backward.leaky_relu_grad", "ignores_slope",
         "leaky_relu_grad is 0 for z <= 0, as for a plain ReLU",
         "Below zero, leaky ReLU has slope `slope`, so its derivative there is `slope`.")
def leaky_relu_grad_ignores_slope(z, slope=0.01):
    return (np.asarray(z) > 0).astype(float)


@mistake("backward.leaky_relu_grad", "slope_everywhere",
         "leaky_relu_grad puts the slope on the positive side",
         "For z > 0 leaky ReLU is the identity: derivative 1. The slope is for z <= 0.")
def leaky_relu_grad_swapped(z, slope=0.01):
    return np.where(np.asarray(z) > 0, slope, 1.0)


# --- output deltas ----------------------------------------------------------------------------


@mistake("backward.mse_output_delta", "missing_activation_derivative",
         "mse_output_delta leaves out the activation derivative g'(Z)",
         "delta_L = dL/dA * g'(Z): the error must also pass through the output activation.")
def mse_delta_missing_derivative(A, Y, Z, g_grad):
    return (np.asarray(A) - Y) / np.shape(A)[0]


@mistake("backward.mse_output_delta", "missing_one_over_m",
         "mse_output_delta forgets the 1/m of the mean",
         "The loss is a mean over m examples; its derivative carries that 1/m.")
def mse_delta_no_mean(A, Y, Z, g_grad):
    return (np.asarray(A) - Y) * g_grad(Z)


@mistake("backward.mse_output_delta", "derivative_of_activation",
         "mse_output_delta evaluates the derivative at A instead of Z",
         "Derivatives take the pre-activation Z; g_grad(A) differentiates at the wrong point.")
def mse_delta_grad_at_a(A, Y, Z, g_grad):
    return (np.asarray(A) - Y) / np.shape(A)[0] * g_grad(A)


@mistake("backward.mse_output_delta", "sign_flipped",
         "mse_output_delta uses Y - A",
         "The derivative of 1/(2m) (a - y)**2 with respect to a is (a - y)/m, not (y - a)/m.")
def mse_delta_sign(A, Y, Z, g_grad):
    return (np.asarray(Y) - A) / np.shape(A)[0] * g_grad(Z)


@mistake("backward.sigmoid_bce_output_delta", "extra_sigmoid_derivative",
         "sigmoid_bce_output_delta multiplies by a(1 - a) again",
         "With binary cross-entropy the sigmoid's a(1 - a) cancels: the delta is (A - Y)/m.")
def bce_delta_extra_derivative(A, Y):
    A = np.asarray(A, dtype=float)
    return (A - Y) / A.shape[0] * A * (1 - A)


@mistake("backward.sigmoid_bce_output_delta", "missing_one_over_m",
         "sigmoid_bce_output_delta forgets the 1/m of the mean",
         "The loss is a mean over the m rows; the delta carries 1/m.")
def bce_delta_no_mean(A, Y):
    return np.asarray(A, dtype=float) - Y


@mistake("backward.softmax_cce_output_delta", "skips_softmax",
         "softmax_cce_output_delta uses -Y / (A m): the gradient with respect to A, not Z",
         "The delta is dL/dZ: the cross-entropy gradient must go through the softmax, and "
         "together they simplify to (A - Y)/m.")
def cce_delta_skips_softmax(A, Y):
    A = np.asarray(A, dtype=float)
    return -np.asarray(Y) / (np.maximum(A, 1e-12) * A.shape[0])


@mistake("backward.softmax_cce_output_delta", "sign_flipped",
         "softmax_cce_output_delta uses Y - A",
         "Gradient descent subtracts the gradient; the gradient here is (A - Y)/m.")
def cce_delta_sign(A, Y):
    return (np.asarray(Y) - A) / np.shape(A)[0]


# --- hidden delta and gradients ---------------------------------------------------------------


@mistake("backward.hidden_delta", "missing_transpose",
         "hidden_delta uses W instead of W.T",
         "W_next maps this layer (n_l) to the next (n_next); to go back, multiply by its "
         "transpose: delta_next (m, n_next) @ W_next.T (n_next, n_l).")
def hidden_delta_no_transpose(delta_next, W_next, Z, g_grad):
    return (np.asarray(delta_next) @ np.asarray(W_next)) * g_grad(Z)


@mistake("backward.hidden_delta", "missing_activation_derivative",
         "hidden_delta leaves out g'(Z)",
         "After sending the delta back through W_next.T, multiply by this layer's g'(Z).")
def hidden_delta_no_derivative(delta_next, W_next, Z, g_grad):
    return np.asarray(delta_next) @ np.asarray(W_next).T


@mistake("backward.hidden_delta", "derivative_at_wrong_point",
         "hidden_delta evaluates g' at the back-propagated error instead of at Z",
         "g' is this layer's slope at its own pre-activation Z, which the cache holds.")
def hidden_delta_derivative_of_error(delta_next, W_next, Z, g_grad):
    back = np.asarray(delta_next) @ np.asarray(W_next).T
    return back * g_grad(back)


@mistake("backward.dense_gradients", "dW_transposed",
         "dense_gradients returns dW transposed: delta.T @ A_prev",
         "dW must have the shape of W, (n_in, n_out): A_prev.T (n_in, m) @ delta (m, n_out).")
def dense_gradients_transposed(A_prev, delta):
    return np.asarray(delta).T @ A_prev, np.sum(delta, axis=0)


@mistake("backward.dense_gradients", "one_over_m_twice",
         "dense_gradients divides by m again",
         "The 1/m of the mean loss is already inside delta; dividing again applies it twice.")
def dense_gradients_double_mean(A_prev, delta):
    m = np.shape(delta)[0]
    return np.asarray(A_prev).T @ delta / m, np.sum(delta, axis=0) / m


@mistake("backward.dense_gradients", "db_wrong_axis",
         "dense_gradients sums db over the units instead of over the batch",
         "db has one entry per output unit, (n_out,): sum delta over the examples, axis=0.")
def dense_gradients_db_axis(A_prev, delta):
    return np.asarray(A_prev).T @ delta, np.sum(delta, axis=1)


@mistake("backward.dense_gradients", "db_kept_2d",
         "dense_gradients returns db of shape (1, n_out)",
         "b has shape (n_out,); its gradient must too: sum over axis 0 without keepdims.")
def dense_gradients_db_2d(A_prev, delta):
    return np.asarray(A_prev).T @ delta, np.sum(delta, axis=0, keepdims=True)


@mistake("backward.network_backward", "weight_index_off_by_one",
         "network_backward sends the delta back through the wrong layer's weights",
         "To get layer l's delta from layer l+1's, use W of layer l+1 (the weights between "
         "them); check the index in your loop.")
def network_backward_off_by_one(delta_L, weights, caches, hidden_grads):
    delta, dWs, dbs = np.asarray(delta_L, dtype=float), [], []
    for layer in range(len(weights) - 1, -1, -1):
        dWs.insert(0, np.asarray(caches[layer][0]).T @ delta)
        dbs.insert(0, delta.sum(axis=0))
        if layer > 0:
            delta = (delta @ weights[layer - 1].T) * hidden_grads[layer - 1](caches[layer - 1][1])
    return dWs, dbs


@mistake("backward.network_backward", "derivative_of_activation",
         "network_backward evaluates g' at the activations A instead of Z",
         "The cache holds (A_prev, Z, A); derivatives take the pre-activation Z.")
def network_backward_uses_a(delta_L, weights, caches, hidden_grads):
    delta, dWs, dbs = np.asarray(delta_L, dtype=float), [], []
    for layer in range(len(weights) - 1, -1, -1):
        dWs.insert(0, np.asarray(caches[layer][0]).T @ delta)
        dbs.insert(0, delta.sum(axis=0))
        if layer > 0:
            delta = (delta @ weights[layer].T) * hidden_grads[layer - 1](caches[layer - 1][2])
    return dWs, dbs


@mistake("backward.network_backward", "reversed_order",
         "network_backward returns the gradients last layer first",
         "dWs[0] must belong to the first layer, like weights[0]; build the lists in "
         "that order or reverse them at the end.")
def network_backward_reversed(delta_L, weights, caches, hidden_grads):
    delta, dWs, dbs = np.asarray(delta_L, dtype=float), [], []
    for layer in range(len(weights) - 1, -1, -1):
        dWs.append(np.asarray(caches[layer][0]).T @ delta)
        dbs.append(delta.sum(axis=0))
        if layer > 0:
            delta = (delta @ weights[layer].T) * hidden_grads[layer - 1](caches[layer - 1][1])
    return dWs, dbs


# --- gradient checking ------------------------------------------------------------------------


@mistake("backward.numerical_gradient", "one_sided",
         "numerical_gradient uses a one-sided difference (f(x + eps) - f(x)) / eps",
         "A centered difference (f(x + eps) - f(x - eps)) / (2 eps) is far more accurate.")
def numerical_gradient_one_sided(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    grad, base = np.zeros_like(x), f(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + eps
        grad[index] = (f(x) - base) / eps
        x[index] = old
    return grad


@mistake("backward.numerical_gradient", "divides_by_eps",
         "numerical_gradient divides the centered difference by eps instead of 2 eps",
         "The two evaluation points are 2 eps apart.")
def numerical_gradient_half_step(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + eps
        plus = f(x)
        x[index] = old - eps
        grad[index] = (plus - f(x)) / eps
        x[index] = old
    return grad


@mistake("backward.numerical_gradient", "modifies_input",
         "numerical_gradient leaves x changed after it returns",
         "Work on a copy of x, or put each entry back after nudging it.")
def numerical_gradient_in_place(f, x, eps=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + eps
        plus = f(x)
        x[index] = old - eps
        grad[index] = (plus - f(x)) / (2 * eps)
    return grad


@mistake("backward.relative_error", "no_floor",
         "relative_error divides by |a| + |n| with no floor",
         "Two zero gradients agree perfectly but give 0/0; divide by max(1e-8, |a| + |n|).")
def relative_error_no_floor(a, n):
    a, n = np.asarray(a, dtype=float), np.asarray(n, dtype=float)
    return float(np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)))


@mistake("backward.relative_error", "absolute",
         "relative_error returns the absolute difference",
         "Divide by the sizes of the two gradients so the measure does not depend on scale.")
def relative_error_absolute(a, n):
    return float(np.linalg.norm(np.asarray(a, dtype=float) - n))

