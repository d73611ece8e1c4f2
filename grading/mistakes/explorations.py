"""Catalogued mistakes of the explorations notebook's first two experiments: gradient norms (of
one list of arrays, and of a fresh deep network) and dead ReLU units (those of the third, what a
gradient costs, are in :mod:`grading.mistakes.gradient_cost`).

A mistake is pasted as it is into a notebook (NumPy as ``np`` is all it may use), so the wrong
``deep_gradient_norms`` builds its network and runs backpropagation itself, as
``init_network`` and ``backprop`` of the notebook do."""

from __future__ import annotations

import numpy as np

from grading.mistakes.catalogue import mistake


@mistake("explorations.gradient_norms", "sum_of_squares",
         "gradient_norms returns the sum of squares, without the square root",
         "The Frobenius norm is the square root of the sum of the squared entries: "
         "np.sqrt(np.sum(dW ** 2)).")
def norms_without_root(dWs):
    return [float(np.sum(np.square(dW))) for dW in dWs]


@mistake("explorations.gradient_norms", "sum_of_absolute_values",
         "gradient_norms sums the absolute values of the entries",
         "The Frobenius norm squares the entries, it does not sum their absolute values: "
         "np.sqrt(np.sum(dW ** 2)).")
def norms_of_absolute_values(dWs):
    return [float(np.sum(np.abs(dW))) for dW in dWs]


@mistake("explorations.gradient_norms", "root_mean_square",
         "gradient_norms averages the squares instead of summing them",
         "Sum the squares, do not average them: the norm of a larger array with the same "
         "entries is larger, np.sqrt(np.sum(dW ** 2)).")
def norms_root_mean_square(dWs):
    return [float(np.sqrt(np.mean(np.square(dW)))) for dW in dWs]


@mistake("explorations.deep_gradient_norms", "output_layer_first",
         "deep_gradient_norms lists the layers from the output back to the input",
         "List the layers from the first (next to the input) to the output layer: the dWs "
         "backprop returns are in that order already.")
def deep_norms_output_first(X, Y, hidden, depth=8, width=32, seed=0):
    g, g_grad = {"sigmoid": (lambda z: 0.5 * (1 + np.tanh(z / 2)),
                            lambda z: 0.25 * (1 - np.tanh(z / 2) ** 2)),
                "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
                "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float))}[hidden]
    sizes = [np.shape(X)[1], *[width] * depth, np.shape(Y)[1]]
    rng, Ws = np.random.default_rng(seed), []
    for k in range(len(sizes) - 1):
        he = k < len(sizes) - 2 and hidden == "relu"
        std = np.sqrt(2 / sizes[k]) if he else np.sqrt(2 / (sizes[k] + sizes[k + 1]))
        Ws.append(rng.normal(0.0, std, size=(sizes[k], sizes[k + 1])))
    Zs, As = [], [np.asarray(X, dtype=float)]
    for W in Ws:  # the biases start at zero
        Zs.append(As[-1] @ W)
        As.append(g(Zs[-1]))
    scores = np.exp(Zs[-1] - Zs[-1].max(axis=1, keepdims=True))
    delta, norms = (scores / scores.sum(axis=1, keepdims=True) - Y) / len(As[0]), []
    for k in range(len(Ws) - 1, -1, -1):
        norms.append(float(np.sqrt(np.sum(np.square(As[k].T @ delta)))))
        if k > 0:
            delta = (delta @ Ws[k].T) * g_grad(Zs[k - 1])
    return norms  # in the order backprop found them: the output layer first


@mistake("explorations.deep_gradient_norms", "bias_gradients",
         "deep_gradient_norms measures the bias gradients db instead of dW",
         "These are the norms of the bias gradients db; measure dW, the gradients of the "
         "weights, the second item backprop returns.")
def deep_norms_of_biases(X, Y, hidden, depth=8, width=32, seed=0):
    g, g_grad = {"sigmoid": (lambda z: 0.5 * (1 + np.tanh(z / 2)),
                            lambda z: 0.25 * (1 - np.tanh(z / 2) ** 2)),
                "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
                "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float))}[hidden]
    sizes = [np.shape(X)[1], *[width] * depth, np.shape(Y)[1]]
    rng, Ws = np.random.default_rng(seed), []
    for k in range(len(sizes) - 1):
        he = k < len(sizes) - 2 and hidden == "relu"
        std = np.sqrt(2 / sizes[k]) if he else np.sqrt(2 / (sizes[k] + sizes[k + 1]))
        Ws.append(rng.normal(0.0, std, size=(sizes[k], sizes[k + 1])))
    Zs, As = [], [np.asarray(X, dtype=float)]
    for W in Ws:  # the biases start at zero
        Zs.append(As[-1] @ W)
        As.append(g(Zs[-1]))
    scores = np.exp(Zs[-1] - Zs[-1].max(axis=1, keepdims=True))
    delta, norms = (scores / scores.sum(axis=1, keepdims=True) - Y) / len(As[0]), []
    for k in range(len(Ws) - 1, -1, -1):
        norms.append(float(np.sqrt(np.sum(np.square(delta.sum(axis=0))))))
        if k > 0:
            delta = (delta @ Ws[k].T) * g_grad(Zs[k - 1])
    return norms[::-1]


@mistake("explorations.dead_unit_fraction", "strictly_negative",
         "dead_unit_fraction counts a unit as dead only where z < 0",
         "A unit is dead at z <= 0 (relu_grad(0) is 0), not only at z < 0: a pre-activation of "
         "exactly 0 lets no gradient through either.")
def dead_strictly_negative(Z):
    return float(np.mean(np.all(np.asarray(Z) < 0, axis=0)))


@mistake("explorations.dead_unit_fraction", "off_on_any_example",
         "dead_unit_fraction counts a unit dead when it is off for any example",
         "A unit is dead only if it is off for every example (all rows), not any: "
         "np.all(Z <= 0, axis=0).")
def dead_on_any_example(Z):
    return float(np.mean(np.any(np.asarray(Z) <= 0, axis=0)))


@mistake("explorations.dead_unit_fraction", "share_of_entries",
         "dead_unit_fraction returns the share of the entries of Z that are <= 0",
         "Return the fraction of units, not of entries of Z: decide for each unit (each column) "
         "whether it is dead, then take the share of dead units.")
def dead_share_of_entries(Z):
    return float(np.mean(np.asarray(Z) <= 0))


@mistake("explorations.dead_unit_fraction", "count",
         "dead_unit_fraction returns the number of dead units, not their share",
         "Return a fraction of the units, not a count: divide the number of dead units by the "
         "number of units, the columns of Z.")
def dead_count(Z):
    return int(np.sum(np.all(np.asarray(Z) <= 0, axis=0)))


@mistake("explorations.dead_unit_fraction", "rows_for_units",
         "dead_unit_fraction takes the rows of Z for the units",
         "Units are the columns of Z; rows are examples: a unit is dead when its whole column "
         "is <= 0, np.all(Z <= 0, axis=0).")
def dead_rows(Z):
    return float(np.mean(np.all(np.asarray(Z) <= 0, axis=1)))


@mistake("explorations.dead_fractions", "activations",
         "dead_fractions measures the activations A instead of the pre-activations Z",
         "dead_unit_fraction takes Z, the pre-activation (the middle item of each cache "
         "(A_prev, Z, A)), not the activation A: a sigmoid's A is never <= 0.")
def dead_fractions_of_activations(caches):
    return [float(np.mean(np.all(np.asarray(A) <= 0, axis=0))) for _, _, A in caches[:-1]]
