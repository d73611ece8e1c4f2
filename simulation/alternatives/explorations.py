# Student code, linted like the notebooks it stands for (pyproject.toml's rules for *.ipynb):
# math names (l, W, A), loops written out, unused names from unpacking a cache.
# ruff: noqa: E741, B007, B023, RUF007, RUF059
"""Correct answers to ps4 (explorations.ipynb), written differently from the reference.

``deep_gradient_norms`` must start from the given ``init_network``, and ``time_gradients`` times the
``backprop`` and ``numerical_network_gradients`` it is handed (the given ones by default): those,
and the notebook's other helpers, come from the notebook's namespace, as they do for students.
"""

from __future__ import annotations

import math
import time
import timeit
from functools import reduce
from itertools import pairwise

import numpy as np

from simulation.alternatives import correct
from simulation.alternatives.notebook import namespace

_notebook = namespace("ps4_explorations")
init_network, backprop, network_forward, network_backward, HIDDEN = (
    _notebook[name] for name in ("init_network", "backprop", "network_forward",
                                 "network_backward", "HIDDEN"))
softmax, softmax_cce_output_delta, one_hot = (
    _notebook[name] for name in ("softmax", "softmax_cce_output_delta", "one_hot"))
numerical_network_gradients = _notebook["numerical_network_gradients"]
dead_unit_fraction = _notebook["dead_unit_fraction"]

# ---- gradient_norms ----


@correct("explorations.gradient_norms")
def gradient_norms_linalg(dWs):
    return [np.linalg.norm(dW) for dW in dWs]


@correct("explorations.gradient_norms")
def gradient_norms_array(dWs):
    return np.sqrt([np.sum(np.square(dW)) for dW in dWs])


@correct("explorations.gradient_norms")
def gradient_norms_vdot(dWs):
    norms = []
    for dW in dWs:
        norms.append(math.sqrt(float(np.vdot(dW, dW))))
    return norms


@correct("explorations.gradient_norms")
def gradient_norms_einsum(dWs):
    return tuple(float(np.sqrt(np.einsum("ij,ij->", dW, dW))) for dW in dWs)


@correct("explorations.gradient_norms")
def gradient_norms_float32(dWs):
    return [np.sqrt(np.sum(np.square(np.asarray(dW, dtype=np.float32)))) for dW in dWs]


# ---- deep_gradient_norms ----


@correct("explorations.deep_gradient_norms")
def deep_gradient_norms_given_passes(X, Y, hidden, depth=8, width=32, seed=0):
    weights, biases = init_network([X.shape[1], *[width] * depth, Y.shape[1]], seed, hidden)
    g, g_grad = HIDDEN[hidden]
    A, caches = network_forward(X, weights, biases, [g] * depth + [softmax])
    dWs, _ = network_backward(softmax_cce_output_delta(A, Y), weights, caches, [g_grad] * depth)
    return [float(np.linalg.norm(dW)) for dW in dWs]


@correct("explorations.deep_gradient_norms")
def deep_gradient_norms_backprop(X, Y, hidden, depth=8, width=32, seed=0):
    sizes = [X.shape[1]]
    for _ in range(depth):
        sizes.append(width)
    sizes.append(Y.shape[1])
    weights, biases = init_network(sizes, seed=seed, hidden=hidden)
    loss, dWs, dbs = backprop(X, Y, weights, biases, hidden=hidden)
    return np.array([np.sqrt((dW**2).sum()) for dW in dWs])


@correct("explorations.deep_gradient_norms")
def deep_gradient_norms_written_out(X, Y, hidden, depth=8, width=32, seed=0):
    weights, biases = init_network([X.shape[1]] + [width] * depth + [Y.shape[1]], seed, hidden)
    g, g_grad = HIDDEN[hidden]
    As, Zs = [X], []
    for l, (W, b) in enumerate(zip(weights, biases, strict=True)):
        Zs.append(As[-1] @ W + b)
        As.append(g(Zs[-1]) if l < depth else softmax(Zs[-1]))
    delta = (As[-1] - Y) / len(X)
    norms = []
    for l in range(depth, -1, -1):  # output layer first; reversed at the end
        norms.append(np.linalg.norm(As[l].T @ delta))
        if l > 0:
            delta = (delta @ weights[l].T) * g_grad(Zs[l - 1])
    return norms[::-1]


# ---- dead_unit_fraction ----


@correct("explorations.dead_unit_fraction")
def dead_unit_fraction_column_max(Z):
    return np.sum(np.max(Z, axis=0) <= 0) / Z.shape[1]


@correct("explorations.dead_unit_fraction")
def dead_unit_fraction_any_alive(Z):
    return 1.0 - float(np.mean(np.any(Z > 0, axis=0)))


@correct("explorations.dead_unit_fraction")
def dead_unit_fraction_loop(Z):
    m, n = Z.shape
    dead = 0
    for unit in range(n):
        if all(Z[i, unit] <= 0 for i in range(m)):
            dead += 1
    return dead / n


@correct("explorations.dead_unit_fraction")
def dead_unit_fraction_counts(Z):
    active_rows = np.count_nonzero(Z > 0, axis=0)
    return np.count_nonzero(active_rows == 0) / len(active_rows)


# ---- dead_fractions ----


@correct("explorations.dead_fractions")
def dead_fractions_indexed(caches):
    return [dead_unit_fraction(caches[l][1]) for l in range(len(caches) - 1)]


@correct("explorations.dead_fractions")
def dead_fractions_star_unpack(caches):
    *hidden_layers, _output = caches
    return np.array([np.mean(np.max(Z, axis=0) <= 0) for _A_prev, Z, _A in hidden_layers])


