# Student code, linted like the notebooks it stands for (pyproject.toml's rules for *.ipynb):
# math names (l, W, A), loops written out, unused names from unpacking a cache.
# ruff: noqa: E741
"""Correct answers to ps3 (training.ipynb), written differently from the reference.

The update rules, clipping and minibatches are self-contained. ``train`` starts, as the notebook
asks, from the given ``init_network`` and uses the given activations and losses by name (and,
in some variants, the given forward and backward passes): those come from the notebook's
namespace. Each ``train`` keeps the state of momentum and Adam its own way. Each ``train`` is
graded by three checks: ``training.train``, ``training.train_xor``
and ``training.train_digits``.
"""

from __future__ import annotations

import math

import numpy as np

from simulation.alternatives import correct
from simulation.alternatives.notebook import namespace

_notebook = namespace("ps3_training")
init_network, network_forward, network_backward, predict, HIDDEN, OUTPUT = (
    _notebook[name] for name in ("init_network", "network_forward", "network_backward",
                                 "predict", "HIDDEN", "OUTPUT"))
sgd_step, momentum_step, adam_step, iterate_minibatches = (
    _notebook[name] for name in ("sgd_step", "momentum_step", "adam_step", "iterate_minibatches"))

TRAIN = ("training.train", "training.train_xor", "training.train_digits")

# ---- sgd_step ----


@correct("training.sgd_step")
def sgd_step_subtract(param, grad, lr):
    return np.subtract(param, np.multiply(lr, grad))


@correct("training.sgd_step")
def sgd_step_copy_then_update(param, grad, lr):
    new = param.copy()
    new -= lr * grad  # in place, but on the copy
    return new


@correct("training.sgd_step")
def sgd_step_negative_lr(param, grad, lr):
    return param + (-lr) * grad


@correct("training.sgd_step")
def sgd_step_loop(param, grad, lr):
    new = np.empty(np.shape(param))
    for index in np.ndindex(new.shape):
        new[index] = param[index] - lr * grad[index]
    return new


# ---- momentum_step: v = beta * v + grad, param - lr * v ----


@correct("training.momentum_step")
def momentum_step_two_lines(param, grad, velocity, lr, beta=0.9):
    v = velocity * beta
    v = v + grad
    return param - lr * v, v


@correct("training.momentum_step")
def momentum_step_copies_in_place(param, grad, velocity, lr, beta=0.9):
    v = velocity.copy()
    v *= beta
    v += grad
    p = param.copy()
    p -= lr * v
    return [p, v]


@correct("training.momentum_step")
def momentum_step_numpy_functions(param, grad, velocity, lr, beta=0.9):
    new_velocity = np.add(np.multiply(beta, velocity), grad)
    return np.subtract(param, lr * new_velocity), new_velocity


@correct("training.momentum_step")
def momentum_step_float32(param, grad, velocity, lr, beta=0.9):
    v = np.float32(beta) * np.asarray(velocity, dtype=np.float32) + np.asarray(grad, np.float32)
    return np.asarray(param, dtype=np.float32) - np.float32(lr) * v, v


# ---- adam_step, with bias correction ----


@correct("training.adam_step")
def adam_step_corrected_learning_rate(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999,
                                      eps=1e-8):
    # the bias corrections folded into the step size (eps scaled so the result is identical)
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    root = math.sqrt(1 - beta2**t)
    step = lr * root / (1 - beta1**t)
    return param - step * m / (np.sqrt(v) + eps * root), m, v


