"""Catalogued mistakes of the backward notebook's first part: the chain rule by hand.

Node by node (add, multiply, square, sigmoid, mean), the two-sample graph worked forward and
backward, and one step of the 2-2-1 XOR network with every intermediate. Each wrong variant is
self-contained student code (NumPy only), as the class simulator pastes it into a notebook.
"""

from __future__ import annotations

import numpy as np

from grading.mistakes.catalogue import mistake

# --- node types -------------------------------------------------------------------------------


@mistake("backward.add_backward", "splits_gradient",
         "add_backward splits the upstream gradient in half between the two inputs",
         "Both local derivatives of p + q are 1: each input receives the whole upstream "
         "gradient, not a share of it.")
def add_backward_halves(upstream):
    half = np.asarray(upstream, dtype=float) / 2
    return half, half


@mistake("backward.add_backward", "forgets_upstream",
         "add_backward returns the local derivatives (ones) without the upstream gradient",
         "The chain rule: the gradient sent to an input is its local derivative times the "
         "upstream gradient.")
def add_backward_ones(upstream):
    ones = np.ones_like(np.asarray(upstream, dtype=float))
    return ones, ones


@mistake("backward.add_backward", "subtracts",
         "add_backward sends -upstream to the second input, as for a subtraction",
         "For p + q both local derivatives are +1; only p - q would send -upstream to q.")
def add_backward_minus(upstream):
    upstream = np.asarray(upstream, dtype=float)
    return upstream, -upstream


@mistake("backward.multiply_backward", "own_input",
         "multiply_backward gives each input its own value times upstream",
         "d(p * q)/dp = q: the gradient of each input uses the OTHER input, "
         "dp = upstream * q and dq = upstream * p.")
def multiply_backward_swapped(p, q, upstream):
    return upstream * np.asarray(p, dtype=float), upstream * np.asarray(q, dtype=float)


@mistake("backward.multiply_backward", "forgets_upstream",
         "multiply_backward returns the local derivatives (q, p) without the upstream gradient",
         "The chain rule: multiply each local derivative by the upstream gradient.")
def multiply_backward_local_only(p, q, upstream):
    return np.asarray(q, dtype=float), np.asarray(p, dtype=float)


@mistake("backward.multiply_backward", "like_add",
         "multiply_backward passes upstream through unchanged, as an add node does",
         "A multiply node scales the gradient: dp = upstream * q and dq = upstream * p.")
def multiply_backward_as_add(p, q, upstream):
    upstream = np.asarray(upstream, dtype=float)
    return upstream, upstream


@mistake("backward.square_backward", "missing_two",
         "square_backward forgets the 2 of d(x**2)/dx = 2x",
         "The local derivative of x**2 is 2 * x; multiply it by upstream.")
def square_backward_no_two(x, upstream):
    return np.asarray(x, dtype=float) * upstream


@mistake("backward.square_backward", "output_not_derivative",
         "square_backward multiplies upstream by x**2, the node's output, not its derivative",
         "Backward needs the slope of the node at its input: d(x**2)/dx = 2 * x.")
def square_backward_output(x, upstream):
    return np.asarray(x, dtype=float) ** 2 * upstream


@mistake("backward.square_backward", "forgets_upstream",
         "square_backward returns the local derivative 2x without the upstream gradient",
         "The chain rule: local derivative times upstream, 2 * x * upstream.")
def square_backward_local_only(x, upstream):
    return 2 * np.asarray(x, dtype=float)


@mistake("backward.sigmoid_backward", "formula_on_z",
         "sigmoid_backward uses z * (1 - z): the activation's formula applied to the input z",
         "a * (1 - a) holds for the node's output a = sigmoid(z); the node receives z: compute "
         "s = sigmoid(z) first, then s * (1 - s) * upstream.")
def sigmoid_backward_on_z(z, upstream):
    z = np.asarray(z, dtype=float)
    return z * (1 - z) * upstream


@mistake("backward.sigmoid_backward", "forgets_upstream",
         "sigmoid_backward returns the local derivative s * (1 - s) without the upstream gradient",
         "The chain rule: multiply the sigmoid's slope at z by the upstream gradient.")