@correct("explorations.dead_fractions")
def dead_fractions_loop(caches):
    fractions = []
    for A_prev, Z, A in caches:
        fractions.append(float(np.all(Z <= 0, axis=0).mean()))
    fractions.pop()  # the output layer is not a hidden layer
    return fractions


# ---- parameter_count ----


@correct("explorations.parameter_count")
def parameter_count_loop(layer_sizes):
    total = 0
    for l in range(len(layer_sizes) - 1):
        total += layer_sizes[l] * layer_sizes[l + 1]  # weights
        total += layer_sizes[l + 1]  # biases
    return total


@correct("explorations.parameter_count")
def parameter_count_pairwise(layer_sizes):
    return sum((n_in + 1) * n_out for n_in, n_out in pairwise(layer_sizes))


@correct("explorations.parameter_count")
def parameter_count_numpy(layer_sizes):
    sizes = np.array(layer_sizes)
    return int(sizes[:-1] @ sizes[1:] + sizes[1:].sum())


@correct("explorations.parameter_count")
def parameter_count_from_network(layer_sizes):
    weights, biases = init_network(layer_sizes)
    return reduce(lambda total, p: total + p.size, [*weights, *biases], 0)


# ---- time_gradients ----


@correct("explorations.time_gradients")
def time_gradients_timeit(layer_sizes_list, batch_size=16, seed=0, backprop=backprop,
                          numerical_network_gradients=numerical_network_gradients):
    rng = np.random.default_rng(seed)
    results = []
    for sizes in layer_sizes_list:
        weights, biases = init_network(sizes, seed, "relu")
        X = rng.normal(size=(batch_size, sizes[0]))
        Y = one_hot(rng.integers(0, sizes[-1], size=batch_size), sizes[-1])
        backprop_seconds = min(timeit.repeat(lambda: backprop(X, Y, weights, biases),
                                             number=1, repeat=5))
        numerical_seconds = timeit.timeit(
            lambda: numerical_network_gradients(X, Y, weights, biases), number=1)
        count = sum(W.size + b.size for W, b in zip(weights, biases, strict=True))
        results.append((count, backprop_seconds, numerical_seconds))
    return results


@correct("explorations.time_gradients")
def time_gradients_nanoseconds(layer_sizes_list, batch_size=16, seed=0, backprop=backprop,
                               numerical_network_gradients=numerical_network_gradients):
    rng = np.random.default_rng(seed)
    results = []
    for sizes in layer_sizes_list:
        weights, biases = init_network(sizes, seed)
        X = rng.normal(size=(batch_size, sizes[0]))
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=batch_size)]
        runs = 10
        start = time.perf_counter_ns()
        for _ in range(runs):
            backprop(X, Y, weights, biases, "relu")
        backprop_seconds = (time.perf_counter_ns() - start) / runs / 1e9
        start = time.perf_counter_ns()
        numerical_network_gradients(X, Y, weights, biases, "relu")
        numerical_seconds = (time.perf_counter_ns() - start) / 1e9
        count = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
        results.append([count, backprop_seconds, numerical_seconds])
    return results


@correct("explorations.time_gradients")
def time_gradients_stopwatch(layer_sizes_list, batch_size=16, seed=0, backprop=backprop,
                             numerical_network_gradients=numerical_network_gradients):
    def seconds(gradient, args, repeats):
        times = []
        for _ in range(repeats):
            tic = time.perf_counter()
            gradient(*args)
            times.append(time.perf_counter() - tic)
        return min(times)

    rng = np.random.default_rng(seed)
    timings = []
    for sizes in layer_sizes_list:
        weights, biases = init_network(sizes, seed=seed, hidden="relu")
        X = rng.normal(size=(batch_size, sizes[0]))
        labels = rng.integers(0, sizes[-1], size=batch_size)
        Y = np.zeros((batch_size, sizes[-1]))
        Y[np.arange(batch_size), labels] = 1.0
        args = (X, Y, weights, biases)
        count = sum(W.size for W in weights) + sum(b.size for b in biases)
        timings.append((count, seconds(backprop, args, 3),
                        seconds(numerical_network_gradients, args, 1)))
    return timings


# ---- gradient_cost_ratio ----


@correct("explorations.gradient_cost_ratio")
def gradient_cost_ratio_branches(n_params, centered=True, backward_cost=2.0):
    backprop_passes = 1.0 + backward_cost
    if centered:
        return 2.0 * n_params / backprop_passes
    return (n_params + 1.0) / backprop_passes


@correct("explorations.gradient_cost_ratio")
def gradient_cost_ratio_counted(n_params, centered=True, backward_cost=2.0):
    passes_per_parameter = 2 if centered else 1
    shared_passes = 0 if centered else 1  # f(x) itself, once, for one-sided differences
    numerical = passes_per_parameter * n_params + shared_passes
    return float(numerical) / float(1 + backward_cost)


@correct("explorations.gradient_cost_ratio")
def gradient_cost_ratio_fractions(n_params, centered=True, backward_cost=2.0):
    from fractions import Fraction

    numerical = Fraction(2 * n_params) if centered else Fraction(n_params + 1)
    return float(numerical / (1 + Fraction(backward_cost)))


@correct("explorations.gradient_cost_ratio")
def gradient_cost_ratio_numpy(n_params, centered=True, backward_cost=2.0):
    numerical = np.where(centered, 2 * n_params, n_params + 1)
    return np.float64(numerical) / np.add(1.0, backward_cost)
