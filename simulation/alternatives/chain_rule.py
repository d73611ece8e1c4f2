# Student code, linted like the notebooks it stands for (pyproject.toml's rules for *.ipynb).
"""Correct answers to the first part of ps2 (the chain rule on a graph), in other styles.

Loaded with the rest of the package's alternatives (:func:`simulation.alternatives.load_all`
imports every module). ``sigmoid`` is the notebook's given one, as a student's cell would use it.
"""

from __future__ import annotations

import math

import numpy as np

from simulation.alternatives import correct
from simulation.alternatives.notebook import namespace

sigmoid = namespace("ps2_backward")["sigmoid"]

# ---- add_backward(upstream) -> (dp, dq) ----


@correct("backward.add_backward")
def add_backward_plain(upstream):
    return upstream, upstream  # both local derivatives are 1


@correct("backward.add_backward")
def add_backward_local_times_upstream(upstream):
    local = (1.0, 1.0)
    return tuple(d * np.asarray(upstream, dtype=float) for d in local)


@correct("backward.add_backward")
def add_backward_copies(upstream):
    g = np.array(upstream, dtype=float)
    return g.copy(), np.copy(g)


# ---- multiply_backward(p, q, upstream) -> (dp, dq) ----


@correct("backward.multiply_backward")
def multiply_backward_plain(p, q, upstream):
    return q * upstream, p * upstream


@correct("backward.multiply_backward")
def multiply_backward_np_multiply(p, q, upstream):
    return np.multiply(upstream, q), np.multiply(upstream, p)


@correct("backward.multiply_backward")
def multiply_backward_loop(p, q, upstream):
    p, q, g = (np.asarray(v, dtype=float) for v in (p, q, upstream))
    dp, dq = np.zeros(g.shape), np.zeros(g.shape)
    for index in np.ndindex(g.shape):
        dp[index] = q[index] * g[index]
        dq[index] = p[index] * g[index]
    return dp, dq


# ---- square_backward(x, upstream) ----


@correct("backward.square_backward")
def square_backward_twice(x, upstream):
    return (x + x) * upstream


@correct("backward.square_backward")
def square_backward_np(x, upstream):
    return np.multiply(2.0 * np.asarray(x), upstream)


@correct("backward.square_backward")
def square_backward_loop(x, upstream):
    x, g = np.asarray(x, dtype=float), np.asarray(upstream, dtype=float)
    out = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        out[index] = 2 * x[index] * g[index]
    return out


# ---- sigmoid_backward(z, upstream) ----


@correct("backward.sigmoid_backward")
def sigmoid_backward_both_sides(z, upstream):
    return sigmoid(z) * sigmoid(-np.asarray(z)) * upstream  # 1 - sigmoid(z) = sigmoid(-z)


@correct("backward.sigmoid_backward")
def sigmoid_backward_symmetric(z, upstream):
    e = np.exp(-np.abs(z))  # sigma'(z) = e^-|z| / (1 + e^-|z|)^2, the same for z and -z
    return e / (1 + e) ** 2 * upstream


@correct("backward.sigmoid_backward")
def sigmoid_backward_cosh(z, upstream):
    with np.errstate(over="ignore"):
        return 0.25 / np.cosh(np.asarray(z) / 2) ** 2 * upstream  # cosh -> inf: 0.25/inf = 0


# ---- mean_backward(values, upstream) ----


@correct("backward.mean_backward")
def mean_backward_ones(values, upstream):
    return np.ones_like(values, dtype=float) * upstream / np.size(values)


@correct("backward.mean_backward")
def mean_backward_full_like(values, upstream):
    values = np.asarray(values)
    return np.full_like(values, upstream / values.size, dtype=float)


@correct("backward.mean_backward")
def mean_backward_loop(values, upstream):
    values = np.asarray(values, dtype=float)
    n = 1
    for size in values.shape:
        n *= size
    out = np.empty(values.shape)
    for index in np.ndindex(values.shape):
        out[index] = upstream / n
    return out


# ---- graph_forward_backward(w, b, x, y) -> dict ----


