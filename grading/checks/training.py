"""Hidden graders for ps3_training/training.ipynb, its building blocks: the update rules,
clipping, minibatches. The training loop built from them (``train``, XOR, the digits) is graded
in :mod:`grading.checks.training_loop`.

Update rules are compared with :mod:`reference.updates` on seeded random arrays (each
student's own while they are graded, :mod:`grading.variant`); clipping with
:mod:`reference.updates` on gradients of mixed shapes; ``iterate_minibatches`` by what an epoch
must hold (every row once, X and Y rows together, the order drawn from the rng it is handed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import reference
from grading import variant
from grading.calls import call, call_pure, unpack
from grading.cases import random_arrays
from grading.compare import assert_close, tolerances
from grading.registry import Failure, describe, register

SHAPES = ((3,), (4, 5), (2, 3, 4))
#: The defaults of the notebook's signatures: momentum_step's beta, train's lr.
MOMENTUM_BETA, TRAIN_LR = 0.9, 0.05


@register("training.sgd_step")
def check_sgd_step(sgd_step: Callable) -> None:
    """``param - lr * grad`` on several shapes and learning rates, param left unchanged."""
    name = "training.sgd_step"
    for seed, (shape, lr) in enumerate(zip(SHAPES, (0.1, 0.01, 1.5), strict=True)):
        param, grad = random_arrays(seed, shape, 2)
        got = call_pure(name, sgd_step, ("param", "grad"), (param, grad), lr)
        assert_close(name, f"param and grad of shape {shape}, lr={lr}", got,
                     reference.sgd_step(param, grad, lr))


def _momentum_cases(momentum_step: Callable,
                    ) -> Iterator[tuple[str, tuple[Any, Any], tuple[np.ndarray, np.ndarray]]]:
    """(case, student (new_param, new_velocity), reference result): one step from a random
    velocity, on several shapes and hyperparameters, and once with beta left to its default
    (the signature's 0.9, :data:`MOMENTUM_BETA`)."""
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
        yield case, got, reference.momentum_step(param, grad, velocity, lr, beta)


@register("training.momentum_step", part="new_velocity = beta * velocity + grad", weight=3)
def check_momentum_velocity(momentum_step: Callable) -> None:
    """The new velocity, for every case."""
    for case, got, want in _momentum_cases(momentum_step):
        assert_close("training.momentum_step", f"new_velocity for {case}", got[1], want[1],
                     **tolerances(got))


@register("training.momentum_step", part="new_param, a step along the new velocity", weight=2)
def check_momentum_param(momentum_step: Callable) -> None:
    """The new parameter, for every case."""
    for case, got, want in _momentum_cases(momentum_step):
        assert_close("training.momentum_step", f"new_param for {case}", got[0], want[0],
                     **tolerances(got))


def _adam_cases(adam_step: Callable) -> Iterator[tuple[str, tuple[Any, Any, Any],
                                                      tuple[np.ndarray, ...]]]:
    """(case, student (new_param, new_m, new_v), reference result): Adam at steps t = 1, 2, 3,
    10 and 1000, default and changed hyperparameters; a first step on gradients about as small
    as the default eps, and a step on gradients and moments small enough that a changed eps
    weighs as much as sqrt(v_hat)."""
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
        yield case, got, reference.adam_step(param, grad, m, v, t, **options)


@register("training.adam_step", part="the moments new_m and new_v", weight=1)
def check_adam_moments(adam_step: Callable) -> None:
    """Both running means, for every case."""
    for case, got, want in _adam_cases(adam_step):
        assert_close("training.adam_step", f"new_m for {case}", got[1], want[1],
                     **tolerances(got))
        assert_close("training.adam_step", f"new_v for {case}", got[2], want[2],
                     **tolerances(got))


@register("training.adam_step", part="new_param, the bias-corrected step", weight=2)
def check_adam_param(adam_step: Callable) -> None:
    """The new parameter, for every case."""
    for case, got, want in _adam_cases(adam_step):
        assert_close("training.adam_step", f"new_param for {case}", got[0], want[0],
                     **tolerances(got))


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
        for index, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_close(name, f"gradient {index} of {case}", g, w, **tolerances(got))


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
        assert_close("training.clip_by_global_norm", f"norm_before for {case}", norm,
                     np.float64(want_norm), **tolerances(clipped, norm))


@register("training.clip_by_global_norm", part="the clipped gradients", weight=3)
def check_clipped_gradients(clip_by_global_norm: Callable) -> None:
    """Rescaled together when the global norm is too large, unchanged when it is not."""
    name = "training.clip_by_global_norm"
    for grads, max_norm, case in _global_norm_cases():
        clipped, norm = _clip_by_global_norm(clip_by_global_norm, grads, max_norm, case)
        want, _ = reference.clip_by_global_norm(grads, max_norm)
        _check_list(name, case, clipped, len(grads))
        # rtol 1e-5: dividing by (norm + 1e-6), as PyTorch does, is a correct way to clip
        for index, (g, w) in enumerate(zip(clipped, want, strict=True)):
            assert_close(name, f"gradient {index} of {case}", g, w,
                         **tolerances(clipped, norm, rtol=1e-5))


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


def epoch_batches(name: str, fn: Callable, X: np.ndarray, Y: np.ndarray, size: int,
                 rng: np.random.Generator) -> list[Any]:
    """Every batch of one epoch; ``rng`` moves on by the student's draws (it is the one
    argument the exercise updates)."""
    return list(call(name, fn, (X, Y, size, rng), names="X Y batch_size rng", updates=("rng",)))


def _order(name: str, fn: Callable, m: int, rng: np.random.Generator) -> np.ndarray:
    X = np.arange(3.0 * m).reshape(m, 3)
    return np.concatenate([np.asarray(xb)[:, 0] / 3
                           for xb, _ in epoch_batches(name, fn, X, X[:, :2], 8, rng)])


def _check_epoch(name: str, fn: Callable, m: int, size: int) -> None:
    X, Y = np.arange(3.0 * m).reshape(m, 3), -np.arange(2.0 * m).reshape(m, 2)
    case = f"X of shape {X.shape}, Y of shape {Y.shape}, batch_size={size}"
    batches = epoch_batches(name, fn, X, Y, size, variant.rng(m))
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
