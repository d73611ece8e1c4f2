"""Hidden graders for ps3_training/training.ipynb, its training loop: ``train``, and ``train`` on
XOR and on the digits, with the questions around its two experiments (exploding gradients,
optimizers on the digits; :mod:`grading.answers`). The building blocks it calls are graded in
:mod:`grading.checks.training`.

Training is judged by what does not depend on how rows are shuffled: a full-batch run (one step
per epoch) must follow the reference epoch by epoch; a minibatch run with a tiny learning rate
must move the weights ``m / batch_size`` times as far as one full-batch step; runs with
``optimizer="adam"`` and ``"momentum"`` on copies of one example (every batch gives the same
gradient) must follow the reference step by step; and real runs on XOR and the digits must
reach their accuracy.

A slip costs once (:func:`~grading.dependencies.uses_helpers`): a ``train`` that follows the
notebook's loop step by step with the student's own wrong helpers (update rules, minibatches)
keeps its points, even where those helpers keep it from learning XOR or the digits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

import reference
from grading import variant
from grading.answers import Asked, ask
from grading.calls import call_pure, unpack
from grading.cases import training_data
from grading.checks.training import MOMENTUM_BETA, TRAIN_LR, epoch_batches
from grading.compare import assert_close, tolerances
from grading.dependencies import Helper, student_helper, uses_helpers
from grading.registry import Failure, register

#: Seconds one training run of the outcome checks may take; the reference needs about one.
TIME_BUDGET = 60.0
#: What a training run gave: weights, biases, losses, and the tolerances its results are
#: compared with (those of the precision of the whole result).
Params = tuple[list[np.ndarray], list[np.ndarray], list[float], dict[str, float]]


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
                network = reference.Network.of(params[:L], params[L:], hidden, output)
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
            network = reference.Network.of(params[:L], params[L:], hidden, output)
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
        try:
            assert_close(name, f"the losses of {case}", losses, np.array(history.loss),
                         **tolerance)
        except Failure as failure:
            raise Failure(f"{failure}. Start from init_network(layer_sizes, seed, hidden) and "
                          "take one sgd_step per batch for every W and b") from None
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
    network = reference.Network.of(weights, biases, common["hidden"], common["output"])
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
        return epoch_batches("training.iterate_minibatches", helper, X, Y, batch_size, rng)

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
        assert_close(name, f"the losses of {case}", losses, np.array(history.loss), **tolerance)
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
    network = reference.Network.of(weights, biases, options["hidden"], options["output"])
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
