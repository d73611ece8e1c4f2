# Student code, linted like the notebooks it stands for (pyproject.toml's rules for *.ipynb):
# math names (l, W, A), loops written out, unused names from unpacking a cache.
# ruff: noqa: E741, RUF059
"""Correct backward passes of ps2 (backward.ipynb), written differently from the reference.

``dense_gradients(A_prev, delta)`` takes ``A_prev`` ``(m, n_in)`` and ``delta`` ``(m, n_out)`` and
returns ``dW`` ``(n_in, n_out)`` and ``db`` ``(n_out,)``; ``network_backward`` returns every layer's
``dW`` and ``db``, in layer order.
"""

from __future__ import annotations

import numpy as np

from simulation.alternatives import correct

# ---- dense_gradients: dW = A_prev.T @ delta, db = delta summed over the batch ----


@correct("backward.dense_gradients")
def dense_gradients_dot(A_prev, delta):
    return np.dot(A_prev.T, delta), np.sum(delta, axis=0)


@correct("backward.dense_gradients")
def dense_gradients_einsum(A_prev, delta):
    return np.einsum("mi,mo->io", A_prev, delta), np.einsum("mo->o", delta)


@correct("backward.dense_gradients")
def dense_gradients_outer_products(A_prev, delta):
    dW = np.zeros((A_prev.shape[1], delta.shape[1]))
    db = np.zeros(delta.shape[1])
    for a, d in zip(A_prev, delta, strict=True):  # one example at a time
        dW += np.outer(a, d)
        db += d
    return dW, db


@correct("backward.dense_gradients")
def dense_gradients_ones(A_prev, delta):
    m = delta.shape[0]
    return [(delta.T @ A_prev).T, np.ones(m) @ delta]


@correct("backward.dense_gradients")
def dense_gradients_float32_loop(A_prev, delta):
    # single precision, one example at a time; db is kept in a float64 array, but its sums
    # are float32 ones, like dW's
    A32, d32 = np.asarray(A_prev, dtype=np.float32), np.asarray(delta, dtype=np.float32)
    dW = np.zeros((A32.shape[1], d32.shape[1]), dtype=np.float32)
    db = np.zeros(d32.shape[1])
    for a, d in zip(A32, d32, strict=True):
        dW += np.outer(a, d)
        db += d
    return dW, db


# ---- network_backward: dWs, dbs in layer order ----


@correct("backward.network_backward")
def network_backward_append_then_reverse(delta_L, weights, caches, hidden_grads):
    dWs, dbs = [], []
    delta = delta_L
    for l in reversed(range(len(weights))):
        A_prev, Z, A = caches[l]
        dWs.append(A_prev.T @ delta)
        dbs.append(delta.sum(axis=0))
        if l > 0:
            delta = (delta @ weights[l].T) * hidden_grads[l - 1](caches[l - 1][1])
    return dWs[::-1], dbs[::-1]


@correct("backward.network_backward")
def network_backward_insert_front(delta_L, weights, caches, hidden_grads):
    dWs, dbs = [], []
    delta = delta_L
    for l in range(len(weights) - 1, -1, -1):
        dWs.insert(0, np.dot(caches[l][0].T, delta))
        dbs.insert(0, np.sum(delta, axis=0))
        if l:
            Z_prev = caches[l - 1][1]
            delta = np.dot(delta, weights[l].T) * hidden_grads[l - 1](Z_prev)
    return dWs, dbs


@correct("backward.network_backward")
def network_backward_recursive(delta_L, weights, caches, hidden_grads):
    A_prev = caches[-1][0]
    dW, db = A_prev.T @ delta_L, delta_L.sum(axis=0)
    if len(weights) == 1:
        return [dW], [db]
    delta = (delta_L @ weights[-1].T) * hidden_grads[-1](caches[-2][1])
    dWs, dbs = network_backward_recursive(delta, weights[:-1], caches[:-1], hidden_grads[:-1])
    return [*dWs, dW], [*dbs, db]


@correct("backward.network_backward")
def network_backward_deltas_first(delta_L, weights, caches, hidden_grads):
    L = len(weights)
    deltas = [None] * L
    deltas[-1] = delta_L
    for l in range(L - 2, -1, -1):
        deltas[l] = np.einsum("mj,ij->mi", deltas[l + 1], weights[l + 1]) \
            * hidden_grads[l](caches[l][1])
    dWs = [cache[0].T @ d for cache, d in zip(caches, deltas, strict=True)]
    dbs = [d.sum(axis=0) for d in deltas]
    return dWs, dbs


@correct("backward.network_backward")
def network_backward_float32(delta_L, weights, caches, hidden_grads):
    dWs, dbs = [], []
    delta = np.asarray(delta_L, dtype=np.float32)
    for l in range(len(weights) - 1, -1, -1):
        A_prev = np.asarray(caches[l][0], dtype=np.float32)
        dWs.insert(0, A_prev.T @ delta)
        dbs.insert(0, delta.sum(axis=0))
        if l > 0:
            W = np.asarray(weights[l], dtype=np.float32)
            delta = (delta @ W.T) * np.asarray(hidden_grads[l - 1](caches[l - 1][1]),
                                               dtype=np.float32)
    return dWs, dbs
