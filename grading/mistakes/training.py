"""Catalogued mistakes of the training notebook's building blocks: the update rules, clipping,
minibatches (those of the loop that uses them, ``train``, are in
:mod:`grading.mistakes.training_loop`)."""

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


@mistake("training.sgd_step", "no_learning_rate",
         "sgd_step subtracts the whole gradient, without the learning rate",
         "The learning rate sets the length of the step: param - lr * grad.")
def sgd_without_lr(param, grad, lr):
    return np.asarray(param, dtype=float) - np.asarray(grad)


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


@mistake("training.momentum_step", "lr_in_velocity",
         "momentum_step puts the learning rate into the velocity",
         "The velocity collects raw gradients, v = beta * v + grad; lr comes in the step, "
         "param - lr * v.")
def momentum_lr_in_velocity(param, grad, velocity, lr, beta=0.9):
    v = beta * np.asarray(velocity) + lr * np.asarray(grad)
    return np.asarray(param) - v, v


@mistake("training.momentum_step", "running_mean",
         "momentum_step keeps a running mean, beta * v + (1 - beta) * grad",
         "The course's momentum adds the whole gradient to the decayed velocity: "
         "v = beta * v + grad, not a running mean with (1 - beta) * grad.")
def momentum_running_mean(param, grad, velocity, lr, beta=0.9):
    v = beta * np.asarray(velocity) + (1 - beta) * np.asarray(grad)
    return np.asarray(param) - lr * v, v


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


@mistake("training.adam_step", "v_not_squared",
         "adam_step's v averages the gradient, not its square",
         "v is a running mean of the squared gradient: beta2 * v + (1 - beta2) * grad ** 2.")
def adam_v_not_squared(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    grad = np.asarray(grad, dtype=float)
    m = beta1 * np.asarray(m) + (1 - beta1) * grad
    v = beta2 * np.asarray(v) + (1 - beta2) * grad
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return np.asarray(param) - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@mistake("training.adam_step", "eps_inside_root",
         "adam_step adds eps inside the square root",
         "eps goes outside the square root, sqrt(v_hat) + eps: it keeps the step finite when "
         "v_hat is about 0, whatever the size of eps.")
def adam_eps_inside_root(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    grad = np.asarray(grad, dtype=float)
    m = beta1 * np.asarray(m) + (1 - beta1) * grad
    v = beta2 * np.asarray(v) + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return np.asarray(param) - lr * m_hat / np.sqrt(v_hat + eps), m, v


@mistake("training.adam_step", "correction_uses_next_step",
         "adam_step corrects the bias with t + 1 instead of t",
         "The correction uses beta**t with the t you are given: t is this step's number and "
         "starts at 1; do not add 1 to it.")
def adam_t_plus_one(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    grad = np.asarray(grad, dtype=float)
    m = beta1 * np.asarray(m) + (1 - beta1) * grad
    v = beta2 * np.asarray(v) + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
    return np.asarray(param) - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


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


@mistake("training.clip_by_value", "upper_side_only",
         "clip_by_value caps entries above limit but leaves those below -limit",
         "Clip both sides: entries above limit become limit, entries below -limit become -limit.")
def clip_value_upper_only(grads, limit):
    return [np.minimum(np.asarray(g, dtype=float), limit) for g in grads]


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


@mistake("training.clip_by_global_norm", "norm_after_clipping",
         "clip_by_global_norm returns the norm after clipping as norm_before",
         "norm_before is the global norm measured before clipping, not after: it shows how large "
         "the gradients were before they were rescaled.")
def clip_norm_reports_clipped_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    scale = max_norm / norm if norm > max_norm else 1.0
    clipped = [np.asarray(g, dtype=float) * scale for g in grads]
    return clipped, float(np.sqrt(sum(np.sum(np.square(g)) for g in clipped)))


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
