# Student code, linted like the notebooks it stands for (pyproject.toml's rules for *.ipynb).
"""Correct deltas of ps2 (backward.ipynb), written differently from the reference.

The output deltas take ``A`` and ``Y`` of shape ``(m, k)`` (and ``Z``, ``(m, k)``, with the
activation's derivative for the mean squared error); ``hidden_delta`` takes ``delta_next``
``(m, n_next)``, ``W_next`` ``(n, n_next)`` and ``Z`` ``(m, n)``. Each returns a delta shaped like
its layer's ``Z``.
"""

from __future__ import annotations

import numpy as np

from simulation.alternatives import correct

# ---- output deltas ----


@correct("backward.mse_output_delta")
def mse_output_delta_multiply(A, Y, Z, g_grad):
    return np.multiply(np.subtract(A, Y), g_grad(Z)) / len(A)


@correct("backward.mse_output_delta")
def mse_output_delta_rows(A, Y, Z, g_grad):
    m = Y.shape[0]
    delta = np.zeros(A.shape)
    for i in range(m):  # one example at a time
        delta[i] = (A[i] - Y[i]) * g_grad(Z[i]) / m
    return delta


@correct("backward.mse_output_delta")
def mse_output_delta_scaled(A, Y, Z, g_grad):
    dL_dA = (1.0 / A.shape[0]) * (A - Y)
    return dL_dA * g_grad(Z)


@correct("backward.sigmoid_bce_output_delta")
def sigmoid_bce_output_delta_subtract(A, Y):
    return np.subtract(A, Y) / Y.shape[0]


@correct("backward.sigmoid_bce_output_delta")
def sigmoid_bce_output_delta_times_inverse(A, Y):
    return (A - Y) * (1.0 / np.size(A, 0))


@correct("backward.sigmoid_bce_output_delta")
def sigmoid_bce_output_delta_loop(A, Y):
    m = len(A)
    return np.array([(a - y) / m for a, y in zip(A, Y, strict=True)])


@correct("backward.softmax_cce_output_delta")
def softmax_cce_output_delta_labels(A, Y):
    m = A.shape[0]
    delta = np.array(A, dtype=float)  # a copy of A
    delta[np.arange(m), Y.argmax(axis=1)] -= 1  # one-hot Y: subtract 1 at the true class
    return delta / m


@correct("backward.softmax_cce_output_delta")
def softmax_cce_output_delta_split(A, Y):
    m = len(Y)
    return A / m - Y / m


@correct("backward.softmax_cce_output_delta")
def softmax_cce_output_delta_true_divide(A, Y):
    return np.true_divide(A - Y, A.shape[0])


# ---- hidden_delta: (delta_next @ W_next.T) * g'(Z) ----


@correct("backward.hidden_delta")
def hidden_delta_dot(delta_next, W_next, Z, g_grad):
    return np.dot(delta_next, W_next.T) * g_grad(Z)


@correct("backward.hidden_delta")
def hidden_delta_einsum(delta_next, W_next, Z, g_grad):
    return np.einsum("mj,ij->mi", delta_next, W_next) * g_grad(Z)


@correct("backward.hidden_delta")
def hidden_delta_columns(delta_next, W_next, Z, g_grad):
    return (W_next @ delta_next.T).T * g_grad(Z)


@correct("backward.hidden_delta")
def hidden_delta_rows(delta_next, W_next, Z, g_grad):
    back = np.zeros(Z.shape)
    for i in range(Z.shape[0]):
        back[i] = np.matmul(W_next, delta_next[i])
    return back * g_grad(Z)


@correct("backward.hidden_delta")
def hidden_delta_float32(delta_next, W_next, Z, g_grad):
    back = np.asarray(delta_next, dtype=np.float32) @ np.asarray(W_next, dtype=np.float32).T
    return back * np.asarray(g_grad(Z), dtype=np.float32)
