"""The operators for slips of a training loop and its optimizers make the mutants they promise.

Each test mutates a tiny function with :func:`mutation_generation.mutants_of`, runs the mutant,
and checks that it behaves as the operator's name says (Adam's ``t`` is one off, a default
changed, X is shuffled and Y is not, the last partial minibatch is gone, a gradient is averaged
twice...), not only that some text changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from .mutation_helpers import (
    ADAM,
    ADAM_ARGS,
    GRADIENTS,
    MINIBATCHES,
    MOMENTUM,
    function_of,
    made_by,
    mutants,
    only,
)

# ---- Adam's step count one off ----

@pytest.mark.parametrize(("delta", "sign"), [(1, "+"), (-1, "-")])
def test_adam_step_count_is_one_off_everywhere(delta, sign):
    found = mutants(ADAM)
    mutant = only(found, "step count", f"`t` -> `t {sign} 1` everywhere")
    original, wrong = function_of(ADAM, "adam"), function_of(mutant, "adam")
    for t in (2, 3, 10):
        for got, want in zip(wrong(*ADAM_ARGS, t), original(*ADAM_ARGS, t + delta), strict=True):
            np.testing.assert_allclose(got, want)
        assert not np.allclose(wrong(*ADAM_ARGS, t)[0], original(*ADAM_ARGS, t)[0],
                               rtol=1e-9, atol=0)


def test_adam_step_count_is_one_off_at_one_use():
    found = made_by(mutants(ADAM), "step count", "at its use")
    assert len(found) == 2  # t is used twice: in m's correction and in v's
    original = function_of(ADAM, "adam")
    for mutant in found:
        new_param, _, _ = function_of(mutant, "adam")(*ADAM_ARGS, 2)
        for t in (2, 3):  # neither step 2 nor step 3: one correction is off, the other not
            assert not np.allclose(new_param, original(*ADAM_ARGS, t)[0], rtol=1e-9, atol=0)


# ---- hyper-parameters of optimizers ----

@pytest.mark.parametrize("changed", [0.99, 0.1])
def test_hyperparameter_default_changes(changed):
    mutant = only(mutants(MOMENTUM), "hyper-parameter", f"default beta=0.9 -> {changed}")
    original, wrong = function_of(MOMENTUM, "momentum"), function_of(mutant, "momentum")
    args = (np.ones(2), np.full(2, 0.5), np.full(2, 2.0), 0.1)
    np.testing.assert_allclose(wrong(*args)[1], original(*args, changed)[1])
    np.testing.assert_allclose(wrong(*args, 0.5)[1], original(*args, 0.5)[1])  # passed: used


def test_hyperparameter_hard_coded_as_its_default():
    mutant = only(mutants(MOMENTUM), "hyper-parameter", "`beta` hard-coded")
    wrong = function_of(mutant, "momentum")
    args = (np.ones(2), np.full(2, 0.5), np.full(2, 2.0), 0.1)
    np.testing.assert_allclose(wrong(*args, 0.5)[1], function_of(MOMENTUM, "momentum")(*args)[1])


def test_an_optimizers_float_literals_change_like_hyperparameters():
    code = """
    def step(param, grad, lr):
        return param - lr * grad / (np.abs(grad) + 1e-8)
    """
    kinds = {m.kind for m in made_by(mutants(code), "hyper-parameter")}
    assert kinds == {"optimizer constant 1e-08 -> 1e-07", "optimizer constant 1e-08 -> 1e-09"}


def test_a_function_without_an_lr_keeps_its_float_literals():
    code = """
    def loss(A, Y):
        return -np.sum(Y * np.log(np.maximum(A, 1e-12)))
    """
    assert not made_by(mutants(code), "hyper-parameter")


# ---- minibatches: X shuffled but not Y, the last partial batch dropped ----

def epoch(function: Callable[..., Any], m: int, size: int) -> tuple[np.ndarray, np.ndarray,
                                                                     list[int]]:
    """The rows of X and of Y one epoch gives, in order, and the batch sizes."""
    X, Y = np.arange(m), np.arange(m)
    pairs = list(function(X, Y, size, np.random.default_rng(1)))
    return (np.concatenate([x for x, _ in pairs]), np.concatenate([y for _, y in pairs]),
            [len(x) for x, _ in pairs])


@pytest.mark.parametrize(("shuffled", "in_order"), [("Y", "X"), ("X", "Y")])
def test_one_of_x_and_y_is_not_shuffled(shuffled, in_order):
    mutant = only(mutants(MINIBATCHES), "shuffle one of X, Y", f"`{in_order}` not shuffled")
    rows = dict(zip("XY", epoch(function_of(mutant, "batches"), 10, 4)[:2], strict=True))
    rows_original = epoch(function_of(MINIBATCHES, "batches"), 10, 4)[0]
    np.testing.assert_array_equal(rows[in_order], np.arange(10))
    np.testing.assert_array_equal(rows[shuffled], rows_original)
    assert not np.array_equal(rows_original, np.arange(10))


def test_one_of_x_and_y_is_not_shuffled_when_they_are_indexed_with_the_permutation():
    code = """
    def shuffled(X, Y, rng):
        order = rng.permutation(len(X))
        return X[order], Y[order]
    """
    found = made_by(mutants(code), "shuffle one of X, Y")
    assert sorted(m.after for m in found) == ["return (X, Y[order])", "return (X[order], Y)"]


def test_the_last_partial_minibatch_is_dropped():
    mutant = only(mutants(MINIBATCHES), "range / batch end", "last partial step dropped")
    wrong = function_of(mutant, "batches")
    assert epoch(function_of(MINIBATCHES, "batches"), 10, 4)[2] == [4, 4, 2]
    assert epoch(wrong, 10, 4)[2] == [4, 4]
    assert epoch(wrong, 8, 4)[2] == [4, 4]  # a full last batch stays
    dropped = only(mutants(MINIBATCHES), "range / batch end", "(last step dropped)")
    assert epoch(function_of(dropped, "batches"), 8, 4)[2] == [4]


# ---- averaging twice ----

def test_averaging_twice_divides_by_the_batch_size_again():
    found = made_by(mutants(GRADIENTS, {"A": "array", "delta": "array"}), "average twice")
    rng = np.random.default_rng(0)
    A, delta = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    dW, db = function_of(GRADIENTS, "gradients")(A, delta)
    results = [function_of(mutant, "gradients")(A, delta) for mutant in found]
    assert any(np.allclose(w, dW / 4) and np.allclose(b, db) for w, b in results)
    assert any(np.allclose(w, dW) and np.allclose(b, db / 4) for w, b in results)
    assert all(not (np.allclose(w, dW) and np.allclose(b, db)) for w, b in results)


def test_an_output_delta_is_averaged_again():
    code = """
    def step(A, Y, W):
        return W - 0.1 * (A.T @ mse_output_delta(A, Y))
    """
    mutant = only(mutants(code, {"A": "array", "Y": "array", "W": "array"}), "average twice",
                  "`mse_output_delta(...)` divided by the batch size again")
    assert "mse_output_delta(A, Y) / len(A)" in mutant.code
