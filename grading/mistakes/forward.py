"""Catalogued mistakes of the forward notebook (activations, layers, losses)."""

from __future__ import annotations

import numpy as np

from grading.mistakes.catalogue import mistake

# --- activations ---------------------------------------------------------------------------


@mistake("forward.sigmoid", "exp_ratio",
         "sigmoid as exp(z) / (1 + exp(z)) overflows for large z",
         "For large positive z, exp(z) is inf and inf/inf is NaN. Use a form that only ever "
         "exponentiates a non-positive number, choosing it by the sign of z.")
def sigmoid_exp_ratio(z):
    e = np.exp(np.asarray(z, dtype=float))
    return e / (1.0 + e)


@mistake("forward.sigmoid", "wrong_sign",
         "sigmoid with exp(+z) instead of exp(-z)",
         "sigmoid(z) should grow with z: check that sigmoid(5) is close to 1, not to 0.")
def sigmoid_wrong_sign(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, e / (1.0 + e), 1.0 / (1.0 + e))


@mistake("forward.relu", "returns_mask",
         "relu returns the 0/1 mask instead of max(0, z)",
         "That mask is ReLU's derivative. ReLU keeps positive values as they are.")
def relu_returns_mask(z):
    return (np.asarray(z) > 0).astype(float)


@mistake("forward.relu", "keeps_negative",
         "relu keeps the negative part: min(0, z)",
         "ReLU zeroes the negative inputs and passes the positive ones through.")
def relu_keeps_negative(z):
    return np.minimum(np.asarray(z, dtype=float), 0.0)


@mistake("forward.tanh", "unstable",
         "tanh as (e^z - e^-z) / (e^z + e^-z) overflows for large |z|",
         "Both exponentials overflow to inf for |z| of a few hundred. Rewrite tanh with "
         "exp(-2|z|) and restore the sign, or through the sigmoid: tanh(z) = 2 s(2z) - 1.")
def tanh_unstable(z):
    z = np.asarray(z, dtype=float)
    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))


@mistake("forward.tanh", "is_sigmoid",
         "tanh computed as the sigmoid",
         "tanh takes values in (-1, 1) and tanh(0) = 0; the sigmoid lies in (0, 1).")
def tanh_is_sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


@mistake("forward.leaky_relu", "ignores_slope",
         "leaky_relu ignores its slope argument",
         "Use the slope parameter the function receives, not a fixed 0.01.")
def leaky_relu_ignores_slope(z, slope=0.01):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.01 * z)


@mistake("forward.leaky_relu", "slope_on_positive_side",
         "leaky_relu scales the positive side by the slope",
         "The slope applies where z <= 0; positive values pass through unchanged.")
def leaky_relu_slope_on_positive(z, slope=0.01):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, slope * z, z)


@mistake("forward.softmax", "no_max_shift",
         "softmax without subtracting the row maximum overflows",
         "exp(1000) is inf. Softmax does not change if you subtract the same number from a "
         "whole row: subtract each row's maximum first.")
def softmax_no_max_shift(Z):
    e = np.exp(np.asarray(Z, dtype=float))
    return e / e.sum(axis=1, keepdims=True)


@mistake("forward.softmax", "columns",
         "softmax normalised down the columns (axis 0) instead of along each row",
         "Each row is one example: its k outputs must sum to 1. Reduce along axis=1 with "
         "keepdims=True.")
def softmax_columns(Z):
    Z = np.asarray(Z, dtype=float)
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


@mistake("forward.softmax", "whole_matrix",
         "softmax normalised over the whole matrix instead of each row",
         "Each row must sum to 1 on its own; sum along axis=1, keeping the dimension.")
def softmax_whole_matrix(Z):
    Z = np.asarray(Z, dtype=float)
    e = np.exp(Z - Z.max())
    return e / e.sum()


@mistake("forward.softmax", "in_place",
         "softmax subtracts the row maximum from Z in place",
         "Z -= ... changes the caller's array (the cache backprop needs). Build a new array: "
         "shifted = Z - Z.max(axis=1, keepdims=True).")
def softmax_in_place(Z):
    Z -= Z.max(axis=1, keepdims=True)
    e = np.exp(Z)
    return e / e.sum(axis=1, keepdims=True)


@mistake("forward.softmax", "sum_down_columns",
         "softmax subtracts each row's maximum but divides by the column sums",
         "Each row is one example and must sum to 1: after exp, divide by the sum along "
         "axis=1 (keepdims=True), not along axis 0.")
def softmax_sum_down_columns(Z):
    Z = np.asarray(Z, dtype=float)
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