def sigmoid_backward_local_only(z, upstream):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return s * (1 - s)


@mistake("backward.sigmoid_backward", "missing_one_minus",
         "sigmoid_backward uses sigmoid(z) without the (1 - sigmoid(z)) factor",
         "The sigmoid's slope is s * (1 - s) with s = sigmoid(z); it is at most 0.25.")
def sigmoid_backward_missing_factor(z, upstream):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)) * upstream


@mistake("backward.mean_backward", "missing_division",
         "mean_backward gives every entry the whole upstream gradient, without the 1/n",
         "mean(v) = (v_1 + ... + v_n) / n: each entry's local derivative is 1/n.")
def mean_backward_no_division(values, upstream):
    return np.full(np.shape(values), float(upstream))


@mistake("backward.mean_backward", "returns_number",
         "mean_backward returns one number instead of an array shaped like values",
         "Every entry of values gets its own gradient: return an array of values' shape, each "
         "entry upstream / n.")
def mean_backward_scalar(values, upstream):
    return upstream / np.size(values)


@mistake("backward.mean_backward", "divides_by_rows",
         "mean_backward divides by len(values), the number of rows, not of entries",
         "The mean is over every entry: divide by values.size (len counts only the rows of a "
         "2-D array).")
def mean_backward_rows(values, upstream):
    values = np.asarray(values, dtype=float)
    return np.full(values.shape, upstream / len(values))


# --- the two-sample graph ---------------------------------------------------------------------


@mistake("backward.graph_forward_backward", "one_path_only",
         "graph_forward_backward keeps only the last sample's path for dw and db",
         "w and b feed the nodes of both samples: the gradients from the two paths add, "
         "dw = dz1 * x1 + dz2 * x2 and db = dz1 + dz2.")
def graph_last_path_only(w, b, x, y):
    out = {}
    for i in range(2):
        n = str(i + 1)
        z = w * x[i] + b
        a = 1 / (1 + np.exp(-z))
        s = (a - y[i]) ** 2
        ds = 0.5
        da = 2 * (a - y[i]) * ds
        dz = a * (1 - a) * da
        out |= {"z" + n: z, "a" + n: a, "s" + n: s, "ds" + n: ds, "da" + n: da, "dz" + n: dz}
        out["dw"] = dz * x[i]   # overwritten: = where += was meant
        out["db"] = dz
    out["L"] = (out["s1"] + out["s2"]) / 2
    return out


@mistake("backward.graph_forward_backward", "mean_without_half",
         "graph_forward_backward takes dL/ds = 1, forgetting the mean's 1/2",
         "L = (s1 + s2) / 2, so each s_i receives the upstream gradient 1/2, and every gradient "
         "below it is half of what you have.")
def graph_mean_without_half(w, b, x, y):
    out = {}
    dw = db = 0.0
    for i in range(2):
        n = str(i + 1)
        z = w * x[i] + b
        a = 1 / (1 + np.exp(-z))
        s = (a - y[i]) ** 2
        ds = 1.0
        da = 2 * (a - y[i]) * ds
        dz = a * (1 - a) * da
        dw, db = dw + dz * x[i], db + dz
        out |= {"z" + n: z, "a" + n: a, "s" + n: s, "ds" + n: ds, "da" + n: da, "dz" + n: dz}
    return out | {"L": (out["s1"] + out["s2"]) / 2, "dw": dw, "db": db}


@mistake("backward.graph_forward_backward", "sigmoid_slope_at_a",
         "graph_forward_backward takes the sigmoid's slope at a_i instead of at its input z_i",
         "The sigmoid node's input is z_i: its local derivative is sigmoid(z_i) * "
         "(1 - sigmoid(z_i)) = a_i * (1 - a_i).")
