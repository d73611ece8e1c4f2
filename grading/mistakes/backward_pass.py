"""Catalogued mistakes of the backward pass of the backward notebook: ``dense_gradients`` and
``network_backward`` (graded by :mod:`grading.checks.backward_pass`)."""

from __future__ import annotations

import numpy as np

from grading.mistakes.catalogue import mistake


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


@mistake("backward.dense_gradients", "dW_over_m",
         "dense_gradients divides dW by m again",
         "The 1/m of the mean loss is already inside delta: dW is A_prev.T @ delta, no division.")
def dense_gradients_dW_over_m(A_prev, delta):
    return np.asarray(A_prev).T @ delta / np.shape(delta)[0], np.sum(delta, axis=0)


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


@mistake("backward.dense_gradients", "db_mean",
         "dense_gradients averages db over the batch instead of summing",
         "The 1/m of the mean loss is already inside delta: db is delta summed over axis 0.")
def dense_gradients_db_mean(A_prev, delta):
    return np.asarray(A_prev).T @ delta, np.mean(delta, axis=0)


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