@mistake("forward.softmax", "no_keepdims",
         "softmax reduces along axis=1 without keepdims=True",
         "Z.max(axis=1) has shape (m,), which NumPy lines up with the columns of Z, not its "
         "rows; keepdims=True gives an (m, 1) column that meets each row.")
def softmax_no_keepdims(Z):
    Z = np.asarray(Z, dtype=float)
    e = np.exp(Z - Z.max(axis=1))
    return e / e.sum(axis=1)


# --- layers ----------------------------------------------------------------------------------


@mistake("forward.dense_forward", "no_activation",
         "dense_forward returns Z as the activation",
         "After Z = X @ W + b, apply the layer's activation g to get A.")
def dense_forward_no_activation(X, W, b, g):
    Z = np.asarray(X) @ W + b
    return Z, (X, Z, Z)


@mistake("forward.dense_forward", "no_bias",
         "dense_forward leaves out the bias: Z = X @ W",
         "Every unit has its bias: Z = X @ W + b, with b of shape (n_out,) added to each row.")
def dense_forward_no_bias(X, W, b, g):
    Z = np.asarray(X) @ W
    A = g(Z)
    return A, (X, Z, A)


@mistake("forward.dense_forward", "bias_as_column",
         "dense_forward adds b as a column (one bias per example)",
         "b has one entry per output unit, shape (n_out,); it must be added to every row, "
         "which NumPy does when you add the 1-D b to the (m, n_out) matrix.")
def dense_forward_bias_as_column(X, W, b, g):
    Z = np.asarray(X) @ W + np.asarray(b).reshape(-1, 1)
    return g(Z), (X, Z, g(Z))


@mistake("forward.dense_forward", "transposed_weights",
         "dense_forward uses X @ W.T",
         "In our convention W has shape (n_in, n_out), so Z = X @ W needs no transpose.")
def dense_forward_transposed(X, W, b, g):
    Z = np.asarray(X) @ np.asarray(W).T + b
    return g(Z), (X, Z, g(Z))


@mistake("forward.dense_forward", "cache_holds_output",
         "dense_forward caches its output where its input belongs",
         "The cache is (A_prev, Z, A): backprop needs the layer's input to compute dW.")
def dense_forward_cache_output(X, W, b, g):
    Z = np.asarray(X) @ W + b
    A = g(Z)
    return A, (A, Z, A)


@mistake("forward.dense_forward", "cache_order",
         "dense_forward caches (A_prev, A, Z): Z and A swapped",
         "The order is (A_prev, Z, A): the layer's input, its pre-activation, its output.")
def dense_forward_cache_order(X, W, b, g):
    Z = np.asarray(X) @ W + b
    A = g(Z)
    return A, (X, A, Z)


@mistake("forward.network_forward", "activation_off_by_one",
         "network_forward applies each layer the next layer's activation",
         "Layer l uses activations[l]; check the index you use inside the loop.")
def network_forward_off_by_one(X, weights, biases, activations):
    A, caches = np.asarray(X, dtype=float), []
    shifted = [*activations[1:], activations[0]]
    for W, b, g in zip(weights, biases, shifted, strict=True):
        Z = A @ W + b
        caches.append((A, Z, g(Z)))
        A = g(Z)
    return A, caches


@mistake("forward.network_forward", "last_layer_linear",
         "network_forward skips the output layer's activation",
         "Every layer, the last one included, applies its activation.")
def network_forward_last_linear(X, weights, biases, activations):
    A, caches = np.asarray(X, dtype=float), []
    for index, (W, b, g) in enumerate(zip(weights, biases, activations, strict=True)):
        Z = A @ W + b
        A_next = Z if index == len(weights) - 1 else g(Z)
        caches.append((A, Z, A_next))
        A = A_next
    return A, caches


@mistake("forward.network_forward", "cache_order",
         "network_forward caches each layer's (A_prev, A, Z): Z and A swapped",
         "Each cache is (A_prev, Z, A), the order backprop reads it in: the layer's input, its "
         "pre-activation, its output.")
def network_forward_cache_order(X, weights, biases, activations):
    A, caches = np.asarray(X, dtype=float), []
    for W, b, g in zip(weights, biases, activations, strict=True):
        Z = A @ W + b
        caches.append((A, g(Z), Z))
        A = g(Z)
    return A, caches


# --- losses ----------------------------------------------------------------------------------


@mistake("forward.mean_squared_error", "no_half",
         "mean_squared_error without the factor 1/2",
         "Our MSE is 1/(2m) times the summed squared error; the 1/2 makes its gradient A - Y.")
def mse_no_half(A, Y):
    return float(np.sum((np.asarray(A) - Y) ** 2) / np.shape(A)[0])