def graph_slope_at_output(w, b, x, y):
    out = {}
    dw = db = 0.0
    for i in range(2):
        n = str(i + 1)
        z = w * x[i] + b
        a = 1 / (1 + np.exp(-z))
        s = (a - y[i]) ** 2
        da = 2 * (a - y[i]) * 0.5
        sa = 1 / (1 + np.exp(-a))
        dz = sa * (1 - sa) * da
        dw, db = dw + dz * x[i], db + dz
        out |= {"z" + n: z, "a" + n: a, "s" + n: s, "ds" + n: 0.5, "da" + n: da, "dz" + n: dz}
    return out | {"L": (out["s1"] + out["s2"]) / 2, "dw": dw, "db": db}


@mistake("backward.graph_forward_backward", "dw_without_x",
         "graph_forward_backward sends dz to w unchanged, as if w were added like b",
         "u_i = w * x_i is a multiply node: its local derivative for w is x_i, so "
         "dw = dz1 * x1 + dz2 * x2.")
def graph_dw_without_x(w, b, x, y):
    out = {}
    dw = db = 0.0
    for i in range(2):
        n = str(i + 1)
        z = w * x[i] + b
        a = 1 / (1 + np.exp(-z))
        s = (a - y[i]) ** 2
        da = 2 * (a - y[i]) * 0.5
        dz = a * (1 - a) * da
        dw, db = dw + dz, db + dz
        out |= {"z" + n: z, "a" + n: a, "s" + n: s, "ds" + n: 0.5, "da" + n: da, "dz" + n: dz}
    return out | {"L": (out["s1"] + out["s2"]) / 2, "dw": dw, "db": db}


# --- one step of the 2-2-1 network, by hand ---------------------------------------------------


@mistake("backward.two_layer_step", "slope_at_activation",
         "two_layer_step takes the hidden sigmoid's slope at A1 instead of at Z1",
         "sigmoid'(Z1) = A1 * (1 - A1): apply that formula to A1, or sigmoid(Z1) * "
         "(1 - sigmoid(Z1)) to Z1, never sigmoid' to A1.")
def two_layer_step_slope_at_A1(X, Y, W1, b1, W2, b2, lr):
    m = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = 1 / (1 + np.exp(-Z1))
    Z2 = A1 @ W2 + b2
    A2 = 1 / (1 + np.exp(-Z2))
    P = np.clip(A2, 1e-12, 1 - 1e-12)
    loss = float(-np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P)) / m)
    delta2 = (A2 - Y) / m
    S = 1 / (1 + np.exp(-A1))
    delta1 = (delta2 @ W2.T) * S * (1 - S)
    dW2, db2, dW1, db1 = A1.T @ delta2, delta2.sum(axis=0), X.T @ delta1, delta1.sum(axis=0)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "loss": loss, "delta2": delta2,
            "delta1": delta1, "dW2": dW2, "db2": db2, "dW1": dW1, "db1": db1,
            "W1": W1 - lr * dW1, "b1": b1 - lr * db1, "W2": W2 - lr * dW2, "b2": b2 - lr * db2}


@mistake("backward.two_layer_step", "gradient_ascent",
         "two_layer_step adds lr * gradient to the parameters",
         "The gradient points uphill: a descent step is W - lr * dW (and b - lr * db).")
def two_layer_step_ascent(X, Y, W1, b1, W2, b2, lr):
    m = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = 1 / (1 + np.exp(-Z1))
    Z2 = A1 @ W2 + b2
    A2 = 1 / (1 + np.exp(-Z2))
    P = np.clip(A2, 1e-12, 1 - 1e-12)
    loss = float(-np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P)) / m)
    delta2 = (A2 - Y) / m
    delta1 = (delta2 @ W2.T) * A1 * (1 - A1)
    dW2, db2, dW1, db1 = A1.T @ delta2, delta2.sum(axis=0), X.T @ delta1, delta1.sum(axis=0)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "loss": loss, "delta2": delta2,
            "delta1": delta1, "dW2": dW2, "db2": db2, "dW1": dW1, "db1": db1,
            "W1": W1 + lr * dW1, "b1": b1 + lr * db1, "W2": W2 + lr * dW2, "b2": b2 + lr * db2}


@mistake("backward.two_layer_step", "updated_W2_in_delta1",
         "two_layer_step updates W2 before sending delta2 back through it",
         "Every gradient of a step comes from the same, old parameters: compute delta1 with the "
         "W2 of the forward pass, and update only when all gradients are known.")