@correct("backward.graph_forward_backward")
def graph_forward_backward_loop(w, b, x, y):
    values, grads = {}, {"dw": 0.0, "db": 0.0}
    for i in (0, 1):
        k = str(i + 1)
        z = w * x[i] + b
        a = float(sigmoid(z))
        s = (a - y[i]) ** 2
        values |= {"z" + k: z, "a" + k: a, "s" + k: s}
        ds = 1 / 2
        da = 2 * (a - y[i]) * ds
        dz = a * (1 - a) * da
        grads |= {"ds" + k: ds, "da" + k: da, "dz" + k: dz}
        grads["dw"] += x[i] * dz   # w is used by both samples: the paths add
        grads["db"] += dz
    values["L"] = (values["s1"] + values["s2"]) / 2
    return values | grads


@correct("backward.graph_forward_backward")
def graph_forward_backward_vectorized(w, b, x, y):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    z = w * x + b
    a = sigmoid(z)
    s = (a - y) ** 2
    ds = np.full(2, 1 / len(s))
    da = 2 * (a - y) * ds
    dz = a * (1 - a) * da
    result = {"L": s.mean(), "dw": np.dot(dz, x), "db": dz.sum()}
    for name, v in (("z", z), ("a", a), ("s", s), ("ds", ds), ("da", da), ("dz", dz)):
        result[name + "1"], result[name + "2"] = v[0], v[1]
    return result


@correct("backward.graph_forward_backward")
def graph_forward_backward_written_out(w, b, x, y):
    def sig(v):
        return 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))

    x1, x2 = float(x[0]), float(x[1])
    y1, y2 = float(y[0]), float(y[1])
    z1, z2 = w * x1 + b, w * x2 + b
    a1, a2 = sig(z1), sig(z2)
    s1, s2 = (a1 - y1) ** 2, (a2 - y2) ** 2
    L = 0.5 * s1 + 0.5 * s2
    ds1 = ds2 = 0.5
    da1, da2 = 2 * (a1 - y1) * ds1, 2 * (a2 - y2) * ds2
    dz1, dz2 = sig(z1) * (1 - sig(z1)) * da1, sig(z2) * (1 - sig(z2)) * da2
    dw = dz1 * x1 + dz2 * x2
    db = dz1 + dz2
    return {"z1": z1, "a1": a1, "s1": s1, "z2": z2, "a2": a2, "s2": s2, "L": L,
            "ds1": ds1, "da1": da1, "dz1": dz1, "ds2": ds2, "da2": da2, "dz2": dz2,
            "dw": dw, "db": db}


# ---- two_layer_step(X, Y, W1, b1, W2, b2, lr) -> dict ----


@correct("backward.two_layer_step")
def two_layer_step_np_dot(X, Y, W1, b1, W2, b2, lr):
    m = len(X)
    Z1 = np.dot(X, W1) + b1
    A1 = sigmoid(Z1)
    Z2 = np.dot(A1, W2) + b2
    A2 = sigmoid(Z2)
    P = np.clip(A2, 1e-12, 1 - 1e-12)
    loss = -np.mean(np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P), axis=1))
    delta2 = (A2 - Y) / m
    delta1 = np.dot(delta2, W2.T) * A1 * (1 - A1)
    grads = {"dW2": np.dot(A1.T, delta2), "db2": np.sum(delta2, axis=0),
             "dW1": np.dot(X.T, delta1), "db1": np.sum(delta1, axis=0)}
    new = {name: value - lr * grads["d" + name]
           for name, value in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2))}
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "loss": loss, "delta2": delta2,
            "delta1": delta1, **grads, **new}


