# Student code, linted like the notebooks it stands for (pyproject.toml's rules for *.ipynb):
# math names (l, W, A), loops written out.
# ruff: noqa: E741
"""Correct gradient checking of ps2 (backward.ipynb), written differently from the reference:
``numerical_gradient``, ``relative_error`` and ``gradient_check``.

``numerical_gradient(f, x)`` returns an array shaped like ``x``; ``relative_error`` a number;
``gradient_check`` one relative error per parameter (``{"W1": ..., "b1": ...}``). Two of
``gradient_check``'s alternatives build on the notebook's forward pass and on the exercises
before it, as students' answers do (:func:`simulation.alternatives.notebook.namespace`); the
third writes everything out.
"""

from __future__ import annotations

import math

import numpy as np

from simulation.alternatives import correct
from simulation.alternatives.notebook import namespace

_notebook = namespace("ps2_backward")
sigmoid, softmax, network_forward, categorical_cross_entropy = (
    _notebook[name] for name in ("sigmoid", "softmax", "network_forward",
                                 "categorical_cross_entropy"))
sigmoid_grad, network_backward, softmax_cce_output_delta, relative_error = (
    _notebook[name] for name in ("sigmoid_grad", "network_backward", "softmax_cce_output_delta",
                                 "relative_error"))


# ---- numerical_gradient: centered differences, x unchanged ----


