"""Hand-written mutants of ``bench/mutation_score.py``, and the mutants argued equivalent.

``HAND_WRITTEN`` holds plausible student mistakes, per exercise, that the mistake catalogue
(``grading/mistakes/``) does not list: each replaces one piece of the solution's text (which
must occur exactly once in the solution region; the benchmark stops and says so when the
notebook no longer has it).

``ARGUED_EQUIVALENT`` holds the surviving mutants that differ from the solution somewhere but
that no grader should fail, each with a one-line reason: keyed by (exercise, what the operator
did, the changed lines before, after), as the benchmark prints them (the operator's description
is the text after the colon). Only a mutant that gives the solution's results on every input the
exercise's contract allows belongs there; a wrong answer the graders miss is a hole to close in
``grading/checks/``, never an entry here.

Mistakes that the course's alternatives (``simulation/alternatives/``) count as correct do not
belong in ``HAND_WRITTEN`` (``np.maximum(z, slope * z)`` for leaky_relu, right for the slopes in
[0, 1] the course uses, is one).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HandWritten:
    """A mistake: what a student writes wrong (``name``), as ``old`` text replaced by ``new``."""

    name: str
    old: str
    new: str


HAND_WRITTEN_OPERATOR = "hand-written"

M = HandWritten
HAND_WRITTEN: dict[str, tuple[HandWritten, ...]] = {
    "forward.sigmoid": (
        M("naive 1 / (1 + exp(-z)): right values, but exp overflows (a warning) for z = -1e3",
          "    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows\n"
          "    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))",
          "    return 1.0 / (1.0 + np.exp(-z))"),
        M("both branches computed from exp(-z): np.where evaluates both, which overflow",
          "np.exp(-np.abs(z))", "np.exp(-z)"),
    ),
    "forward.relu": (
        M("relu sets the negative entries of z to 0 in place",
          "    return np.maximum(np.asarray(z, dtype=float), 0.0)",
          "    z = np.asarray(z, dtype=float)\n    z[z < 0] = 0.0\n    return z"),
    ),
    "forward.tanh": (
        M("tanh as 2 sigmoid(z) - 1: the 2 inside is missing",
          "sigmoid(2.0 * np.asarray(z, dtype=float))", "sigmoid(np.asarray(z, dtype=float))"),
        M("tanh as (1 - exp(-2z)) / (1 + exp(-2z)): overflows for large negative z",
          "    return 2.0 * sigmoid(2.0 * np.asarray(z, dtype=float)) - 1.0",
          "    e = np.exp(-2.0 * np.asarray(z, dtype=float))\n    return (1.0 - e) / (1.0 + e)"),
    ),
    "forward.leaky_relu": (
        M("leaky_relu returns slope, its gradient's value, where z <= 0",
          "np.where(z > 0, z, slope * z)", "np.where(z > 0, z, slope)"),
    ),
    "forward.softmax": (
        M("softmax subtracts the matrix's maximum instead of each row's: a row far below it "
          "underflows to 0 / 0", "Z.max(axis=1, keepdims=True)", "Z.max()"),
        M("softmax normalises by the row maximum instead of the row sum",
          "E / E.sum(axis=1, keepdims=True)", "E / E.max(axis=1, keepdims=True)"),
    ),
    "forward.dense_forward": (
        M("dense_forward caches W where X belongs", "(X, Z, A)", "(W, Z, A)"),
        M("dense_forward applies g to X @ W and adds b after",
          "    Z = X @ W + b\n    A = g(Z)", "    Z = X @ W + b\n    A = g(X @ W) + b"),
    ),
    "forward.network_forward": (
        M("network_forward feeds X, not the previous activation, to every layer",
          "dense_forward(A, W, b, g)", "dense_forward(X, W, b, g)"),
        M("network_forward keeps only the last layer's cache",
          "caches.append(cache)", "caches = [cache]"),
        M("network_forward returns the last pre-activation Z instead of A",
          "return A, caches", "return caches[-1][1], caches"),
    ),
    "forward.mean_squared_error": (
        M("mean_squared_error multiplies by m: / 2 * m (precedence)",
          "/ (2 * A.shape[0])", "/ 2 * A.shape[0]"),
        M("mean_squared_error returns the per-example sums, not their mean",
          "float(np.sum((A - Y) ** 2) / (2 * A.shape[0]))",
          "np.sum((A - Y) ** 2, axis=1) / 2"),
    ),
    "forward.categorical_cross_entropy": (
        M("categorical_cross_entropy adds the binary (1 - y) log(1 - a) term",
          "Y * np.log(np.maximum(A, 1e-12))",
          "Y * np.log(np.maximum(A, 1e-12)) + (1 - Y) * np.log(np.maximum(1 - A, 1e-12))"),
        M("categorical_cross_entropy returns each example's loss, not their mean",
          "float(-np.sum(Y * np.log(np.maximum(A, 1e-12))) / A.shape[0])",
          "-np.sum(Y * np.log(np.maximum(A, 1e-12)), axis=1)"),
    ),
    "backward.sigmoid_grad": (
        M("sigmoid_grad uses tanh's formula 1 - s**2", "s * (1 - s)", "1 - s * s"),
        M("sigmoid_grad as s * (1 + s)", "s * (1 - s)", "s * (1 + s)"),
    ),
    "backward.tanh_grad": (
        M("tanh_grad uses the sigmoid's formula t (1 - t)", "1 - t * t", "t * (1 - t)"),
        M("tanh_grad as 1 - tanh(z**2)", "    t = tanh(z)\n    return 1 - t * t",
          "    return 1 - tanh(z * z)"),
    ),
    "backward.relu_grad": (
        M("relu_grad as np.sign(z): -1 for negative z",
          "(np.asarray(z) > 0).astype(float)", "np.sign(np.asarray(z, dtype=float))"),
        M("relu_grad is 0.5 at the kink z = 0", "(np.asarray(z) > 0).astype(float)",
          "np.heaviside(np.asarray(z, dtype=float), 0.5)"),
    ),
    "backward.leaky_relu_grad": (
        M("leaky_relu_grad returns z, not 1, where z > 0",
          "np.where(np.asarray(z) > 0, 1.0, slope)", "np.where(np.asarray(z) > 0, z, slope)"),
    ),
    "backward.mse_output_delta": (
        M("mse_output_delta forgets the 1/2 of the loss: 2 (A - Y) / m",
          "(A - Y) / A.shape[0]", "2 * (A - Y) / A.shape[0]"),
        M("mse_output_delta divides by every entry (A.size) instead of by m",
          "A.shape[0]", "A.size"),
    ),
    "backward.softmax_cce_output_delta": (
        M("softmax_cce_output_delta divides by every entry (A.size)", "A.shape[0]", "A.size"),
    ),
    "backward.hidden_delta": (
        M("hidden_delta adds g'(Z) instead of multiplying",
          "(delta_next @ W_next.T) * g_grad(Z)", "(delta_next @ W_next.T) + g_grad(Z)"),
        M("hidden_delta divides by m again",
          "(delta_next @ W_next.T) * g_grad(Z)", "(delta_next @ W_next.T) * g_grad(Z) / len(Z)"),
    ),
    "backward.dense_gradients": (
        M("dense_gradients sums db over everything: a scalar",
          "delta.sum(axis=0)", "delta.sum()"),
        M("dense_gradients takes db from the first example only",
          "delta.sum(axis=0)", "delta[0]"),
    ),
    "backward.network_backward": (
        M("network_backward evaluates g' at this layer's Z, not the previous layer's",
          "caches[l - 1][1]", "caches[l][1]"),
        M("network_backward uses the layer's output A as A_prev",
          "A_prev, _, _ = caches[l]", "_, _, A_prev = caches[l]"),
        M("network_backward moves the delta back before computing the layer's gradients",
          "        dWs[l], dbs[l] = dense_gradients(A_prev, delta)\n"
          "        if l > 0:\n"
          "            delta = hidden_delta(delta, weights[l], caches[l - 1][1], "
          "hidden_grads[l - 1])",
          "        if l > 0:\n"
          "            delta = hidden_delta(delta, weights[l], caches[l - 1][1], "
          "hidden_grads[l - 1])\n"
          "        dWs[l], dbs[l] = dense_gradients(A_prev, delta)"),
        M("network_backward takes g' one layer off (hidden_grads[l], wrapping around)",
          "hidden_grads[l - 1]", "hidden_grads[l % len(hidden_grads)]"),
    ),
    "backward.numerical_gradient": (
        M("numerical_gradient nudges every entry at once (the whole x moves)",
          "        original = x[index]\n"
          "        x[index] = original + eps\n"
          "        f_plus = f(x)\n"
          "        x[index] = original - eps\n"
          "        f_minus = f(x)\n"
          "        x[index] = original\n",
          "        f_plus = f(x + eps)\n"
          "        f_minus = f(x - eps)\n"),
    ),
    "backward.relative_error": (
        M("relative_error adds the floor instead of taking the max",
          "max(1e-8, np.linalg.norm(a) + np.linalg.norm(n))",
          "(1e-8 + np.linalg.norm(a) + np.linalg.norm(n))"),
        M("relative_error with max-norms instead of 2-norms",
          "np.linalg.norm(a - n) / max(1e-8, np.linalg.norm(a) + np.linalg.norm(n))",
          "np.abs(a - n).max() / max(1e-8, np.abs(a).max() + np.abs(n).max())"),
    ),
    "backward.gradient_check": (
        M("gradient_check's loss is the mean squared error",
          "return categorical_cross_entropy(", "return mean_squared_error("),
        M("gradient_check uses sigmoid on every layer", "[sigmoid] * (L - 1) + [softmax]",
          "[sigmoid] * L"),
        M("gradient_check compares dW with the numerical gradient of b",
          "relative_error(dWs[l], numerical_gradient(loss_of_W, weights[l]))",
          "relative_error(dWs[l], numerical_gradient(loss_of_b, biases[l]))"),
    ),
    "training.sgd_step": (
        M("sgd_step returns the step, not the new parameter", "param - lr * grad", "lr * grad"),
    ),
    "training.momentum_step": (
        M("momentum_step in the lr-inside convention: v = beta v - lr grad, param + v",
          "    new_velocity = beta * velocity + grad\n"
          "    return param - lr * new_velocity, new_velocity",
          "    new_velocity = beta * velocity - lr * grad\n"
          "    return param + new_velocity, new_velocity"),
        M("momentum_step updates the velocity in place",
          "    new_velocity = beta * velocity + grad",
          "    velocity *= beta\n    velocity += grad\n    new_velocity = velocity"),
    ),
    "training.adam_step": (
        M("adam_step returns the bias-corrected moments as the new moments",
          "new_m, new_v\n", "m_hat, v_hat\n"),
        M("adam_step squares the corrected mean: v_hat = m_hat ** 2",
          "    v_hat = new_v / (1 - beta2 ** t)", "    v_hat = m_hat ** 2"),
        M("adam_step updates m and v in place",
          "    new_m = beta1 * m + (1 - beta1) * grad\n"
          "    new_v = beta2 * v + (1 - beta2) * grad ** 2",
          "    m *= beta1\n    m += (1 - beta1) * grad\n    new_m = m\n"
          "    v *= beta2\n    v += (1 - beta2) * grad ** 2\n    new_v = v"),
    ),
    "training.clip_by_value": (
        M("clip_by_value clips the caller's arrays in place", "np.clip(g, -limit, limit)",
          "np.clip(g, -limit, limit, out=g)"),
    ),
    "training.clip_by_global_norm": (
        M("clip_by_global_norm's norm is the sum of the arrays' norms",
          "float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))",
          "float(sum(np.sqrt(np.sum(g ** 2)) for g in grads))"),
        M("clip_by_global_norm divides by a zero norm (no guard)",
          "min(1.0, max_norm / norm) if norm > 0 else 1.0", "min(1.0, max_norm / norm)"),
        M("clip_by_global_norm rescales the caller's arrays in place",
          "[g * scale for g in grads]", "[np.multiply(g, scale, out=g) for g in grads]"),
    ),
    "training.iterate_minibatches": (
        M("iterate_minibatches does not shuffle", "rng.permutation(len(X))", "np.arange(len(X))"),
        M("iterate_minibatches shuffles with NumPy's global generator, not rng",
          "rng.permutation(len(X))", "np.random.permutation(len(X))"),
        M("iterate_minibatches samples rows with replacement",
          "rng.permutation(len(X))", "rng.integers(0, len(X), size=len(X))"),
        M("iterate_minibatches shuffles X and Y in place with one order",
          "    order = rng.permutation(len(X))\n",
          "    order = rng.permutation(len(X))\n    X[:] = X[order]\n    Y[:] = Y[order]\n"
          "    order = np.arange(len(X))\n"),
    ),
    "training.train": (
        M("train makes a new generator every epoch: the same order every epoch",
          "    for epoch in range(epochs):\n",
          "    for epoch in range(epochs):\n        rng = np.random.default_rng(seed)\n"),
        M("train divides the output delta by the batch size again",
          "output_delta(A, Y_batch)", "output_delta(A, Y_batch) / len(Y_batch)"),
        M("train shuffles with an unseeded generator",
          "np.random.default_rng(seed)", "np.random.default_rng()"),
        M("train steps the weights with lr / batch_size", "sgd_step(params[i], grads[i], lr)",
          "sgd_step(params[i], grads[i], lr / batch_size)"),
        M("train adds 1 to Adam's t once per parameter array, not once per step",
          "            t += 1\n            for i in range(len(params)):\n",
          "            for i in range(len(params)):\n                t += 1\n"),
        M("train starts Adam's t at 1, so that the first step is number 2",
          "    t, losses = 0, []", "    t, losses = 1, []"),
        M("train leaves adam_step's lr to its default 0.001",
          "adam_step(params[i], grads[i], ms[i], vs[i], t, lr)",
          "adam_step(params[i], grads[i], ms[i], vs[i], t)"),
        M("train keeps Adam's m and v in one same list",
          "    ms = [np.zeros_like(p) for p in weights + biases]          # Adam: one m and one v "
          "per array\n    vs = [np.zeros_like(p) for p in weights + biases]\n",
          "    ms = vs = [np.zeros_like(p) for p in weights + biases]\n"),
    ),
    "explorations.gradient_norms": (
        M("gradient_norms uses the spectral norm (np.linalg.norm(dW, 2))",
          "float(np.sqrt(np.sum(dW ** 2)))", "float(np.linalg.norm(dW, 2))"),
        M("gradient_norms returns the largest absolute entry",
          "float(np.sqrt(np.sum(dW ** 2)))", "float(np.abs(dW).max())"),
    ),
    "explorations.gradient_cost_ratio": (
        M("gradient_cost_ratio counts one pass per parameter for centered differences",
          "2 * n_params if centered", "n_params if centered"),
        M("gradient_cost_ratio counts 2 P + 1 passes for one-sided differences",
          "else n_params + 1", "else 2 * n_params + 1"),
    ),
    "explorations.deep_gradient_norms": (
        M("deep_gradient_norms always builds a ReLU network",
          "init_network(sizes, seed, hidden)", "init_network(sizes, seed, 'relu')"),
        M("deep_gradient_norms makes depth + 1 hidden layers", "[width] * depth",
          "[width] * (depth + 1)"),
        M("deep_gradient_norms ignores the seed", "init_network(sizes, seed, hidden)",
          "init_network(sizes, 0, hidden)"),
    ),
    "explorations.dead_fractions": (
        M("dead_fractions reads each layer's input instead of Z",
          "for _, Z, _ in caches[:-1]", "for Z, _, _ in caches[:-1]"),
    ),
    "explorations.parameter_count": (
        M("parameter_count gives each layer n_in biases", "n_in * n_out + n_out",
          "n_in * n_out + n_in"),
    ),
    "explorations.time_gradients": (
        M("time_gradients reports milliseconds",
          "results.append((parameter_count(sizes), backprop_seconds, numerical_seconds))",
          "results.append((parameter_count(sizes), 1000 * backprop_seconds, "
          "1000 * numerical_seconds))"),
        M("time_gradients times backprop in place of the finite differences",
          "        numerical_network_gradients(X, Y, weights, biases)\n",
          "        backprop(X, Y, weights, biases)\n"),
        M("time_gradients times one backprop call, not the fastest of 3 the notebook advises",
          "range(3)", "range(1)"),
    ),
}
del M

#: Surviving mutants that no grader should fail, with the reason: (exercise, what the operator
#: did, before, after) -> reason. The benchmark lists entries that no longer match a survivor.
ARGUED_EQUIVALENT: dict[tuple[str, str, str, str], str] = {}