@correct("backward.two_layer_step")
def two_layer_step_einsum(X, Y, W1, b1, W2, b2, lr):
    m = X.shape[0]
    Z1 = np.einsum("ij,jk->ik", X, W1) + b1
    A1 = sigmoid(Z1)
    Z2 = np.einsum("ij,jk->ik", A1, W2) + b2
    A2 = sigmoid(Z2)
    loss = float(-np.sum(Y * np.log(np.maximum(A2, 1e-12))
                         + (1 - Y) * np.log(np.maximum(1 - A2, 1e-12))) / m)
    delta2 = (A2 - Y) / m
    delta1 = np.einsum("ik,jk->ij", delta2, W2) * sigmoid(Z1) * (1 - sigmoid(Z1))
    dW2 = np.einsum("ij,ik->jk", A1, delta2)    # a sum over the m examples
    dW1 = np.einsum("ij,ik->jk", X, delta1)
    db2, db1 = np.einsum("ik->k", delta2), np.einsum("ik->k", delta1)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "loss": loss, "delta2": delta2,
            "delta1": delta1, "dW2": dW2, "db2": db2, "dW1": dW1, "db1": db1,
            "W1": W1 - lr * dW1, "b1": b1 - lr * db1, "W2": W2 - lr * dW2, "b2": b2 - lr * db2}


@correct("backward.two_layer_step")
def two_layer_step_by_index(X, Y, W1, b1, W2, b2, lr):
    m, n0 = X.shape
    n1, n2 = W2.shape
    Z1, Z2 = np.zeros((m, n1)), np.zeros((m, n2))
    for i in range(m):
        for j in range(n1):
            Z1[i, j] = b1[j] + sum(X[i, k] * W1[k, j] for k in range(n0))
    A1 = sigmoid(Z1)
    for i in range(m):
        for j in range(n2):
            Z2[i, j] = b2[j] + sum(A1[i, k] * W2[k, j] for k in range(n1))
    A2 = sigmoid(Z2)
    loss = 0.0
    for i in range(m):
        for j in range(n2):
            a = min(max(A2[i, j], 1e-12), 1 - 1e-12)
            loss -= (Y[i, j] * math.log(a) + (1 - Y[i, j]) * math.log(1 - a)) / m
    delta2 = (A2 - Y) / m
    delta1 = np.zeros((m, n1))
    for i in range(m):
        for j in range(n1):   # a sum over the next layer's units k
            back = sum(delta2[i, k] * W2[j, k] for k in range(n2))
            delta1[i, j] = back * A1[i, j] * (1 - A1[i, j])
    dW2 = np.array([[sum(A1[i, j] * delta2[i, k] for i in range(m)) for k in range(n2)]
                    for j in range(n1)])
    dW1 = np.array([[sum(X[i, j] * delta1[i, k] for i in range(m)) for k in range(n1)]
                    for j in range(n0)])
    db2 = np.array([sum(delta2[i, k] for i in range(m)) for k in range(n2)])
    db1 = np.array([sum(delta1[i, k] for i in range(m)) for k in range(n1)])
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "loss": loss, "delta2": delta2,
            "delta1": delta1, "dW2": dW2, "db2": db2, "dW1": dW1, "db1": db1,
            "W1": W1 - lr * dW1, "b1": b1 - lr * db1, "W2": W2 - lr * dW2, "b2": b2 - lr * db2}


# ---- linear_backward(delta, A_prev, W) -> (dA_prev, dW, db) ----


@correct("backward.linear_backward")
def linear_backward_einsum(delta, A_prev, W):
    return (np.einsum("ik,jk->ij", delta, W), np.einsum("ik,ij->kj", A_prev, delta),
            np.einsum("ij->j", delta))


@correct("backward.linear_backward")
def linear_backward_np_dot(delta, A_prev, W):
    return np.dot(delta, np.transpose(W)), np.dot(np.transpose(A_prev), delta), np.sum(delta, 0)


@correct("backward.linear_backward")
def linear_backward_by_index(delta, A_prev, W):
    m, n_out = delta.shape
    n_in = W.shape[0]
    dA_prev, dW, db = np.zeros((m, n_in)), np.zeros((n_in, n_out)), np.zeros(n_out)
    for i in range(m):
        for j in range(n_in):
            for k in range(n_out):
                dA_prev[i, j] += delta[i, k] * W[j, k]   # unit j feeds every unit k
                dW[j, k] += A_prev[i, j] * delta[i, k]   # W[j, k] is used by every example i
    for i in range(m):
        db += delta[i]
    return dA_prev, dW, db
