# Student code, linted like the notebooks it stands for (pyproject.toml's rules for *.ipynb):
# math names (l, W, A), loops written out.
# ruff: noqa: E741, B905
"""Correct forward passes of ps1 (forward.ipynb), written differently from the reference.

``dense_forward(X, W, b, g)`` takes ``X`` of shape ``(m, n_in)``, ``W`` ``(n_in, n_out)`` and ``b``
``(n_out,)``, and returns ``A`` ``(m, n_out)`` with its cache ``(X, Z, A)``; ``network_forward``
chains such layers and returns the last ``A`` with one cache per layer.
"""

from __future__ import annotations

from functools import reduce

import numpy as np

from simulation.alternatives import correct

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
