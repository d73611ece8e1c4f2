"""Hidden graders for ps3_training/training.ipynb: update rules, clipping, minibatches, training,
and the questions around its two experiments (exploding gradients, optimizers on the digits;
:mod:`grading.answers`).

Update rules are compared with :mod:`reference.updates` on seeded random arrays. Training is
judged by what does not depend on how rows are shuffled: a full-batch run (one step per epoch)
must follow the reference epoch by epoch; a minibatch run with a tiny learning rate must move
the weights ``m / batch_size`` times as far as one full-batch step; runs with
``optimizer="adam"`` and ``"momentum"`` on copies of one example (every batch gives the same
gradient) must follow the reference step by step; and real runs on XOR and the digits must
reach their accuracy.

A slip costs once (:mod:`grading.diagnosis`): ``train`` calls the student's ``sgd_step``,
``momentum_step``, ``adam_step`` and ``iterate_minibatches``, as the notebook asks, so its three
checks are declared with
:func:`~grading.diagnosis.uses_helpers`. A ``train`` that does what the notebook asks with a
wrong helper (it follows, step by step, the notebook's loop run with that helper) keeps its
points, even where the wrong helper keeps it from learning XOR or the digits.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import reference
from grading import variant
from grading.answers import Asked, ask
from grading.calls import call, call_pure, unpack
from grading.cases import random_arrays, reference_network, training_data
from grading.compare import assert_close, close, tolerances
from grading.diagnosis import Helper, student_helper, uses_helpers
from grading.registry import Failure, describe, register

SHAPES = ((3,), (4, 5), (2, 3, 4))
#: The defaults of the notebook's signatures: momentum_step's beta, train's lr.
MOMENTUM_BETA, TRAIN_LR = 0.9, 0.05
#: Seconds one training run of the outcome checks may take; the reference needs about one.
TIME_BUDGET = 60.0
#: What a training run gave: weights, biases, losses, and the tolerances its results are
#: compared with (those of the precision of the whole result).
Params = tuple[list[np.ndarray], list[np.ndarray], list[float], dict[str, float]]


@register("training.sgd_step")
def check_sgd_step(sgd_step: Callable) -> None:
    """``param - lr * grad`` on several shapes and learning rates, param left unchanged."""
    name = "training.sgd_step"
    for seed, (shape, lr) in enumerate(zip(SHAPES, (0.1, 0.01, 1.5), strict=True)):
        param, grad = random_arrays(seed, shape, 2)
        got = call_pure(name, sgd_step, ("param", "grad"), (param, grad), lr)
        close(name, f"param and grad of shape {shape}, lr={lr}", got,
              reference.sgd_step(param, grad, lr), {
                  "the step goes up the gradient (+ lr * grad); descent subtracts it":
                      param + lr * grad,
                  "the learning rate is missing": param - grad})


def _momentum_cases(momentum_step: Callable,
                    ) -> Iterator[tuple[str, tuple[Any, Any], tuple[np.ndarray, ...],
                                        tuple[np.ndarray, np.ndarray], float, float]]:
    """(case, student (new_param, new_velocity), (param, grad, velocity), reference result,
    lr, beta): one step from a random velocity, on several shapes and hyperparameters, and once
    with beta left to its default (the signature's 0.9, :data:`MOMENTUM_BETA`)."""
    name, outputs = "training.momentum_step", ("new_param", "new_velocity")
    for seed, (shape, lr, beta) in enumerate(zip((*SHAPES, (2, 5)), (0.1, 0.05, 0.3, 0.2),
                                                 (0.9, 0.5, 0.99, None), strict=True)):
        param, grad, velocity = random_arrays(seed, shape, 3)
        given = () if beta is None else (beta,)
        case = f"param of shape {shape}, lr={lr}, " + (
            f"beta={beta}" if given else f"beta left to its default {MOMENTUM_BETA}")
        beta = MOMENTUM_BETA if beta is None else beta
        got = unpack(name, case, call_pure(name, momentum_step, ("param", "grad", "velocity"),
                                           (param, grad, velocity), lr, *given), outputs)
        yield (case, got, (param, grad, velocity),
               reference.momentum_step(param, grad, velocity, lr, beta), lr, beta)


@register("training.momentum_step", part="new_velocity = beta * velocity + grad", weight=3)
def check_momentum_velocity(momentum_step: Callable) -> None:
    """The new velocity, for every case."""
    for case, got, (_, grad, velocity), want, lr, beta in _momentum_cases(momentum_step):
        close("training.momentum_step", f"new_velocity for {case}", got[1], want[1],
              **tolerances(got), mistakes={
            "the velocity collects raw gradients, v = beta * v + grad; lr comes in the step":
                beta * velocity + lr * grad,
            "use v = beta * v + grad, not a running mean with (1 - beta) * grad":
                beta * velocity + (1 - beta) * grad,
            "beta multiplies the old velocity, not the gradient": velocity + beta * grad})


@register("training.momentum_step", part="new_param, a step along the new velocity", weight=2)
def check_momentum_param(momentum_step: Callable) -> None:
    """The new parameter, for every case."""
    for case, got, (param, _, velocity), want, lr, _ in _momentum_cases(momentum_step):
        close("training.momentum_step", f"new_param for {case}", got[0], want[0],
              **tolerances(got), mistakes={
            "step with the new velocity, after updating it": param - lr * velocity})


def _adam_cases(adam_step: Callable) -> Iterator[tuple[str, tuple[Any, Any, Any],
                                                      tuple[np.ndarray, ...], tuple[Any, ...],
                                                      int, dict[str, float]]]:
    """(case, student (new_param, new_m, new_v), (param, grad, m, v), reference result, t,
    options): Adam at steps t = 1, 2, 3, 10 and 1000, default and changed hyperparameters; a
    first step on gradients about as small as the default eps, and a step on gradients and
    moments small enough that a changed eps weighs as much as sqrt(v_hat)."""
    name, outputs = "training.adam_step", ("new_param", "new_m", "new_v")
    cases = ((1, (3,), {}), (2, (4, 5), {"lr": 0.01}), (10, (2, 3, 4), {"beta1": 0.8}),
             (1000, (6,), {"lr": 0.1, "beta2": 0.99, "eps": 1e-6}), (1, (5,), {"lr": 0.1}),
             (3, (3, 2), {"lr": 0.1, "eps": 1e-4}))
    for seed, (t, shape, options) in enumerate(cases):
        param, grad, m = random_arrays(seed, shape, 3)
        v = np.abs(random_arrays(seed + 50, shape, 1)[0])
        note = ""
        if seed == 4:  # a first step on gradients about as small as eps
            grad, m, v = grad * 1e-8, np.zeros(shape), np.zeros(shape)
            note = ", gradients of about 1e-8, m = v = 0"
        elif seed == 5:  # sqrt(v_hat) about 1e-4, as large as this eps: ignoring eps shows
            grad, m, v = grad * 1e-4, m * 1e-4, v * 1e-8
            note = ", gradients and m of about 1e-4, v of about 1e-8"
        case = (f"param of shape {shape}, t={t}" + "".join(f", {k}={x}" for k, x in options.items())
                + note)
        got = unpack(name, case, call_pure(name, adam_step, ("param", "grad", "m", "v"),
                                           (param, grad, m, v), t, **options), outputs)
        yield (case, got, (param, grad, m, v), reference.adam_step(param, grad, m, v, t, **options),
               t, options)


@register("training.adam_step", part="the moments new_m and new_v", weight=1)
def check_adam_moments(adam_step: Callable) -> None:
    """Both running means, for every case."""
    for case, got, (_, grad, _, v), want, _, options in _adam_cases(adam_step):
        beta2 = options.get("beta2", 0.999)
        close("training.adam_step", f"new_m for {case}", got[1], want[1], **tolerances(got))
        close("training.adam_step", f"new_v for {case}", got[2], want[2], **tolerances(got),
              mistakes={
            "v is a running mean of the squared gradient, grad ** 2":
                beta2 * v + (1 - beta2) * grad})


@register("training.adam_step", part="new_param, the bias-corrected step", weight=2)
def check_adam_param(adam_step: Callable) -> None:
    """The new parameter, for every case."""
    for case, got, (param, *_), want, t, options in _adam_cases(adam_step):
        close("training.adam_step", f"new_param for {case}", got[0], want[0],
              _adam_mistakes(param, want[1], want[2], t, options), **tolerances(got))


def _adam_mistakes(param: np.ndarray, m: np.ndarray, v: np.ndarray, t: int,
                   options: dict[str, float]) -> dict[str, np.ndarray]:
    lr, eps = options.get("lr", 1e-3), options.get("eps", 1e-8)
    b1, b2 = options.get("beta1", 0.9), options.get("beta2", 0.999)
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    return {
        "the bias correction is missing: divide m by (1 - beta1**t) and v by (1 - beta2**t)":
            param - lr * m / (np.sqrt(v) + eps),
        "eps goes outside the square root: sqrt(v_hat) + eps":
            param - lr * m_hat / np.sqrt(v_hat + eps),
        "the correction uses beta**t with the t you are given (t starts at 1)":
            param - lr * (m / (1 - b1 ** (t + 1))) / (np.sqrt(v / (1 - b2 ** (t + 1))) + eps)}


def _check_list(name: str, case: str, got: Any, count: int) -> None:
    if not isinstance(got, (list, tuple)) or len(got) != count:
        raise Failure(f"{name}: for {case}, expected a list of {count} arrays, one per "
                      f"gradient; got {describe(got)}")


@register("training.clip_by_value")
def check_clip_by_value(clip_by_value: Callable) -> None:
    """Every entry clipped into [-limit, limit], for lists of arrays of mixed shapes."""
    name = "training.clip_by_value"
    for seed, limit in enumerate((0.5, 1.0, 10.0)):
        grads = [3 * g for g in (*random_arrays(seed, (4, 3), 1),
                                 *random_arrays(seed + 9, (3,), 1))]
        case = f"two gradients of shapes (4, 3) and (3,), limit={limit}"
        got = call_pure(name, clip_by_value, ("grads",), (grads,), limit)
        _check_list(name, case, got, len(grads))
        want = reference.clip_by_value(grads, limit)
        for index, (g, w, original) in enumerate(zip(got, want, grads, strict=True)):
            close(name, f"gradient {index} of {case}", g, w, **tolerances(got), mistakes={
                "clip both sides: entries below -limit become -limit":
                    np.minimum(original, limit)})


def _global_norm_cases() -> Iterator[tuple[list[np.ndarray], float, str]]:
    """(grads, max_norm, case): norms above and below max_norm, a small one, all zeros."""
    for seed, max_norm in enumerate((1.0, 100.0, 0.01)):
        grads = [*random_arrays(seed, (5, 4), 1), *random_arrays(seed + 9, (4,), 1),
                 *random_arrays(seed, (2, 1), 1)]
        yield (grads, max_norm,
               f"three gradients of shapes (5, 4), (4,), (2, 1), max_norm={max_norm}")
    small = [0.1 * g for g in random_arrays(4, (3, 3), 2)]
    yield small, 0.05, "two small gradients of shape (3, 3) (global norm below 1), max_norm=0.05"
    yield ([np.zeros((2, 2)), np.zeros(2)], 1.0,
           "gradients that are all zero (norm 0: leave them, do not divide by 0)")


def _clip_by_global_norm(clip_by_global_norm: Callable, grads: list[np.ndarray],
                         max_norm: float, case: str) -> tuple[Any, Any]:
    name = "training.clip_by_global_norm"
    return unpack(name, case, call_pure(name, clip_by_global_norm, ("grads",), (grads,), max_norm),
                  ("clipped_grads", "norm_before"))


@register("training.clip_by_global_norm", part="norm_before, the global norm", weight=1)
def check_global_norm(clip_by_global_norm: Callable) -> None:
    """The norm of all gradients together, measured before clipping."""
    for grads, max_norm, case in _global_norm_cases():
        clipped, norm = _clip_by_global_norm(clip_by_global_norm, grads, max_norm, case)
        want_norm = reference.global_norm(grads)
        close("training.clip_by_global_norm", f"norm_before for {case}", norm,
              np.float64(want_norm), **tolerances(clipped, norm), mistakes={
                  "norm_before is the global norm measured before clipping, not after":
                      np.float64(min(want_norm, max_norm))})


@register("training.clip_by_global_norm", part="the clipped gradients", weight=3)
def check_clipped_gradients(clip_by_global_norm: Callable) -> None:
    """Rescaled together when the global norm is too large, unchanged when it is not."""
    name = "training.clip_by_global_norm"
    for grads, max_norm, case in _global_norm_cases():
        clipped, norm = _clip_by_global_norm(clip_by_global_norm, grads, max_norm, case)
        want, _ = reference.clip_by_global_norm(grads, max_norm)
        _check_list(name, case, clipped, len(grads))
        # rtol 1e-5: dividing by (norm + 1e-6), as PyTorch does, is a correct way to clip
        for index, (g, w, original) in enumerate(zip(clipped, want, grads, strict=True)):
            own_norm = np.linalg.norm(original)
            close(name, f"gradient {index} of {case}", g, w,
                  **tolerances(clipped, norm, rtol=1e-5), mistakes={
                "each array was rescaled by its own norm; use one norm of all arrays together":
                    original * min(1.0, max_norm / own_norm) if own_norm > 0 else original,
                "the gradients were clipped entry by entry; rescale them all by one factor":
                    np.clip(original, -max_norm, max_norm)})


@register("training.iterate_minibatches")
def check_iterate_minibatches(iterate_minibatches: Callable) -> None:
    """Every row once per epoch in batches of batch_size, X and Y rows kept together, shuffled
    by the rng that is passed in, a new order each epoch."""
    name = "training.iterate_minibatches"
    for m, size in ((10, 4), (12, 3), (7, 7), (5, 10), (50, 1)):
        _check_epoch(name, iterate_minibatches, m, size)
    orders = [_order(name, iterate_minibatches, 40, variant.rng(s)) for s in (3, 3, 4)]
    rng = variant.rng(5)
    if np.array_equal(orders[0], np.arange(40)):
        raise Failure(f"{name}: the rows come out in their original order; shuffle them with "
                      "order = rng.permutation(m)")
    if not np.array_equal(orders[0], orders[1]) or np.array_equal(orders[0], orders[2]):
        raise Failure(f"{name}: shuffle with the rng argument (rng.permutation(m)), not "
                      "np.random: the same seed must give the same order, another seed another")
    if np.array_equal(_order(name, iterate_minibatches, 40, rng),
                      _order(name, iterate_minibatches, 40, rng)):
        raise Failure(f"{name}: two epochs with the same rng gave the same order; draw a new "
                      "permutation from rng each time the function is called")


def _minibatches(name: str, fn: Callable, X: np.ndarray, Y: np.ndarray, size: int,
                 rng: np.random.Generator) -> list[Any]:
    """Every batch of one epoch; ``rng`` moves on by the student's draws (it is the one
    argument the exercise updates)."""
    return list(call(name, fn, (X, Y, size, rng), names="X Y batch_size rng", updates=("rng",)))


def _order(name: str, fn: Callable, m: int, rng: np.random.Generator) -> np.ndarray:
    X = np.arange(3.0 * m).reshape(m, 3)
    return np.concatenate([np.asarray(xb)[:, 0] / 3
                           for xb, _ in _minibatches(name, fn, X, X[:, :2], 8, rng)])


def _check_epoch(name: str, fn: Callable, m: int, size: int) -> None:
    X, Y = np.arange(3.0 * m).reshape(m, 3), -np.arange(2.0 * m).reshape(m, 2)
    case = f"X of shape {X.shape}, Y of shape {Y.shape}, batch_size={size}"
    batches = _minibatches(name, fn, X, Y, size, variant.rng(m))
    pairs = [[np.asarray(a, float) for a in unpack(name, case, b, ("X_batch", "Y_batch"))]
             for b in batches]
    expected = [size] * (m // size) + ([m % size] if m % size else [])
    if [len(xb) for xb, _ in pairs] != expected:
        raise Failure(f"{name}: for {case}, expected batches of {expected} rows; "
                      f"got {[len(xb) for xb, _ in pairs]}")
    rows_x = np.concatenate([xb[:, 0] / 3 for xb, _ in pairs])
    if not np.array_equal(rows_x, np.concatenate([-yb[:, 0] / 2 for _, yb in pairs])):
        raise Failure(f"{name}: for {case}, X_batch and Y_batch hold different examples; "
                      "index X and Y with the same rows")
    if not np.array_equal(np.sort(rows_x), np.arange(m)):
        raise Failure(f"{name}: for {case}, an epoch must use every row exactly once; "
                      "some rows are missing or repeated")


@uses_helpers(("training.train", "training.train_xor", "training.train_digits"),
              Helper("sgd_step", "training.sgd_step", reference.sgd_step),
              Helper("iterate_minibatches", "training.iterate_minibatches",
                     reference.iterate_minibatches),
              Helper("momentum_step", "training.momentum_step", reference.momentum_step),
              Helper("adam_step", "training.adam_step", reference.adam_step))
def _train_through(sgd_step: Callable, iterate_minibatches: Callable, momentum_step: Callable,
                   adam_step: Callable) -> Callable:
    """The notebook's train: the given network, forward and backward passes (here the
    reference's), the student's iterate_minibatches and update rules."""

    def train(X: Any, Y: Any, layer_sizes: Any, hidden: str = "relu", output: str = "softmax",
              epochs: int = 30, lr: float = 0.05, batch_size: int = 32, seed: int = 0,
              optimizer: str = "sgd") -> tuple[list[Any], list[Any], list[float]]:
        loss = "bce" if output == "sigmoid" else "cce"
        start = reference.init_network(list(layer_sizes), hidden, output_activation=output,
                                       seed=seed)
        L, params = start.depth, [*start.weights, *start.biases]
        state = [[np.zeros_like(p), np.zeros_like(p)] for p in params]  # velocity, or m and v
        rng, t, losses = np.random.default_rng(seed), 0, []
        for _ in range(epochs):
            for X_batch, Y_batch in iterate_minibatches(X, Y, batch_size, rng):
                network = reference_network(params[:L], params[L:], hidden, output)
                _, grads = reference.backward(network, X_batch, Y_batch, loss)
                t += 1
                for i, grad in enumerate([*grads.dW, *grads.db]):
                    if optimizer == "momentum":
                        params[i], state[i][0] = momentum_step(params[i], grad, state[i][0], lr)
                    elif optimizer == "adam":
                        params[i], state[i][0], state[i][1] = adam_step(
                            params[i], grad, state[i][0], state[i][1], t, lr)
                    else:
                        params[i] = sgd_step(params[i], grad, lr)
            network = reference_network(params[:L], params[L:], hidden, output)
            losses.append(reference.network_loss(network, X, Y, loss))
        return params[:L], params[L:], losses

    return train


def _run_train(name: str, train: Callable, X: np.ndarray, Y: np.ndarray, sizes: list[int],
               **options: Any) -> Params:
    case = f"train(X, Y, {sizes}, " + ", ".join(f"{k}={v!r}" for k, v in options.items()) + ")"
    weights, biases, losses = unpack(name, case, call_pure(name, train, ("X", "Y"), (X, Y),
                                                           list(sizes), **options),
                                     ("weights", "biases", "losses"))
    if len(weights) != len(sizes) - 1 or len(biases) != len(sizes) - 1:
        raise Failure(f"{name}: {case} should give {len(sizes) - 1} weight matrices and bias "
                      f"vectors; got {len(weights)} and {len(biases)}")
    for layer, (W, b) in enumerate(zip(weights, biases, strict=True), start=1):
        want = (sizes[layer - 1], sizes[layer])
        if np.shape(W) != want or np.shape(b) != want[1:]:
            raise Failure(f"{name}: {case}: W{layer} and b{layer} should have shapes {want} and "
                          f"{want[1:]}; got {np.shape(W)} and {np.shape(b)}")
    if len(losses) != options["epochs"]:
        raise Failure(f"{name}: {case} should give one loss per epoch ({options['epochs']}); "
                      f"got {len(losses)}")
    tolerance = tolerances(weights, biases, losses)
    return list(weights), list(biases), [float(x) for x in losses], tolerance


@register("training.train")
def check_train(train: Callable) -> None:
    """Full-batch runs follow the reference epoch by epoch; minibatch runs take m / batch_size
    steps per epoch; the losses are those of the whole training set after each epoch; Adam and
    momentum keep their state through the whole run."""
    name = "training.train"
    for seed, (hidden, output) in enumerate((("sigmoid", "sigmoid"), ("relu", "softmax"),
                                             ("tanh", "softmax"))):
        X, Y, sizes = training_data(seed, output)
        loss = "bce" if output == "sigmoid" else "cce"
        start = reference.init_network(sizes, hidden, output_activation=output, seed=seed)
        common = {"hidden": hidden, "output": output, "seed": seed}
        weights, biases, losses, tolerance = _run_train(name, train, X, Y, sizes, epochs=8,
                                                        lr=0.5, batch_size=len(X), **common)
        trained, history = reference.train(start, X, Y, loss, epochs=8,
                                           optimizer=reference.SGD(0.5), batch_size=len(X))
        case = (f"a full-batch run (batch_size = m = {len(X)}, so one step per epoch), "
                f"layer_sizes={sizes}, hidden={hidden!r}, output={output!r}, lr=0.5, seed={seed}")
        before = reference.network_loss(start, X, Y, loss)
        close(name, f"the losses of {case}", losses, np.array(history.loss), **tolerance,
              mistakes={"record the loss after each epoch, not before it":
                np.array([before, *history.loss[:-1]])},
              advice="Start from init_network(layer_sizes, seed, hidden), take one sgd_step "
              "per batch for every W and b, and record the loss on the whole training set "
              "after each epoch")
        for layer in range(len(weights)):
            assert_close(name, f"W{layer + 1} after {case}", weights[layer],
                         trained.weights[layer], **tolerance)
            assert_close(name, f"b{layer + 1} after {case}", biases[layer], trained.biases[layer],
                         **tolerance)
        _check_minibatch_steps(name, train, X, Y, sizes, start, common)
        _check_shuffled_run(name, train, X, Y, sizes, start, common)
    _check_optimizers(name, train)


def _check_minibatch_steps(name: str, train: Callable, X: np.ndarray, Y: np.ndarray,
                           sizes: list[int], start: reference.Network,
                           common: dict[str, Any]) -> None:
    """With a tiny lr, an epoch of 4 equal batches moves the weights 4 times as far as one
    full-batch step, whatever the order of the batches."""
    m, lr, steps = len(X), 1e-4, 4
    weights, biases, losses, tolerance = _run_train(name, train, X, Y, sizes, epochs=1, lr=lr,
                                                    batch_size=m // steps, **common)
    loss = "bce" if common["output"] == "sigmoid" else "cce"
    one_step, _ = reference.train(start, X, Y, loss, epochs=1, optimizer=reference.SGD(lr),
                                  batch_size=m)
    moved, full = (np.concatenate([(W - W0).ravel() for W, W0 in zip(ws, start.weights,
                                                                     strict=True)])
                   for ws in (weights, one_step.weights))
    # As one vector: a unit near a ReLU kink may switch between two batches and move one weight
    # more than a straight line would, which says nothing of the loop.
    expected = steps * full
    off = np.linalg.norm(moved - expected) / max(np.linalg.norm(expected), 1e-300)
    if not off < 2e-2:
        ratio = np.linalg.norm(moved) / max(np.linalg.norm(full), 1e-300)
        raise Failure(
            f"{name}: with m = {m} rows and batch_size = {m // steps}, one epoch takes {steps} "
            f"steps and, with lr = {lr}, should move the weights about {steps} times as far as "
            f"one full-batch step; yours moved them {ratio:.3g} times as far (or in another "
            "direction). Take one sgd_step per batch from iterate_minibatches(X, Y, batch_size, "
            "rng)")
    network = reference_network(weights, biases, common["hidden"], common["output"])
    final = reference.network_loss(network, X, Y, loss)
    assert_close(name, "the last entry of losses, which should be the loss of the returned "
                 "weights and biases on the whole training set", losses[-1], np.float64(final),
                 **tolerance)


#: The minibatch run that must follow the notebook's loop step by step: epochs, batch size.
SHUFFLED_RUN = (3, 16)


def _check_shuffled_run(name: str, train: Callable, X: np.ndarray, Y: np.ndarray,
                        sizes: list[int], start: reference.Network,
                        common: dict[str, Any]) -> None:
    """A minibatch run (40 rows in batches of 16, 16 and 8, three epochs, lr left to its default
    :data:`TRAIN_LR`) follows the notebook's loop step by step: one
    ``rng = np.random.default_rng(seed)`` made before the epochs and handed to
    ``iterate_minibatches(X, Y, batch_size, rng)`` in every epoch, so that each epoch draws a
    new order, the same for the same seed.

    The run is compared with the reference's (rows shuffled by ``rng.permutation(m)``, as the
    notebook's ``iterate_minibatches`` does) and, when the student's own ``iterate_minibatches``
    draws its order another way, with the notebook's loop around that helper: train is judged
    with the helper it calls. When that helper does not give the same batches for two equal
    generators (it ignores ``rng``), no order can be expected and this comparison is left out:
    the helper loses its own points, not train's.
    """
    epochs, batch_size = SHUFFLED_RUN
    seed = common["seed"]
    theirs = _their_minibatches(train, X, Y, batch_size, seed)
    if theirs is False:
        return
    loss = "bce" if common["output"] == "sigmoid" else "cce"
    weights, biases, losses, tolerance = _run_train(name, train, X, Y, sizes, epochs=epochs,
                                                    batch_size=batch_size, **common)
    got = (weights, biases, losses)
    trained, history = reference.train(start, X, Y, loss, epochs=epochs,
                                       optimizer=reference.SGD(TRAIN_LR),
                                       batch_size=batch_size, seed=seed)
    expected = [(list(trained.weights), list(trained.biases), list(history.loss))]
    if theirs is not None:
        expected.append(_train_through(reference.sgd_step, theirs, reference.momentum_step,
                                       reference.adam_step)(
            X, Y, sizes, epochs=epochs, batch_size=batch_size, **common))
    if any(_same_run(got, run, tolerance) for run in expected):
        return
    case = (f"a minibatch run (m = {len(X)}, batch_size={batch_size}, epochs={epochs}, "
            f"layer_sizes={sizes}, hidden={common['hidden']!r}, output={common['output']!r}, "
            f"seed={seed}, lr left to its default {TRAIN_LR})")
    again = _run_train(name, train, X, Y, sizes, epochs=epochs, batch_size=batch_size,
                       **common)[:3]
    if not _same_run(got, again, tolerance):
        hint = ("two calls with the same seed gave different results: shuffle with "
                "rng = np.random.default_rng(seed), not an unseeded generator or np.random")
    elif _same_run(got, _one_order(start, X, Y, loss, epochs, batch_size, seed), tolerance):
        hint = ("every epoch used the same order of the rows: make rng = "
                "np.random.default_rng(seed) once, before the epochs, and hand that one rng to "
                "iterate_minibatches in every epoch, so that each epoch draws a new order")
    else:
        hint = (f"it should follow the notebook's loop step by step: lr's default is "
                f"{TRAIN_LR}; one rng = np.random.default_rng(seed) made before the epochs; "
                "iterate_minibatches(X, Y, batch_size, rng) in every epoch, one sgd_step per "
                "batch for every W and b")
    raise Failure(f"{name}: for {case}, the losses were {np.round(losses, 6).tolist()} where "
                  f"{np.round(expected[-1][2], 6).tolist()} were expected; {hint}")


def _their_minibatches(train: Callable, X: np.ndarray, Y: np.ndarray, batch_size: int,
                       seed: int) -> Callable | bool | None:
    """The student's own ``iterate_minibatches`` beside ``train``, called as the notebook's
    loop calls it (through :func:`grading.calls.call`), when it draws its batches another way
    than the reference's; None when there is none or it draws them the same way (or fails on
    its own); False when it gives different batches for two equal generators."""
    helper = student_helper(train, "iterate_minibatches")
    if helper is None:
        return None

    def iterate_minibatches(X: Any, Y: Any, batch_size: int,
                            rng: np.random.Generator) -> list[Any]:
        return _minibatches("training.iterate_minibatches", helper, X, Y, batch_size, rng)

    try:
        first, second = (iterate_minibatches(X, Y, batch_size, np.random.default_rng(seed))
                         for _ in range(2))
        same_twice = _same_batches(first, second)
    except Exception:  # a helper that fails on its own is graded by its own check
        return None
    if not same_twice:
        return False
    ours = list(reference.iterate_minibatches(X, Y, batch_size, np.random.default_rng(seed)))
    return None if _same_batches(first, ours) else iterate_minibatches


def _same_batches(first: list[Any], second: list[Any]) -> bool:
    """Whether two lists of (X_batch, Y_batch) pairs hold the same arrays."""
    try:
        return len(first) == len(second) and all(
            len(a) == len(b) and all(np.array_equal(np.asarray(x), np.asarray(y))
                                     for x, y in zip(a, b, strict=True))
            for a, b in zip(first, second, strict=True))
    except TypeError:
        return False


def _same_run(got: tuple[Any, Any, Any], want: tuple[Any, Any, Any],
              tolerance: dict[str, float]) -> bool:
    """Whether two training runs' (weights, biases, losses) agree within ``tolerance``."""
    try:
        return all(len(g) == len(w) and all(
            np.shape(a) == np.shape(b) and np.allclose(np.asarray(a, float), np.asarray(b, float),
                                                       **tolerance)
            for a, b in zip(g, w, strict=True)) for g, w in zip(got, want, strict=True))
    except (TypeError, ValueError):
        return False


def _one_order(start: reference.Network, X: np.ndarray, Y: np.ndarray, loss: str, epochs: int,
               batch_size: int, seed: int) -> tuple[list[Any], list[Any], list[float]]:
    """The reference's run when every epoch shuffles with a fresh default_rng(seed): the same
    order every epoch (to name that mistake)."""
    network, losses = start, []
    for _ in range(epochs):
        network, history = reference.train(network, X, Y, loss, epochs=1,
                                           optimizer=reference.SGD(TRAIN_LR),
                                           batch_size=batch_size, seed=seed)
        losses += history.loss
    return list(network.weights), list(network.biases), losses


#: The runs that grade the optimizer inside train, Adam first (its run tells every catalogued
#: mistake of train apart): optimizer, lr, hidden, output, layer sizes.
OPTIMIZER_RUNS = (("adam", 0.02, "tanh", "softmax", [3, 5, 3]),
                  ("momentum", 0.1, "relu", "sigmoid", [3, 6, 4, 1]))
#: Those runs: copies of one example, the batch size, epochs (three steps an epoch).
COPIES, COPIES_BATCH, COPIES_EPOCHS = 12, 4, 3


def _check_optimizers(name: str, train: Callable) -> None:
    """``optimizer="adam"`` and ``"momentum"``: runs on copies of one example in batches of
    :data:`COPIES_BATCH` follow the reference step by step (its Adam and Momentum, made once
    for the whole run). Every batch of copies gives the same gradient whatever rows it holds, so
    the runs do not depend on how the rows are shuffled: they show how the optimizer's state is
    kept from step to step and from epoch to epoch."""
    for seed, (optimizer, lr, hidden, output, sizes) in enumerate(OPTIMIZER_RUNS):
        rng = variant.rng(30 + seed)
        x, label = rng.normal(size=(1, sizes[0])), rng.integers(max(sizes[-1], 2))
        y = np.eye(sizes[-1])[[label]] if output == "softmax" else np.full((1, 1), float(label))
        X, Y = np.repeat(x, COPIES, axis=0), np.repeat(y, COPIES, axis=0)
        options = {"hidden": hidden, "output": output, "epochs": COPIES_EPOCHS, "lr": lr,
                   "batch_size": COPIES_BATCH, "seed": seed, "optimizer": optimizer}
        weights, biases, losses, tolerance = _run_train(name, train, X, Y, sizes, **options)
        start = reference.init_network(sizes, hidden, output_activation=output, seed=seed)
        rule = (reference.Adam(lr) if optimizer == "adam"
                else reference.Momentum(lr, MOMENTUM_BETA))
        trained, history = reference.train(start, X, Y, "bce" if output == "sigmoid" else "cce",
                                           epochs=COPIES_EPOCHS, optimizer=rule,
                                           batch_size=COPIES_BATCH, seed=seed)
        case = (f'optimizer="{optimizer}", lr={lr}, on {COPIES} copies of one example in batches '
                f"of {COPIES_BATCH} ({COPIES // COPIES_BATCH} steps an epoch), "
                f"epochs={COPIES_EPOCHS}, layer_sizes={sizes}, hidden={hidden!r}, "
                f"output={output!r}, seed={seed}")
        close(name, f"the losses of {case}", losses, np.array(history.loss), **tolerance,
              advice=f'With optimizer="{optimizer}", step every W and b with '
              f"{optimizer}_step; make its state (one "
              + ("m and one v" if optimizer == "adam" else "velocity")
              + " per array, zeros) once, before the epochs, and keep what each step returns"
              + ("; t is the step's number: 1, 2, 3, ... over the whole run"
                 if optimizer == "adam" else ""))
        for layer in range(len(weights)):
            assert_close(name, f"W{layer + 1} after {case}", weights[layer],
                         trained.weights[layer], **tolerance)
            assert_close(name, f"b{layer + 1} after {case}", biases[layer], trained.biases[layer],
                         **tolerance)


def _outcome(name: str, train: Callable, data: tuple[np.ndarray, ...], sizes: list[int],
             options: dict[str, Any], target: float, what: str) -> None:
    """Train with ``options``; fail unless the accuracy on ``data[2:]`` reaches ``target``."""
    start = time.perf_counter()
    weights, biases, losses, _ = _run_train(name, train, data[0], data[1], sizes, **options)
    if time.perf_counter() - start > TIME_BUDGET:
        raise Failure(f"{name}: training took over {TIME_BUDGET:.0f} s; the reference needs "
                      "about one. Work on whole batches with matrix products, not row by row")
    network = reference_network(weights, biases, options["hidden"], options["output"])
    acc = reference.accuracy(network, data[2], data[3])
    if acc < target or not losses[-1] < losses[0]:
        raise Failure(f"{name}: train(X, Y, {sizes}, {options}) reached {acc:.1%} {what} "
                      f"(expected at least {target:.0%}); the training loss went from "
                      f"{losses[0]:.3g} to {losses[-1]:.3g}")


#: The update rules the outcome checks train with beside the notebook's own SGD run, with the
#: learning rate and epochs each needs: on XOR (full-batch), then on the digits.
#: Short runs: credit carried forward from a wrong helper reruns them through the student's.
XOR_OPTIMIZERS = ({"optimizer": "momentum", "lr": 0.1, "epochs": 200},
                  {"optimizer": "adam", "lr": 0.1, "epochs": 200})
DIGITS_OPTIMIZERS = ({"optimizer": "momentum", "lr": 0.1, "epochs": 5, "batch_size": 128},
                     {"optimizer": "adam", "lr": 0.01, "epochs": 5, "batch_size": 128})


@register("training.train_xor")
def check_train_xor(train: Callable) -> None:
    """A 2-4-1 tanh/sigmoid network, trained full-batch, classifies all four XOR points: with
    SGD as in the notebook, then with momentum and with Adam."""
    X, Y = reference.xor()
    for options in ({"epochs": 1000, "lr": 1.0}, *XOR_OPTIMIZERS):
        _outcome("training.train_xor", train, (X, Y, X, Y), [2, 4, 1],
                 {"hidden": "tanh", "output": "sigmoid", "batch_size": 4, "seed": 1, **options},
                 1.0, "accuracy on XOR")


@register("training.train_digits")
def check_train_digits(train: Callable) -> None:
    """A 64-64-10 ReLU/softmax network reaches at least 90% test accuracy on the digits: with
    SGD as in the notebook (30 epochs), then with momentum and with Adam (5 epochs, batches of
    128)."""
    for options in ({"epochs": 30, "lr": 0.05, "batch_size": 32}, *DIGITS_OPTIMIZERS):
        _outcome("training.train_digits", train, reference.digits(), [64, 64, 10],
                 {"hidden": "relu", "output": "softmax", "seed": 1, **options}, 0.9,
                 "test accuracy on the digits")


# ---- Predict, run, read: the questions around two experiments (grading.answers) ----
# A prediction earns its point for being recorded as one letter; a reading is graded on being
# right.

ask("training.answer_exploding_prediction", Asked("single", "ABCD"))
ask("training.answer_exploding_reading", Asked(
    "single", "ABCD", "A",
    "the trace plots the norm clip_by_global_norm measured before clipping: follow the unclipped "
    "run's first steps, then the clipped run's last ones."))
ask("training.answer_optimizers_prediction", Asked("single", "ABCD"))
ask("training.answer_optimizers_reading", Asked(
    "single", "ABCD", "A",
    "run momentum_step by hand for a few steps with the same gradient each time and watch how "
    "large the velocity gets."))
