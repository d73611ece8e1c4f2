"""Catalogued mistakes of the training notebook's loop: ``train``, the update rule named by its
``optimizer`` and the state that rule keeps, and the losses it records (its building blocks'
mistakes are in :mod:`grading.mistakes.training`)."""

from __future__ import annotations

import numpy as np

from grading.mistakes.catalogue import mistake

# Each mistake is a whole train in one function (forward, backward and update rules inline, as
# the notebook's own functions compute them). The first four are right with optimizer="sgd" and
# wrong in how they keep momentum's velocities or Adam's moments and step count; the last takes
# every step right and records each loss at the wrong time.


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



@mistake("training.train", "loss_before_epoch",
         "train records the loss before each epoch instead of after it",
         "losses[k] is the loss on the whole training set after epoch k's steps: compute it at the "
         "end of the epoch, so that the last entry is the loss of the weights train returns.")
def train_loss_before_epoch(X, Y, layer_sizes, hidden="relu", output="softmax", epochs=30,
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
        A = X
        for k in range(L):
            A = (g if k < L - 1 else g_out)(A @ params[k] + params[L + k])
        losses.append(loss(A, Y))  # before the epoch's steps
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
    return params[:L], params[L:], losses