@mistake("forward.mean_squared_error", "mean_over_all_entries",
         "mean_squared_error divides by every entry instead of by the batch size m",
         "Average over the m examples (rows) only; sum over the outputs of each example.")
def mse_mean_all(A, Y):
    return float(0.5 * np.mean((np.asarray(A) - Y) ** 2))


@mistake("forward.mean_squared_error", "no_mean",
         "mean_squared_error sums over the batch instead of averaging",
         "The loss is a mean over the batch: divide the sum by m.")
def mse_no_mean(A, Y):
    return float(0.5 * np.sum((np.asarray(A) - Y) ** 2))


@mistake("forward.mean_squared_error", "sign_flipped",
         "mean_squared_error returns a negative loss",
         "A sum of squares is never negative: L = 1/(2m) * sum (a - y)**2, with no minus sign.")
def mse_sign_flipped(A, Y):
    return float(-0.5 * np.sum((np.asarray(A) - Y) ** 2) / np.shape(A)[0])


@mistake("forward.binary_cross_entropy", "unclipped",
         "binary_cross_entropy takes log(0) when an output saturates",
         "A saturated sigmoid output can be exactly 0 or 1; clip A into [1e-12, 1 - 1e-12] "
         "before taking logs.")
def bce_unclipped(A, Y):
    A = np.asarray(A, dtype=float)
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / A.shape[0])


@mistake("forward.binary_cross_entropy", "missing_minus",
         "binary_cross_entropy without the leading minus sign",
         "Logs of probabilities are negative; the loss must be positive and shrink as A "
         "approaches Y.")
def bce_missing_minus(A, Y):
    A = np.clip(np.asarray(A, dtype=float), 1e-12, 1 - 1e-12)
    return float(np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / A.shape[0])


@mistake("forward.binary_cross_entropy", "only_positive_term",
         "binary_cross_entropy drops the (1 - y) log(1 - a) term",
         "Examples with y = 0 must cost something too when a is close to 1.")
def bce_only_positive(A, Y):
    A = np.clip(np.asarray(A, dtype=float), 1e-12, 1 - 1e-12)
    return float(-np.sum(Y * np.log(A)) / A.shape[0])


@mistake("forward.binary_cross_entropy", "mean_over_all_entries",
         "binary_cross_entropy divides by m * k instead of m",
         "Average over the m examples (rows) only; sum over the outputs of each example.")
def bce_mean_all(A, Y):
    A = np.clip(np.asarray(A, dtype=float), 1e-12, 1 - 1e-12)
    return float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))


@mistake("forward.binary_cross_entropy", "no_mean",
         "binary_cross_entropy sums over the batch instead of averaging",
         "The loss is a mean over the batch: divide the sum by m, the number of rows.")
def bce_no_mean(A, Y):
    A = np.clip(np.asarray(A, dtype=float), 1e-12, 1 - 1e-12)
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)))


@mistake("forward.categorical_cross_entropy", "mean_over_all_entries",
         "categorical_cross_entropy divides by m * k instead of m",
         "Sum -y log a over the classes of each example, then average over the m examples.")
def cce_mean_all(A, Y):
    return float(-np.mean(Y * np.log(np.maximum(A, 1e-12))))


@mistake("forward.categorical_cross_entropy", "no_mean",
         "categorical_cross_entropy sums over the batch instead of averaging",
         "The loss is a mean over the batch: divide the sum by m, the number of rows.")
def cce_no_mean(A, Y):
    return float(-np.sum(Y * np.log(np.maximum(A, 1e-12))))


@mistake("forward.categorical_cross_entropy", "missing_minus",
         "categorical_cross_entropy without the leading minus sign",
         "Logs of probabilities are negative; the loss -sum y log a is positive and shrinks "
         "as the true class's probability approaches 1.")
def cce_missing_minus(A, Y):
    return float(np.sum(Y * np.log(np.maximum(A, 1e-12))) / np.shape(A)[0])


@mistake("forward.categorical_cross_entropy", "unfloored_log",
         "categorical_cross_entropy takes log(0)",
         "A probability can underflow to exactly 0; floor A at 1e-12 before the log.")
def cce_unfloored(A, Y):
    A = np.asarray(A, dtype=float)
    return float(-np.sum(Y * np.log(A)) / A.shape[0])


@mistake("forward.categorical_cross_entropy", "applies_softmax_again",
         "categorical_cross_entropy applies softmax to probabilities",
         "A is already the softmax output: take its log directly.")
def cce_softmax_again(A, Y):
    A = np.asarray(A, dtype=float)
    e = np.exp(A - A.max(axis=1, keepdims=True))
    return float(-np.sum(Y * np.log(e / e.sum(axis=1, keepdims=True))) / A.shape[0])