def two_layer_step_new_W2(X, Y, W1, b1, W2, b2, lr):
    m = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = 1 / (1 + np.exp(-Z1))
    Z2 = A1 @ W2 + b2
    A2 = 1 / (1 + np.exp(-Z2))
    P = np.clip(A2, 1e-12, 1 - 1e-12)
    loss = float(-np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P)) / m)
    delta2 = (A2 - Y) / m
    dW2, db2 = A1.T @ delta2, delta2.sum(axis=0)
    W2 = W2 - lr * dW2
    delta1 = (delta2 @ W2.T) * A1 * (1 - A1)
    dW1, db1 = X.T @ delta1, delta1.sum(axis=0)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "loss": loss, "delta2": delta2,
            "delta1": delta1, "dW2": dW2, "db2": db2, "dW1": dW1, "db1": db1,
            "W1": W1 - lr * dW1, "b1": b1 - lr * db1, "W2": W2, "b2": b2 - lr * db2}


@mistake("backward.two_layer_step", "missing_one_over_m",
         "two_layer_step's delta2 is A2 - Y, without the 1/m of the mean loss",
         "The loss is a mean over the m rows, so delta2 = (A2 - Y) / m; with one example "
         "(m = 1) you cannot see the difference, with the four XOR rows you can.")
def two_layer_step_no_mean(X, Y, W1, b1, W2, b2, lr):
    m = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = 1 / (1 + np.exp(-Z1))
    Z2 = A1 @ W2 + b2
    A2 = 1 / (1 + np.exp(-Z2))
    P = np.clip(A2, 1e-12, 1 - 1e-12)
    loss = float(-np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P)) / m)
    delta2 = A2 - Y
    delta1 = (delta2 @ W2.T) * A1 * (1 - A1)
    dW2, db2, dW1, db1 = A1.T @ delta2, delta2.sum(axis=0), X.T @ delta1, delta1.sum(axis=0)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "loss": loss, "delta2": delta2,
            "delta1": delta1, "dW2": dW2, "db2": db2, "dW1": dW1, "db1": db1,
            "W1": W1 - lr * dW1, "b1": b1 - lr * db1, "W2": W2 - lr * dW2, "b2": b2 - lr * db2}


# --- the linear row of the layer-gradient table ------------------------------------------------


@mistake("backward.linear_backward", "W_not_transposed",
         "linear_backward sends delta back through W instead of W.T",
         "dA_prev[i, j] = sum over k of delta[i, k] * W[j, k]: the sum runs over W's second "
         "index, which is delta @ W.T, shaped (m, n_in) like A_prev.")
def linear_backward_no_transpose(delta, A_prev, W):
    return delta @ W, A_prev.T @ delta, delta.sum(axis=0)


@mistake("backward.linear_backward", "dW_transposed",
         "linear_backward returns dW transposed, delta.T @ A_prev",
         "dW[k, j] = sum over i of A_prev[i, k] * delta[i, j] = (A_prev.T @ delta)[k, j], "
         "shaped (n_in, n_out) like W.")
def linear_backward_dW_transposed(delta, A_prev, W):
    return delta @ W.T, delta.T @ A_prev, delta.sum(axis=0)


@mistake("backward.linear_backward", "db_mean",
         "linear_backward averages delta over the batch for db instead of summing it",
         "b is used by every example, so its gradients add: db = delta.sum(axis=0). The 1/m is "
         "already inside delta.")
def linear_backward_db_mean(delta, A_prev, W):
    return delta @ W.T, A_prev.T @ delta, delta.mean(axis=0)


@mistake("backward.linear_backward", "dW_averaged_again",
         "linear_backward divides dW by m again",
         "The mean's 1/m is already inside delta (it entered once, in the output delta): "
         "dW = A_prev.T @ delta, with no second division.")
def linear_backward_dW_over_m(delta, A_prev, W):
    return delta @ W.T, A_prev.T @ delta / len(delta), delta.sum(axis=0)
