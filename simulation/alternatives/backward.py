# Student code, linted like the notebooks it stands for (pyproject.toml's rules for *.ipynb):
# math names (l, W, A), loops written out, unused names from unpacking a cache.
# ruff: noqa: E741, RUF059
"""Correct answers to ps2 (backward.ipynb), written differently from the reference.

Most are self-contained. ``gradient_check`` builds on the notebook's forward pass and on the
exercises before it, as students' answers do, so two of its alternatives take those from the
notebook (:func:`simulation.alternatives.notebook.namespace`); the third writes everything out.
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

# ---- sigmoid_grad(z): s * (1 - s), s = sigmoid(z) ----


@correct("backward.sigmoid_grad")
def sigmoid_grad_logaddexp(z):
    s = np.exp(-np.logaddexp(0, -np.asarray(z)))
    return s * (1 - s)


@correct("backward.sigmoid_grad")
def sigmoid_grad_symmetric(z):
    e = np.exp(-np.abs(z))  # sigma'(z) = e^-|z| / (1 + e^-|z|)^2, the same for z and -z
    return e / (1 + e) ** 2


@correct("backward.sigmoid_grad")
def sigmoid_grad_cosh(z):
    return 0.25 / np.cosh(np.asarray(z) / 2) ** 2  # cosh overflows to inf for huge z: 0.25/inf = 0


@correct("backward.sigmoid_grad")
def sigmoid_grad_both_sides(z):
    return sigmoid(z) * sigmoid(-np.asarray(z))  # 1 - sigmoid(z) = sigmoid(-z)


@correct("backward.sigmoid_grad")
def sigmoid_grad_loop(z):
    z = np.asarray(z, dtype=float)
    out = np.zeros(z.shape)
    for index in np.ndindex(z.shape):
        e = math.exp(-abs(z[index]))
        out[index] = e / (1 + e) ** 2
    return out


# ---- tanh_grad(z): 1 - tanh(z)**2 ----


@correct("backward.tanh_grad")
def tanh_grad_sech(z):
    return 1 / np.cosh(z) ** 2


@correct("backward.tanh_grad")
def tanh_grad_factored(z):
    t = np.tanh(z)
    return (1 - t) * (1 + t)


@correct("backward.tanh_grad")
def tanh_grad_exp(z):
    e = np.exp(-2 * np.abs(z))
    return 4 * e / (1 + e) ** 2


@correct("backward.tanh_grad")
def tanh_grad_square(z):
    return 1 - np.square(np.tanh(z))


# ---- relu_grad(z): 1 where z > 0, 0 elsewhere ----


@correct("backward.relu_grad")
def relu_grad_where(z):
    return np.where(z > 0, 1.0, 0.0)


@correct("backward.relu_grad")
def relu_grad_heaviside(z):
    return np.heaviside(z, 0.0)  # the second argument is the value at z = 0


@correct("backward.relu_grad")
def relu_grad_mask(z):
    grad = np.zeros(np.shape(z))
    grad[np.asarray(z) > 0] = 1
    return grad


@correct("backward.relu_grad")
def relu_grad_sign(z):
    return np.maximum(np.sign(z), 0.0)


@correct("backward.relu_grad")
def relu_grad_loop(z):
    return np.array([1.0 if x > 0 else 0.0 for x in np.ravel(z)]).reshape(np.shape(z))


# ---- leaky_relu_grad(z, slope): 1 where z > 0, slope elsewhere ----


@correct("backward.leaky_relu_grad")
def leaky_relu_grad_mask(z, slope=0.01):
    grad = np.ones(np.shape(z))
    grad[np.asarray(z) <= 0] = slope
    return grad


@correct("backward.leaky_relu_grad")
def leaky_relu_grad_sum_of_masks(z, slope=0.01):
    return (z > 0) + slope * (z <= 0)


@correct("backward.leaky_relu_grad")
def leaky_relu_grad_where_negative(z, slope=0.01):
    return np.where(z <= 0, slope, 1.0)


@correct("backward.leaky_relu_grad")
def leaky_relu_grad_vectorize(z, slope=0.01):
    derivative = np.vectorize(lambda x: 1.0 if x > 0 else slope)
    return derivative(z)


@correct("backward.leaky_relu_grad")
def leaky_relu_grad_loop(z, slope=0.01):
    return np.array([1.0 if x > 0 else slope for x in np.ravel(z)]).reshape(np.shape(z))


# ---- output deltas ----


@correct("backward.mse_output_delta")
def mse_output_delta_multiply(A, Y, Z, g_grad):
    return np.multiply(np.subtract(A, Y), g_grad(Z)) / len(A)


@correct("backward.mse_output_delta")
def mse_output_delta_rows(A, Y, Z, g_grad):
    m = Y.shape[0]
    delta = np.zeros(A.shape)
    for i in range(m):  # one example at a time
        delta[i] = (A[i] - Y[i]) * g_grad(Z[i]) / m
    return delta


@correct("backward.mse_output_delta")
def mse_output_delta_scaled(A, Y, Z, g_grad):
    dL_dA = (1.0 / A.shape[0]) * (A - Y)
    return dL_dA * g_grad(Z)


@correct("backward.sigmoid_bce_output_delta")
def sigmoid_bce_output_delta_subtract(A, Y):
    return np.subtract(A, Y) / Y.shape[0]


@correct("backward.sigmoid_bce_output_delta")
def sigmoid_bce_output_delta_times_inverse(A, Y):
    return (A - Y) * (1.0 / np.size(A, 0))


@correct("backward.sigmoid_bce_output_delta")
def sigmoid_bce_output_delta_loop(A, Y):
    m = len(A)
    return np.array([(a - y) / m for a, y in zip(A, Y, strict=True)])


@correct("backward.softmax_cce_output_delta")
def softmax_cce_output_delta_labels(A, Y):
    m = A.shape[0]
    delta = np.array(A, dtype=float)  # a copy of A
    delta[np.arange(m), Y.argmax(axis=1)] -= 1  # one-hot Y: subtract 1 at the true class
    return delta / m


@correct("backward.softmax_cce_output_delta")
def softmax_cce_output_delta_split(A, Y):
    m = len(Y)
    return A / m - Y / m


@correct("backward.softmax_cce_output_delta")
def softmax_cce_output_delta_true_divide(A, Y):
    return np.true_divide(A - Y, A.shape[0])


# ---- hidden_delta: (delta_next @ W_next.T) * g'(Z) ----


@correct("backward.hidden_delta")
def hidden_delta_dot(delta_next, W_next, Z, g_grad):
    return np.dot(delta_next, W_next.T) * g_grad(Z)


@correct("backward.hidden_delta")
def hidden_delta_einsum(delta_next, W_next, Z, g_grad):
    return np.einsum("mj,ij->mi", delta_next, W_next) * g_grad(Z)


@correct("backward.hidden_delta")
def hidden_delta_columns(delta_next, W_next, Z, g_grad):
    return (W_next @ delta_next.T).T * g_grad(Z)


@correct("backward.hidden_delta")
def hidden_delta_rows(delta_next, W_next, Z, g_grad):
    back = np.zeros(Z.shape)
    for i in range(Z.shape[0]):
        back[i] = np.matmul(W_next, delta_next[i])
    return back * g_grad(Z)


@correct("backward.hidden_delta")
def hidden_delta_float32(delta_next, W_next, Z, g_grad):
    back = np.asarray(delta_next, dtype=np.float32) @ np.asarray(W_next, dtype=np.float32).T
    return back * np.asarray(g_grad(Z), dtype=np.float32)


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


# ---- the chain rule on a graph (the notebook's first part): in their own module ----

from simulation.alternatives import chain_rule  # noqa: E402, F401
