"""Catalogued mistakes of the deltas of the backward notebook: the output deltas and
``hidden_delta`` (graded by :mod:`grading.checks.deltas`)."""

from __future__ import annotations

import numpy as np

from grading.mistakes.catalogue import mistake


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


@mistake("backward.sigmoid_bce_output_delta", "sign_flipped",
         "sigmoid_bce_output_delta uses Y - A",
         "The derivative of the loss with respect to Z is (A - Y)/m: a too-large output gives "
         "a positive delta.")
def bce_delta_sign(A, Y):
    return (np.asarray(Y) - A) / np.shape(A)[0]


@mistake("backward.sigmoid_bce_output_delta", "only_dL_dA",
         "sigmoid_bce_output_delta returns dL/dA = (A - Y) / (A (1 - A) m), not dL/dZ",
         "The delta is dL/dZ: multiply dL/dA by the sigmoid's a(1 - a), which cancels its "
         "denominator and leaves (A - Y)/m.")
def bce_delta_only_dA(A, Y):
    A = np.asarray(A, dtype=float)
    return (A - Y) / (A * (1 - A) * A.shape[0])


@mistake("backward.sigmoid_bce_output_delta", "divides_by_a_one_minus_a",
         "sigmoid_bce_output_delta divides by a(1 - a), then multiplies by it again",
         "When an output is exactly 0 or 1, a(1 - a) is 0 and the division gives NaN; the two "
         "factors cancel, so write the simplified (A - Y)/m, with no division.")
def bce_delta_divides(A, Y):
    A = np.asarray(A, dtype=float)
    dL_dA = (A - Y) / (A * (1 - A))
    return dL_dA * A * (1 - A) / A.shape[0]


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


@mistake("backward.softmax_cce_output_delta", "missing_one_over_m",
         "softmax_cce_output_delta forgets the 1/m of the mean",
         "The loss is a mean over the m rows; the delta carries 1/m: (A - Y)/m.")
def cce_delta_no_mean(A, Y):
    return np.asarray(A, dtype=float) - Y


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


@mistake("backward.hidden_delta", "derivative_at_activation",
         "hidden_delta evaluates g' at the activation sigmoid(Z) instead of at Z",
         "g_grad takes the pre-activation itself: multiply by g_grad(Z), not by g_grad of the "
         "layer's output.")
def hidden_delta_derivative_at_activation(delta_next, W_next, Z, g_grad):
    A = 1.0 / (1.0 + np.exp(-np.asarray(Z, dtype=float)))
    return (np.asarray(delta_next) @ np.asarray(W_next).T) * g_grad(A)