@correct("training.adam_step")
def adam_step_interpolation(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = m + (1 - beta1) * (grad - m)  # the same running mean, written as a step toward grad
    new_v = v + (1 - beta2) * (np.square(grad) - v)
    m_hat = new_m / (1 - beta1**t)
    v_hat = new_v / (1 - beta2**t)
    return param - lr * m_hat / (v_hat**0.5 + eps), new_m, new_v


@correct("training.adam_step")
def adam_step_copies_in_place(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v, param = m.copy(), v.copy(), param.copy()
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad**2
    param -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return param, m, v


# ---- clip_by_value ----


@correct("training.clip_by_value")
def clip_by_value_min_max(grads, limit):
    return [np.minimum(np.maximum(g, -limit), limit) for g in grads]


@correct("training.clip_by_value")
def clip_by_value_masks(grads, limit):
    clipped = []
    for g in grads:
        c = g.copy()
        c[c > limit] = limit
        c[c < -limit] = -limit
        clipped.append(c)
    return clipped


@correct("training.clip_by_value")
def clip_by_value_sign(grads, limit):
    return list(map(lambda g: np.sign(g) * np.minimum(np.abs(g), limit), grads))


@correct("training.clip_by_value")
def clip_by_value_where(grads, limit):
    return tuple(np.where(g > limit, limit, np.where(g < -limit, -limit, g)) for g in grads)


# ---- clip_by_global_norm: one factor for all arrays ----


@correct("training.clip_by_global_norm")
def clip_by_global_norm_if(grads, max_norm):
    norm = np.sqrt(np.sum([np.sum(g * g) for g in grads]))
    if norm > max_norm:
        return [g * (max_norm / norm) for g in grads], norm
    return [g.copy() for g in grads], norm


@correct("training.clip_by_global_norm")
def clip_by_global_norm_concatenate(grads, max_norm):
    norm = np.linalg.norm(np.concatenate([g.ravel() for g in grads]))
    scale = max_norm / max(norm, max_norm)  # 1 when the norm is small enough (or 0)
    return [scale * g for g in grads], norm


@correct("training.clip_by_global_norm")
def clip_by_global_norm_vdot(grads, max_norm):
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    factor = 1.0 if norm <= max_norm else max_norm / norm
    return tuple(np.multiply(g, factor) for g in grads), norm


@correct("training.clip_by_global_norm")
def clip_by_global_norm_torch_style(grads, max_norm):
    # as PyTorch's clip_grad_norm_: a tiny 1e-6 keeps the factor finite and the result just
    # under max_norm
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    factor = min(1.0, max_norm / (norm + 1e-6))
    return [g * factor for g in grads], norm


# ---- iterate_minibatches ----


@correct("training.iterate_minibatches")
def iterate_minibatches_shuffle_in_place(X, Y, batch_size, rng):
    indices = np.arange(len(X))
    rng.shuffle(indices)
    for start in range(0, len(X), batch_size):
        batch = indices[start:start + batch_size]
        yield X[batch], Y[batch]


@correct("training.iterate_minibatches")
def iterate_minibatches_yield_from_split(X, Y, batch_size, rng):
    order = rng.permutation(X.shape[0])
    pieces = np.split(order, np.arange(batch_size, X.shape[0], batch_size))
    yield from ((X[rows], Y[rows]) for rows in pieces)


@correct("training.iterate_minibatches")
def iterate_minibatches_shuffled_copies(X, Y, batch_size, rng):
    order = rng.permutation(len(X))
    X_shuffled, Y_shuffled = X[order], Y[order]
    start = 0
    while start < len(X):
        yield X_shuffled[start:start + batch_size], Y_shuffled[start:start + batch_size]
        start += batch_size


@correct("training.iterate_minibatches")
def iterate_minibatches_choice(X, Y, batch_size, rng):
    m = len(X)
    rows = rng.choice(m, size=m, replace=False)  # another way to draw a permutation
    for i in range(0, m, batch_size):
        yield X[rows[i:i + batch_size]], Y[rows[i:i + batch_size]]


@correct("training.iterate_minibatches")
def iterate_minibatches_list(X, Y, batch_size, rng):
    # a list of the pairs, not a generator: a for loop reads both the same way
    order = rng.permutation(len(X))
    return [(X[order[i:i + batch_size]], Y[order[i:i + batch_size]])
            for i in range(0, len(X), batch_size)]


# ---- train ----


@correct(*TRAIN)
def train_written_out(X, Y, layer_sizes, hidden="relu", output="softmax", epochs=30, lr=0.05,
                      batch_size=32, seed=0, optimizer="sgd"):
    # the update rules written out too, in place on arrays of our own
    weights, biases = init_network(layer_sizes, seed, hidden)
    params = [*weights, *biases]  # the same arrays: updating one in place updates the other
    first = [np.zeros_like(p) for p in params]  # momentum's velocity, or Adam's m
    second = [np.zeros_like(p) for p in params]  # Adam's v
    step = 0
    g, g_grad = HIDDEN[hidden]
    g_out, loss, _ = OUTPUT[output]
    rng = np.random.default_rng(seed)
    L, m = len(weights), len(X)

    def forward(A):
        Zs, As = [], [A]
        for l in range(L):
            Zs.append(As[-1] @ weights[l] + biases[l])
            As.append(g(Zs[-1]) if l < L - 1 else g_out(Zs[-1]))
        return Zs, As

    losses = []
    for _ in range(epochs):
        order = rng.permutation(m)
        for start in range(0, m, batch_size):
            rows = order[start:start + batch_size]
            Zs, As = forward(X[rows])
            delta = (As[-1] - Y[rows]) / len(rows)  # sigmoid + BCE and softmax + CE alike
            grads = [None] * (2 * L)
            for l in range(L - 1, -1, -1):
                grads[l], grads[L + l] = As[l].T @ delta, delta.sum(axis=0)
                if l > 0:
                    delta = (delta @ weights[l].T) * g_grad(Zs[l - 1])
            step += 1
            for p, grad, m1, m2 in zip(params, grads, first, second, strict=True):
                if optimizer == "momentum":
                    m1 *= 0.9
                    m1 += grad
                    p -= lr * m1
                elif optimizer == "adam":
                    m1 += 0.1 * (grad - m1)
                    m2 += 0.001 * (grad**2 - m2)
                    p -= lr * (m1 / (1 - 0.9**step)) / (np.sqrt(m2 / (1 - 0.999**step)) + 1e-8)
                else:
                    p -= lr * grad
        losses.append(float(loss(forward(X)[1][-1], Y)))
    return weights, biases, losses


@correct(*TRAIN)
def train_given_passes(X, Y, layer_sizes, hidden="relu", output="softmax", epochs=30, lr=0.05,
                       batch_size=32, seed=0, optimizer="sgd"):
    weights, biases = init_network(layer_sizes, seed, hidden)
    n_hidden = len(layer_sizes) - 2
    activations = [HIDDEN[hidden][0]] * n_hidden + [OUTPUT[output][0]]
    grads = [HIDDEN[hidden][1]] * n_hidden
    loss_fn, output_delta = OUTPUT[output][1], OUTPUT[output][2]
    rng = np.random.default_rng(seed)
    velocity = {}  # ("W", l) or ("b", l) -> velocity; Adam's moments likewise
    moments = {}
    steps = 0

    def update(key, param, grad):
        if optimizer == "momentum":
            new, velocity[key] = momentum_step(param, grad, velocity.get(key, 0 * param), lr)
            return new
        if optimizer == "adam":
            m, v = moments.get(key, (np.zeros_like(param), np.zeros_like(param)))
            new, m, v = adam_step(param, grad, m, v, steps, lr=lr)
            moments[key] = (m, v)
            return new
        return sgd_step(param, grad, lr)

    losses = []
    epoch = 0
    while epoch < epochs:
        for X_batch, Y_batch in iterate_minibatches(X, Y, batch_size, rng):
            A, caches = network_forward(X_batch, weights, biases, activations)
            dWs, dbs = network_backward(output_delta(A, Y_batch), weights, caches, grads)
            steps += 1
            for l in range(len(weights)):
                weights[l] = update(("W", l), weights[l], dWs[l])
                biases[l] = update(("b", l), biases[l], dbs[l])
        losses.append(loss_fn(predict(X, weights, biases, hidden, output), Y))
        epoch += 1
    return weights, biases, losses


@correct(*TRAIN)
def train_parameter_dict(X, Y, layer_sizes, hidden="relu", output="softmax", epochs=30,
                         lr=0.05, batch_size=32, seed=0, optimizer="sgd"):
    weights, biases = init_network(layer_sizes, seed, hidden)
    L = len(weights)
    params = {}
    for l in range(1, L + 1):
        params[f"W{l}"], params[f"b{l}"] = weights[l - 1], biases[l - 1]
    g, g_grad = HIDDEN[hidden]
    g_out, loss, output_delta = OUTPUT[output]
    rng = np.random.default_rng(seed)

    def forward(A):
        cache = {"A0": A}
        for l in range(1, L + 1):
            cache[f"Z{l}"] = np.dot(cache[f"A{l - 1}"], params[f"W{l}"]) + params[f"b{l}"]
            cache[f"A{l}"] = (g_out if l == L else g)(cache[f"Z{l}"])
        return cache

    state = {key: {"v": np.zeros_like(value), "m": np.zeros_like(value), "s": 0 * value}
             for key, value in params.items()}
    counter = {"t": 0}

    def sgd(key, value, grad):
        return value - lr * grad

    def momentum(key, value, grad):
        state[key]["v"] = 0.9 * state[key]["v"] + grad
        return value - lr * state[key]["v"]

    def adam(key, value, grad):
        s, t = state[key], counter["t"]
        s["m"] = 0.9 * s["m"] + 0.1 * grad
        s["s"] = 0.999 * s["s"] + 0.001 * grad * grad
        m_hat, s_hat = s["m"] / (1 - 0.9**t), s["s"] / (1 - 0.999**t)
        return value - lr * m_hat / (np.sqrt(s_hat) + 1e-8)

    rule = {"sgd": sgd, "momentum": momentum, "adam": adam}[optimizer]
    history = []
    for _ in range(epochs):
        indices = np.arange(len(X))
        rng.shuffle(indices)
        batches = [indices[i:i + batch_size] for i in range(0, len(X), batch_size)]
        for rows in batches:
            cache = forward(X[rows])
            delta = output_delta(cache[f"A{L}"], Y[rows])
            grads = {}
            for l in range(L, 0, -1):
                grads[f"W{l}"] = np.dot(cache[f"A{l - 1}"].T, delta)
                grads[f"b{l}"] = np.sum(delta, axis=0)
                if l > 1:
                    delta = np.dot(delta, params[f"W{l}"].T) * g_grad(cache[f"Z{l - 1}"])
            counter["t"] += 1
            params = {key: rule(key, value, grads[key]) for key, value in params.items()}
        history.append(loss(forward(X)[f"A{L}"], Y))
    return ([params[f"W{l}"] for l in range(1, L + 1)],
            [params[f"b{l}"] for l in range(1, L + 1)], history)
