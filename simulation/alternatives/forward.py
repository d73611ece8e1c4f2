# Student code, linted like the notebooks it stands for (pyproject.toml's rules for *.ipynb):
# math names (l, W, A), loops written out, unused names from unpacking a cache.
# ruff: noqa: E741, B905
"""Correct answers to ps1 (forward.ipynb), written differently from the reference."""

from __future__ import annotations

import math
from functools import reduce

import numpy as np

from simulation.alternatives import correct

# ---- sigmoid: stable for |z| up to 1e3 ----


@correct("forward.sigmoid")
def sigmoid_logaddexp(z):
    # 1 / (1 + e^-z) = exp(-log(1 + e^-z)), and logaddexp(0, -z) = log(1 + e^-z) never overflows
    return np.exp(-np.logaddexp(0, -np.asarray(z)))


@correct("forward.sigmoid")
def sigmoid_tanh(z):
    return 0.5 * (1 + np.tanh(np.asarray(z) / 2))


@correct("forward.sigmoid")
def sigmoid_masks(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    out[~pos] = e / (1 + e)
    return out


@correct("forward.sigmoid")
def sigmoid_loop(z):
    z = np.asarray(z, dtype=float)
    out = np.zeros(z.shape)
    for index in np.ndindex(z.shape):
        x = z[index]
        if x >= 0:
            out[index] = 1 / (1 + math.exp(-x))
        else:
            out[index] = math.exp(x) / (1 + math.exp(x))
    return out


@correct("forward.sigmoid")
def sigmoid_clipped(z):
    z = np.clip(z, -500, 500)  # sigmoid(500) is 1 and sigmoid(-500) 0 to double precision
    return 1 / (1 + np.exp(-z))


@correct("forward.sigmoid")
def sigmoid_where_both_branches(z):
    # both branches are computed and one overflows (a warning, which the grader silences);
    # np.where keeps only the finite one
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


@correct("forward.sigmoid")
def sigmoid_float32(z):
    z = np.asarray(z, dtype=np.float32)  # single precision is plenty for a probability
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


@correct("forward.sigmoid")
def sigmoid_scipy(z):
    from scipy.special import expit  # scipy comes with scikit-learn, so students have it

    return expit(z)


# ---- relu ----


@correct("forward.relu")
def relu_where(z):
    return np.where(z > 0, z, 0.0)


@correct("forward.relu")
def relu_mask_product(z):
    return z * (z > 0)


@correct("forward.relu")
def relu_copy_then_zero(z):
    out = np.array(z, dtype=float)  # a copy: z stays as it was
    out[out < 0] = 0
    return out


@correct("forward.relu")
def relu_clip(z):
    return np.clip(z, 0, None)


@correct("forward.relu")
def relu_abs(z):
    return (z + np.abs(z)) / 2


@correct("forward.relu")
def relu_loop(z):
    return np.array([max(0.0, float(x)) for x in np.ravel(z)]).reshape(np.shape(z))


# ---- tanh, without np.tanh ----


@correct("forward.tanh")
def tanh_sign_symmetric(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-2 * np.abs(z))  # in (0, 1]: never overflows
    return np.sign(z) * (1 - e) / (1 + e)


@correct("forward.tanh")
def tanh_from_logaddexp_sigmoid(z):
    s = np.exp(-np.logaddexp(0, -2 * np.asarray(z)))  # sigmoid(2z)
    return 2 * s - 1


@correct("forward.tanh")
def tanh_clipped_exp(z):
    z = np.clip(z, -20, 20)  # tanh(20) is 1 to double precision
    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))