@correct("backward.numerical_gradient")
def numerical_gradient_basis_vectors(f, x, eps=1e-5):
    x = np.asarray(x, dtype=float)
    grad = np.zeros(x.size)
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = eps
        e = e.reshape(x.shape)
        grad[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return grad.reshape(x.shape)


@correct("backward.numerical_gradient")
def numerical_gradient_nditer(f, x, eps=1e-5):
    x = x.astype(float)  # astype copies: the caller's x is never touched
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
        it.iternext()
    return grad


@correct("backward.numerical_gradient")
def numerical_gradient_flat_view(f, x, eps=1e-5):
    work = np.array(x, dtype=float)
    flat = work.reshape(-1)  # a view: changing flat changes work
    grad = np.empty_like(flat)
    for i in range(flat.size):
        flat[i] += eps
        plus = f(work)
        flat[i] -= 2 * eps
        minus = f(work)
        flat[i] += eps
        grad[i] = (plus - minus) / (2 * eps)
    return grad.reshape(work.shape)


@correct("backward.numerical_gradient")
def numerical_gradient_nudge_and_restore(f, x, eps=1e-5):
    # nudges the caller's own x, one entry at a time, and puts every entry back as it was
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + eps
        up = f(x)
        x[index] = old - eps
        down = f(x)
        x[index] = old
        grad[index] = (up - down) / (2 * eps)
    return grad


@correct("backward.numerical_gradient")
def numerical_gradient_identity_rows(f, x, eps=1e-5):
    steps = np.eye(x.size) * eps
    diffs = [f(x + step.reshape(x.shape)) - f(x - step.reshape(x.shape)) for step in steps]
    return np.reshape(diffs, x.shape) / (2 * eps)


# ---- relative_error: norm(a - n) / max(1e-8, norm(a) + norm(n)) ----


@correct("backward.relative_error")
def relative_error_sums(a, n):
    a, n = np.asarray(a, dtype=float), np.asarray(n, dtype=float)
    top = np.sqrt(np.sum((a - n) ** 2))
    return top / max(1e-8, np.sqrt(np.sum(a**2)) + np.sqrt(np.sum(n**2)))


@correct("backward.relative_error")
def relative_error_flat_norms(a, n):
    a, n = np.ravel(a), np.ravel(n)
    return np.linalg.norm(a - n) / np.maximum(1e-8, np.linalg.norm(a) + np.linalg.norm(n))


@correct("backward.relative_error")
def relative_error_loop(a, n):
    diff = size_a = size_n = 0.0
    for x, y in zip(np.ravel(a).tolist(), np.ravel(n).tolist(), strict=True):
        diff += (x - y) ** 2
        size_a += x * x
        size_n += y * y
    return math.sqrt(diff) / max(1e-8, math.sqrt(size_a) + math.sqrt(size_n))


# ---- gradient_check: {"W1": error, "b1": error, ...} ----


@correct("backward.gradient_check")
def gradient_check_one_parameter_at_a_time(weights, biases, X, Y):
    L = len(weights)
    activations = [sigmoid] * (L - 1) + [softmax]
    A_L, caches = network_forward(X, weights, biases, activations)
    dWs, dbs = network_backward(softmax_cce_output_delta(A_L, Y), weights, caches,
                                [sigmoid_grad] * (L - 1))
    errors = {}
    for kind, params, grads in (("W", weights, dWs), ("b", biases, dbs)):
        for l in range(L):
            numeric = np.zeros(params[l].shape)
            for index in np.ndindex(params[l].shape):
                nudged = []
                for step in (1e-5, -1e-5):
                    changed = [p.copy() for p in params]
                    changed[l][index] += step
                    ws, bs = (changed, biases) if kind == "W" else (weights, changed)
                    A, _ = network_forward(X, ws, bs, activations)
                    nudged.append(categorical_cross_entropy(A, Y))
                numeric[index] = (nudged[0] - nudged[1]) / 2e-5
            errors[f"{kind}{l + 1}"] = relative_error(grads[l], numeric)
    return errors


@correct("backward.gradient_check")
def gradient_check_flat_vector(weights, biases, X, Y):
    L = len(weights)
    shapes = [p.shape for p in (*weights, *biases)]
    sizes = [int(np.prod(s)) for s in shapes]

    def unflatten(theta):
        parts = np.split(theta, np.cumsum(sizes)[:-1])
        params = [part.reshape(shape) for part, shape in zip(parts, shapes, strict=True)]
        return params[:L], params[L:]

    def loss(theta):
        ws, bs = unflatten(theta)
        A, _ = network_forward(X, ws, bs, [sigmoid] * (L - 1) + [softmax])
        return categorical_cross_entropy(A, Y)

    theta = np.concatenate([p.ravel() for p in (*weights, *biases)])
    numeric = np.zeros_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = 1e-5
        numeric[i] = (loss(theta + step) - loss(theta - step)) / 2e-5
    A_L, caches = network_forward(X, weights, biases, [sigmoid] * (L - 1) + [softmax])
    dWs, dbs = network_backward((A_L - Y) / len(X), weights, caches, [sigmoid_grad] * (L - 1))
    num_ws, num_bs = unflatten(numeric)
    errors = {}
    for l in range(L):
        errors[f"W{l + 1}"] = relative_error(dWs[l], num_ws[l])
        errors[f"b{l + 1}"] = relative_error(dbs[l], num_bs[l])
    return errors


@correct("backward.gradient_check")
def gradient_check_written_out(weights, biases, X, Y):
    def forward(ws, bs):
        A, cache = X, []
        for l, (W, b) in enumerate(zip(ws, bs, strict=True)):
            Z = A @ W + b
            cache.append((A, Z))
            if l < len(ws) - 1:
                A = 1 / (1 + np.exp(-Z))
            else:
                E = np.exp(Z - Z.max(axis=1, keepdims=True))
                A = E / E.sum(axis=1, keepdims=True)
        return A, cache

    def loss(ws, bs):
        A, _ = forward(ws, bs)
        return -np.sum(Y * np.log(np.maximum(A, 1e-12))) / len(X)

    A, cache = forward(weights, biases)
    delta = (A - Y) / len(X)
    analytic = {}
    for l in range(len(weights) - 1, -1, -1):
        A_prev, _ = cache[l]
        analytic[f"W{l + 1}"] = A_prev.T @ delta
        analytic[f"b{l + 1}"] = delta.sum(axis=0)
        if l > 0:
            s = 1 / (1 + np.exp(-cache[l - 1][1]))
            delta = (delta @ weights[l].T) * s * (1 - s)
    errors = {}
    for key, grad in analytic.items():
        l = int(key[1:]) - 1
        param = (weights if key[0] == "W" else biases)[l]
        numeric = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            values = []
            for sign in (1, -1):
                nudged = param.copy()
                nudged[index] += sign * 1e-5
                ws, bs = list(weights), list(biases)
                (ws if key[0] == "W" else bs)[l] = nudged
                values.append(loss(ws, bs))
            numeric[index] = (values[0] - values[1]) / 2e-5
        errors[key] = np.linalg.norm(grad - numeric) / max(
            1e-8, np.linalg.norm(grad) + np.linalg.norm(numeric))
    return errors
