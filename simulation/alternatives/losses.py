# Student code, linted like the notebooks it stands for (pyproject.toml's rules for *.ipynb).
"""Correct losses of ps1 (forward.ipynb), written differently from the reference.

Each takes the predictions ``A`` and the targets ``Y``, both of shape ``(m, k)``, and returns
the loss averaged over the ``m`` examples, a number.
"""

from __future__ import annotations

import math

import numpy as np

from simulation.alternatives import correct

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


@correct("forward.binary_cross_entropy")
def bce_floor_both_logs(A, Y):
    # keeps a and 1 - a away from 0 by flooring each before its log
    return -np.sum(Y * np.log(np.maximum(A, 1e-12))
                   + (1 - Y) * np.log(np.maximum(1 - A, 1e-12))) / len(A)


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
