"""Catalogued mistakes of the training notebook (updates, clipping, minibatches, train)."""

from __future__ import annotations

import numpy as np

from grading.mistakes.catalogue import mistake


@mistake("training.sgd_step", "wrong_sign",
         "sgd_step adds the gradient",
         "The gradient points uphill; gradient descent steps the other way: param - lr * grad.")
def sgd_wrong_sign(param, grad, lr):
    return np.asarray(param, dtype=float) + lr * np.asarray(grad)


@mistake("training.sgd_step", "in_place",
         "sgd_step modifies param in place",
         "Return a new array (param - lr * grad) and leave the caller's array alone.")
def sgd_in_place(param, grad, lr):
    param -= lr * np.asarray(grad)
    return param


@mistake("training.momentum_step", "swapped_terms",
         "momentum_step scales the gradient by beta instead of the velocity",
         "The velocity decays by beta each step and the new gradient is added: "
         "v = beta * v + grad.")
def momentum_swapped(param, grad, velocity, lr, beta=0.9):
    v = np.asarray(velocity) + beta * np.asarray(grad)
    return np.asarray(param) - lr * v, v


@mistake("training.momentum_step", "steps_with_gradient",
         "momentum_step updates the velocity but steps with the raw gradient",
         "The point of momentum is to step along the velocity: param - lr * v.")
def momentum_ignores_velocity(param, grad, velocity, lr, beta=0.9):
    v = beta * np.asarray(velocity) + grad
    return np.asarray(param) - lr * np.asarray(grad), v


@mistake("training.momentum_step", "old_velocity",
         "momentum_step steps with the old velocity",
         "Update the velocity first, then step with the new one.")
def momentum_old_velocity(param, grad, velocity, lr, beta=0.9):
    v = beta * np.asarray(velocity) + grad
    return np.asarray(param) - lr * np.asarray(velocity), v


@mistake("training.adam_step", "no_bias_correction",
         "adam_step without bias correction",
         "m and v start at zero, so early on they are too small; divide them by "
         "1 - beta1**t and 1 - beta2**t before the step.")