@correct("forward.tanh")
def tanh_masks(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z > 0
    e = np.exp(-2 * z[pos])
    out[pos] = (1 - e) / (1 + e)
    e = np.exp(2 * z[~pos])
    out[~pos] = (e - 1) / (e + 1)
    return out


@correct("forward.tanh")
def tanh_loop(z):
    z = np.asarray(z, dtype=float)
    out = np.zeros(z.shape)
    for index in np.ndindex(z.shape):
        e = math.exp(-2 * abs(z[index]))
        out[index] = math.copysign((1 - e) / (1 + e), z[index])
    return out


# ---- leaky_relu ----


@correct("forward.leaky_relu")
def leaky_relu_maximum(z, slope=0.01):
    return np.maximum(z, slope * z)  # for 0 <= slope <= 1, the larger of the two is right


@correct("forward.leaky_relu")
def leaky_relu_copy_and_scale(z, slope=0.01):
    out = np.array(z, dtype=float)
    out[out < 0] *= slope
    return out


@correct("forward.leaky_relu")
def leaky_relu_parts(z, slope=0.01):
    return np.maximum(z, 0) + slope * np.minimum(z, 0)


@correct("forward.leaky_relu")
def leaky_relu_factor(z, slope=0.01):
    return z * np.where(z >= 0, 1.0, slope)


@correct("forward.leaky_relu")
def leaky_relu_loop(z, slope=0.01):
    flat = [x if x > 0 else slope * x for x in np.ravel(z).tolist()]
    return np.array(flat, dtype=float).reshape(np.shape(z))


# ---- softmax, row by row ----


@correct("forward.softmax")
def softmax_logsumexp(Z):
    Z = np.asarray(Z, dtype=float)
    top = Z.max(axis=1, keepdims=True)
    log_norm = top + np.log(np.sum(np.exp(Z - top), axis=1, keepdims=True))
    return np.exp(Z - log_norm)


@correct("forward.softmax")
def softmax_row_loop(Z):
    out = np.zeros(np.shape(Z))
    for i, row in enumerate(np.asarray(Z, dtype=float)):
        e = np.exp(row - np.max(row))
        out[i] = e / np.sum(e)
    return out


@correct("forward.softmax")
def softmax_transposed(Z):
    E = np.exp(Z.T - Z.max(axis=1))  # columns are examples here
    return (E / E.sum(axis=0)).T


@correct("forward.softmax")
def softmax_reshape_einsum(Z):
    E = np.exp(Z - np.max(Z, axis=1).reshape(-1, 1))
    return E / np.einsum("ij->i", E)[:, None]


@correct("forward.softmax")
def softmax_float32(Z):
    Z = np.asarray(Z, dtype=np.float32)
    E = np.exp(Z - Z.max(axis=1)[:, np.newaxis])
    return E / E.sum(axis=1)[:, np.newaxis]


@correct("forward.softmax")
def softmax_scipy(Z):
    from scipy.special import softmax

    return softmax(Z, axis=1)


# ---- dense_forward ----


@correct("forward.dense_forward")
def dense_forward_dot(X, W, b, g):
    Z = np.dot(X, W) + b
    A = g(Z)
    return A, (X, Z, A)


@correct("forward.dense_forward")
def dense_forward_einsum(X, W, b, g):
    Z = np.einsum("mi,io->mo", X, W) + b
    A = g(Z)
    return A, [X, Z, A]


@correct("forward.dense_forward")
def dense_forward_loops(X, W, b, g):
    m, n_in = X.shape
    n_out = W.shape[1]
    Z = np.zeros((m, n_out))
    for i in range(m):
        for j in range(n_out):
            Z[i, j] = b[j] + sum(X[i, k] * W[k, j] for k in range(n_in))
    A = g(Z)
    return A, (X, Z, A)


@correct("forward.dense_forward")
def dense_forward_columns(X, W, b, g):
    # worked in the column convention (examples as columns), then turned back into rows
    Z = (np.matmul(W.T, X.T) + b.reshape(-1, 1)).T
    A = g(Z)
    return A, (X.copy(), Z, A)


@correct("forward.dense_forward")
def dense_forward_float32_loop(X, W, b, g):
    # in the inputs' own precision (float32 in, float32 out), the bias first, then the products
    m, n_in = X.shape
    n_out = W.shape[1]
    Z = np.empty((m, n_out), dtype=np.result_type(X, W, b))
    for i in range(m):
        for j in range(n_out):
            total = b[j]
            for k in range(n_in):
                total = total + X[i, k] * W[k, j]
            Z[i, j] = total
    A = g(Z)
    return A, (X, Z, A)


@correct("forward.dense_forward")
def dense_forward_single_precision(X, W, b, g):
    # single precision throughout, whatever comes in: half the memory, and plenty for a layer
    X32 = np.asarray(X, dtype=np.float32)
    Z = np.zeros((X32.shape[0], np.shape(W)[1]))  # a float64 array, filled with float32 sums
    for j in range(Z.shape[1]):
        Z[:, j] = np.float32(b[j]) + X32 @ np.asarray(W, dtype=np.float32)[:, j]
    A = g(Z)
    return A, (X32, Z, A)


# ---- network_forward ----


@correct("forward.network_forward")
def network_forward_indexed(X, weights, biases, activations):
    caches = []
    A = X
    for l in range(len(weights)):
        A_prev = A
        Z = A_prev @ weights[l] + biases[l]
        A = activations[l](Z)
        caches.append((A_prev, Z, A))
    return A, caches


@correct("forward.network_forward")
def network_forward_recursive(X, weights, biases, activations):
    if not weights:
        return X, []
    Z = X @ weights[0] + biases[0]
    A = activations[0](Z)
    A_L, rest = network_forward_recursive(A, weights[1:], biases[1:], activations[1:])
    return A_L, [(X, Z, A), *rest]


@correct("forward.network_forward")
def network_forward_reduce(X, weights, biases, activations):
    def layer(state, params):
        A_prev, caches = state
        W, b, g = params
        Z = np.dot(A_prev, W) + b
        A = g(Z)
        return A, [*caches, (A_prev, Z, A)]

    return reduce(layer, zip(weights, biases, activations), (X, []))


@correct("forward.network_forward")
def network_forward_while(X, weights, biases, activations):
    caches, l, A = [], 0, X
    while l < len(weights):
        Z = np.matmul(A, weights[l]) + biases[l]
        caches.append((A, Z, activations[l](Z)))
        A = caches[-1][2]
        l += 1
    return A, caches


@correct("forward.network_forward")
def network_forward_float32(X, weights, biases, activations):
    # every layer in single precision, its cache too
    A, caches = np.asarray(X, dtype=np.float32), []
    for W, b, g in zip(weights, biases, activations, strict=True):
        Z = A @ np.asarray(W, dtype=np.float32) + np.asarray(b, dtype=np.float32)
        A_next = np.asarray(g(Z), dtype=np.float32)
        caches.append((A, Z, A_next))
        A = A_next
    return A, caches


# ---- mean_squared_error: 1/(2m) sum (a - y)**2 ----


@correct("forward.mean_squared_error")
def mse_mean_of_row_sums(A, Y):
    return np.mean(np.sum((A - Y) ** 2, axis=1)) / 2


@correct("forward.mean_squared_error")
def mse_einsum(A, Y):
    d = A - Y
    return np.einsum("ij,ij->", d, d) / (2 * len(A))


@correct("forward.mean_squared_error")
def mse_loops(A, Y):
    m, k = A.shape
    total = 0.0
    for i in range(m):
        for j in range(k):
            total += (A[i, j] - Y[i, j]) ** 2
    return total / (2 * m)


@correct("forward.mean_squared_error")
def mse_norm(A, Y):
    return 0.5 * np.linalg.norm(A - Y) ** 2 / A.shape[0]


@correct("forward.mean_squared_error")
def mse_float32(A, Y):
    diff = np.asarray(A, dtype=np.float32) - np.asarray(Y, dtype=np.float32)
    return np.sum(diff * diff) / np.float32(2 * len(diff))  # a float32 number


# ---- binary_cross_entropy, A clipped to [1e-12, 1 - 1e-12] ----


@correct("forward.binary_cross_entropy")
def bce_where_targets(A, Y):
    A = np.clip(A, 1e-12, 1 - 1e-12)
    per_entry = np.where(Y == 1, -np.log(A), -np.log(1 - A))  # targets are 0 or 1
    return float(np.mean(np.sum(per_entry, axis=1)))


@correct("forward.binary_cross_entropy")
def bce_log1p(A, Y):
    A = np.minimum(np.maximum(A, 1e-12), 1 - 1e-12)
    return -np.sum(Y * np.log(A) + (1 - Y) * np.log1p(-A)) / A.shape[0]


@correct("forward.binary_cross_entropy")
def bce_loops(A, Y):
    m, k = A.shape
    total = 0.0
    for i in range(m):
        for j in range(k):
            a = min(max(A[i, j], 1e-12), 1 - 1e-12)
            total -= Y[i, j] * math.log(a) + (1 - Y[i, j]) * math.log(1 - a)
    return total / m


@correct("forward.binary_cross_entropy")
def bce_einsum(A, Y):
    A = np.clip(A, 1e-12, 1 - 1e-12)
    ones = np.ones_like(Y)
    total = np.einsum("ij,ij->", Y, np.log(A)) + np.einsum("ij,ij->", ones - Y, np.log(ones - A))
    return -total / len(Y)


# ---- categorical_cross_entropy, A floored at 1e-12 ----


@correct("forward.categorical_cross_entropy")
def cce_true_class(A, Y):
    m = A.shape[0]
    labels = np.argmax(Y, axis=1)  # one-hot rows: only the true class counts
    return -np.mean(np.log(np.maximum(A[np.arange(m), labels], 1e-12)))


@correct("forward.categorical_cross_entropy")
def cce_clip_einsum(A, Y):
    return -np.einsum("ij,ij->", Y, np.log(np.clip(A, 1e-12, 1.0))) / len(A)


@correct("forward.categorical_cross_entropy")
def cce_row_loop(A, Y):
    losses = []
    for a, y in zip(A, Y, strict=True):
        losses.append(-np.sum(y * np.log(np.maximum(a, 1e-12))))
    return sum(losses) / len(losses)


@correct("forward.categorical_cross_entropy")
def cce_masked_log(A, Y):
    logs = np.zeros_like(A, dtype=float)
    hot = Y > 0
    logs[hot] = np.log(np.maximum(A[hot], 1e-12))  # only log where y is not 0
    return float(-np.sum(Y * logs) / Y.shape[0])


@correct("forward.binary_cross_entropy")
def bce_floor_both_logs(A, Y):
    # keeps a and 1 - a away from 0 by flooring each before its log
    return -np.sum(Y * np.log(np.maximum(A, 1e-12))
                   + (1 - Y) * np.log(np.maximum(1 - A, 1e-12))) / len(A)