def adam_no_correction(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    grad = np.asarray(grad, dtype=float)
    m = beta1 * np.asarray(m) + (1 - beta1) * grad
    v = beta2 * np.asarray(v) + (1 - beta2) * grad**2
    return np.asarray(param) - lr * m / (np.sqrt(v) + eps), m, v


@mistake("training.adam_step", "swapped_moments",
         "adam_step swaps the two moments: squares the gradient in m",
         "m is the running mean of the gradient, v of its square; the step divides m by sqrt(v).")
def adam_swapped(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    grad = np.asarray(grad, dtype=float)
    m = beta1 * np.asarray(m) + (1 - beta1) * grad**2
    v = beta2 * np.asarray(v) + (1 - beta2) * grad
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return np.asarray(param) - lr * m_hat / (np.sqrt(np.abs(v_hat)) + eps), m, v


@mistake("training.adam_step", "correction_uses_step_zero",
         "adam_step corrects the bias with t - 1 instead of t",
         "Step numbers start at 1: divide by 1 - beta**t (with t - 1 the first step "
         "divides by zero).")
def adam_t_minus_one(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    grad = np.asarray(grad, dtype=float)
    m = beta1 * np.asarray(m) + (1 - beta1) * grad
    v = beta2 * np.asarray(v) + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1 ** (t - 1)), v / (1 - beta2 ** (t - 1))
    return np.asarray(param) - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@mistake("training.adam_step", "no_square_root",
         "adam_step divides by v_hat instead of its square root",
         "v estimates the squared gradient; its square root has the gradient's units.")
def adam_no_sqrt(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    grad = np.asarray(grad, dtype=float)
    m = beta1 * np.asarray(m) + (1 - beta1) * grad
    v = beta2 * np.asarray(v) + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return np.asarray(param) - lr * m_hat / (v_hat + eps), m, v


@mistake("training.clip_by_value", "clips_by_norm",
         "clip_by_value rescales by the global norm instead of clipping each entry",
         "Clipping by value caps every entry at +-limit on its own: np.clip.")
def clip_value_by_norm(grads, limit):
    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    scale = min(1.0, limit / norm) if norm > 0 else 1.0
    return [np.asarray(g, dtype=float) * scale for g in grads]


@mistake("training.clip_by_value", "loses_negatives",
         "clip_by_value clips into [0, limit]",
         "Negative entries must be kept down to -limit, not raised to 0.")
def clip_value_nonnegative(grads, limit):
    return [np.clip(np.asarray(g, dtype=float), 0, limit) for g in grads]


@mistake("training.clip_by_global_norm", "clips_by_value",
         "clip_by_global_norm clips each entry instead of rescaling",
         "Clipping by norm keeps the gradient's direction: multiply every array by "
         "max_norm / global_norm when the global norm is too large.")
def clip_norm_by_value(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    return [np.clip(np.asarray(g, dtype=float), -max_norm, max_norm) for g in grads], norm


@mistake("training.clip_by_global_norm", "per_array_norm",
         "clip_by_global_norm rescales each array by its own norm",
         "The global norm takes all gradients together as one long vector; rescale every "
         "array by the same factor.")
def clip_norm_per_array(grads, max_norm):
    out = []
    for g in grads:
        g = np.asarray(g, dtype=float)
        norm = float(np.linalg.norm(g))
        out.append(g * min(1.0, max_norm / norm) if norm > 0 else g)
    return out, float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))


@mistake("training.clip_by_global_norm", "always_rescales",
         "clip_by_global_norm rescales even when the norm is already small",
         "Only shrink: when the global norm is at most max_norm, return the gradients as they "
         "are.")
def clip_norm_always(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    return [np.asarray(g, dtype=float) * (max_norm / norm) for g in grads], norm


@mistake("training.iterate_minibatches", "drops_last_batch",
         "iterate_minibatches drops the last, smaller batch",
         "Every example must be used once per epoch; the last batch may be smaller.")
def minibatches_drop_last(X, Y, batch_size, rng):
    order = rng.permutation(len(X))
    for start in range(0, len(X) - batch_size + 1, batch_size):
        rows = order[start:start + batch_size]
        yield X[rows], Y[rows]


@mistake("training.iterate_minibatches", "misaligned_shuffle",
         "iterate_minibatches shuffles X and Y with different orders",
         "Draw one permutation and index both X and Y with it, so each example keeps its "
         "target.")
def minibatches_misaligned(X, Y, batch_size, rng):
    order_x, order_y = rng.permutation(len(X)), rng.permutation(len(Y))
    for start in range(0, len(X), batch_size):
        yield X[order_x[start:start + batch_size]], Y[order_y[start:start + batch_size]]


# ---- train: the update rule named by `optimizer`, and the state it keeps ----
# Each mistake is a whole train in one function (forward, backward and update rules inline, as
# the notebook's own functions compute them): right with optimizer="sgd", wrong in how it keeps
# momentum's velocities or Adam's moments and step count.


@mistake("training.train", "optimizer_ignored",
         'train takes sgd_step whatever the optimizer',
         'Look at optimizer at every update: "momentum" steps with momentum_step and "adam" with'
         ' adam_step; only "sgd" uses sgd_step.')
def train_ignores_optimizer(X, Y, layer_sizes, hidden="relu", output="softmax", epochs=30,
                            lr=0.05, batch_size=32, seed=0, optimizer="sgd"):
    sizes, L = list(layer_sizes), len(layer_sizes) - 1
    g, g_grad = {"sigmoid": (lambda z: 0.5 * (1 + np.tanh(z / 2)),
                            lambda z: 0.25 * (1 - np.tanh(z / 2) ** 2)),
                "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
                "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float))}[hidden]
    g_out, loss = {
        "sigmoid": (lambda z: 0.5 * (1 + np.tanh(z / 2)),
                    lambda A, Y: -np.sum(Y * np.log(np.clip(A, 1e-12, 1 - 1e-12)) + (1 - Y)
                                         * np.log(1 - np.clip(A, 1e-12, 1 - 1e-12))) / len(A)),
        "softmax": (lambda z: np.exp(z - z.max(axis=1, keepdims=True))
                    / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True),
                    lambda A, Y: -np.sum(Y * np.log(np.maximum(A, 1e-12))) / len(A))}[output]
    init, params = np.random.default_rng(seed), []
    for k in range(L):
        he = k < L - 1 and hidden == "relu"
        std = np.sqrt(2 / sizes[k]) if he else np.sqrt(2 / (sizes[k] + sizes[k + 1]))
        params.append(init.normal(0.0, std, size=(sizes[k], sizes[k + 1])))
    params += [np.zeros(n) for n in sizes[1:]]  # W_1 ... W_L, then b_1 ... b_L
    rng, losses = np.random.default_rng(seed), []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            Zs, As = [], [X[rows]]
            for k in range(L):
                Zs.append(As[-1] @ params[k] + params[L + k])
                As.append((g if k < L - 1 else g_out)(Zs[-1]))
            delta, grads = (As[-1] - Y[rows]) / len(rows), [None] * (2 * L)
            for k in range(L - 1, -1, -1):
                grads[k], grads[L + k] = As[k].T @ delta, delta.sum(axis=0)
                if k > 0:
                    delta = (delta @ params[k].T) * g_grad(Zs[k - 1])
            params = [p - lr * dp for p, dp in zip(params, grads, strict=True)]  # any optimizer
        A = X
        for k in range(L):
            A = (g if k < L - 1 else g_out)(A @ params[k] + params[L + k])
        losses.append(loss(A, Y))
    return params[:L], params[L:], losses


@mistake("training.train", "state_reset_every_epoch",
         "train starts the velocities (or Adam's m, v and t) again at every epoch",
         "Make the optimizer's state once, before the epochs: momentum and Adam remember every "
         'step of the run, from one epoch to the next.')
def train_resets_state(X, Y, layer_sizes, hidden="relu", output="softmax", epochs=30,
                       lr=0.05, batch_size=32, seed=0, optimizer="sgd"):
    sizes, L = list(layer_sizes), len(layer_sizes) - 1
    g, g_grad = {"sigmoid": (lambda z: 0.5 * (1 + np.tanh(z / 2)),
                            lambda z: 0.25 * (1 - np.tanh(z / 2) ** 2)),
                "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
                "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float))}[hidden]
    g_out, loss = {
        "sigmoid": (lambda z: 0.5 * (1 + np.tanh(z / 2)),
                    lambda A, Y: -np.sum(Y * np.log(np.clip(A, 1e-12, 1 - 1e-12)) + (1 - Y)
                                         * np.log(1 - np.clip(A, 1e-12, 1 - 1e-12))) / len(A)),
        "softmax": (lambda z: np.exp(z - z.max(axis=1, keepdims=True))
                    / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True),
                    lambda A, Y: -np.sum(Y * np.log(np.maximum(A, 1e-12))) / len(A))}[output]
    init, params = np.random.default_rng(seed), []
    for k in range(L):
        he = k < L - 1 and hidden == "relu"
        std = np.sqrt(2 / sizes[k]) if he else np.sqrt(2 / (sizes[k] + sizes[k + 1]))
        params.append(init.normal(0.0, std, size=(sizes[k], sizes[k + 1])))
    params += [np.zeros(n) for n in sizes[1:]]  # W_1 ... W_L, then b_1 ... b_L
    rng, losses = np.random.default_rng(seed), []
    for _ in range(epochs):
        state = [[np.zeros_like(p), np.zeros_like(p)] for p in params]  # velocity, or m and v
        t = 0
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            Zs, As = [], [X[rows]]
            for k in range(L):
                Zs.append(As[-1] @ params[k] + params[L + k])
                As.append((g if k < L - 1 else g_out)(Zs[-1]))
            delta, grads = (As[-1] - Y[rows]) / len(rows), [None] * (2 * L)
            for k in range(L - 1, -1, -1):
                grads[k], grads[L + k] = As[k].T @ delta, delta.sum(axis=0)
                if k > 0:
                    delta = (delta @ params[k].T) * g_grad(Zs[k - 1])
            t += 1
            for i, (p, dp) in enumerate(zip(params, grads, strict=True)):
                first, second = state[i]
                if optimizer == "momentum":
                    first = 0.9 * first + dp
                    params[i] = p - lr * first
                elif optimizer == "adam":
                    first = 0.9 * first + (1 - 0.9) * dp
                    second = 0.999 * second + (1 - 0.999) * dp ** 2
                    params[i] = p - lr * (first / (1 - 0.9 ** t)) / (
                        np.sqrt(second / (1 - 0.999 ** t)) + 1e-8)
                else:
                    params[i] = p - lr * dp
                state[i] = [first, second]
        A = X
        for k in range(L):
            A = (g if k < L - 1 else g_out)(A @ params[k] + params[L + k])
        losses.append(loss(A, Y))
    return params[:L], params[L:], losses


@mistake("training.train", "state_not_kept",
         'train throws away the new velocity (or m and v) that each step returns',
         'Keep what momentum_step and adam_step return and hand it to the next step: '
         'velocities[i] = ... (or ms[i], vs[i] = ...), one per parameter array.')
def train_drops_new_state(X, Y, layer_sizes, hidden="relu", output="softmax", epochs=30,
                          lr=0.05, batch_size=32, seed=0, optimizer="sgd"):
    sizes, L = list(layer_sizes), len(layer_sizes) - 1
    g, g_grad = {"sigmoid": (lambda z: 0.5 * (1 + np.tanh(z / 2)),
                            lambda z: 0.25 * (1 - np.tanh(z / 2) ** 2)),
                "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
                "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float))}[hidden]
    g_out, loss = {
        "sigmoid": (lambda z: 0.5 * (1 + np.tanh(z / 2)),
                    lambda A, Y: -np.sum(Y * np.log(np.clip(A, 1e-12, 1 - 1e-12)) + (1 - Y)
                                         * np.log(1 - np.clip(A, 1e-12, 1 - 1e-12))) / len(A)),
        "softmax": (lambda z: np.exp(z - z.max(axis=1, keepdims=True))
                    / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True),
                    lambda A, Y: -np.sum(Y * np.log(np.maximum(A, 1e-12))) / len(A))}[output]
    init, params = np.random.default_rng(seed), []
    for k in range(L):
        he = k < L - 1 and hidden == "relu"
        std = np.sqrt(2 / sizes[k]) if he else np.sqrt(2 / (sizes[k] + sizes[k + 1]))
        params.append(init.normal(0.0, std, size=(sizes[k], sizes[k + 1])))
    params += [np.zeros(n) for n in sizes[1:]]  # W_1 ... W_L, then b_1 ... b_L
    rng, losses = np.random.default_rng(seed), []
    state = [[np.zeros_like(p), np.zeros_like(p)] for p in params]  # velocity, or m and v
    t = 0
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            Zs, As = [], [X[rows]]
            for k in range(L):
                Zs.append(As[-1] @ params[k] + params[L + k])
                As.append((g if k < L - 1 else g_out)(Zs[-1]))
            delta, grads = (As[-1] - Y[rows]) / len(rows), [None] * (2 * L)
            for k in range(L - 1, -1, -1):
                grads[k], grads[L + k] = As[k].T @ delta, delta.sum(axis=0)
                if k > 0:
                    delta = (delta @ params[k].T) * g_grad(Zs[k - 1])
            t += 1
            for i, (p, dp) in enumerate(zip(params, grads, strict=True)):
                first, second = state[i]
                if optimizer == "momentum":
                    first = 0.9 * first + dp
                    params[i] = p - lr * first
                elif optimizer == "adam":
                    first = 0.9 * first + (1 - 0.9) * dp
                    second = 0.999 * second + (1 - 0.999) * dp ** 2
                    params[i] = p - lr * (first / (1 - 0.9 ** t)) / (
                        np.sqrt(second / (1 - 0.999 ** t)) + 1e-8)
                else:
                    params[i] = p - lr * dp
        A = X
        for k in range(L):
            A = (g if k < L - 1 else g_out)(A @ params[k] + params[L + k])
        losses.append(loss(A, Y))
    return params[:L], params[L:], losses


@mistake("training.train", "adam_t_counts_epochs",
         "train counts Adam's t in epochs, not in steps",
         't is the number of the update: add 1 at every minibatch (not every epoch, nor every '
         'array), so that the first step has t = 1.')
def train_adam_t_epochs(X, Y, layer_sizes, hidden="relu", output="softmax", epochs=30,
                        lr=0.05, batch_size=32, seed=0, optimizer="sgd"):
    sizes, L = list(layer_sizes), len(layer_sizes) - 1
    g, g_grad = {"sigmoid": (lambda z: 0.5 * (1 + np.tanh(z / 2)),
                            lambda z: 0.25 * (1 - np.tanh(z / 2) ** 2)),
                "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
                "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float))}[hidden]
    g_out, loss = {
        "sigmoid": (lambda z: 0.5 * (1 + np.tanh(z / 2)),
                    lambda A, Y: -np.sum(Y * np.log(np.clip(A, 1e-12, 1 - 1e-12)) + (1 - Y)
                                         * np.log(1 - np.clip(A, 1e-12, 1 - 1e-12))) / len(A)),
        "softmax": (lambda z: np.exp(z - z.max(axis=1, keepdims=True))
                    / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True),
                    lambda A, Y: -np.sum(Y * np.log(np.maximum(A, 1e-12))) / len(A))}[output]
    init, params = np.random.default_rng(seed), []
    for k in range(L):
        he = k < L - 1 and hidden == "relu"
        std = np.sqrt(2 / sizes[k]) if he else np.sqrt(2 / (sizes[k] + sizes[k + 1]))
        params.append(init.normal(0.0, std, size=(sizes[k], sizes[k + 1])))
    params += [np.zeros(n) for n in sizes[1:]]  # W_1 ... W_L, then b_1 ... b_L
    rng, losses = np.random.default_rng(seed), []
    state = [[np.zeros_like(p), np.zeros_like(p)] for p in params]  # velocity, or m and v
    t = 0
    for epoch in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            Zs, As = [], [X[rows]]
            for k in range(L):
                Zs.append(As[-1] @ params[k] + params[L + k])
                As.append((g if k < L - 1 else g_out)(Zs[-1]))
            delta, grads = (As[-1] - Y[rows]) / len(rows), [None] * (2 * L)
            for k in range(L - 1, -1, -1):
                grads[k], grads[L + k] = As[k].T @ delta, delta.sum(axis=0)
                if k > 0:
                    delta = (delta @ params[k].T) * g_grad(Zs[k - 1])
            t = epoch + 1
            for i, (p, dp) in enumerate(zip(params, grads, strict=True)):
                first, second = state[i]
                if optimizer == "momentum":
                    first = 0.9 * first + dp
                    params[i] = p - lr * first
                elif optimizer == "adam":
                    first = 0.9 * first + (1 - 0.9) * dp
                    second = 0.999 * second + (1 - 0.999) * dp ** 2
                    params[i] = p - lr * (first / (1 - 0.9 ** t)) / (
                        np.sqrt(second / (1 - 0.999 ** t)) + 1e-8)
                else:
                    params[i] = p - lr * dp
                state[i] = [first, second]
        A = X
        for k in range(L):
            A = (g if k < L - 1 else g_out)(A @ params[k] + params[L + k])
        losses.append(loss(A, Y))
    return params[:L], params[L:], losses

