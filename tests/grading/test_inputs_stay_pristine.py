"""A student's function cannot rewrite the grader's inputs (issue 15, hole 4).

Every check calls student code through :func:`grading.calls.call`, which hands it deep copies:
an expected answer always comes from the grader's pristine inputs. A tampering function that
edits an input in place (and returns what would make the expected answer trivial) fails with a
message naming the input, locally and through the grading connection; an argument the exercise
updates by contract (a random generator) still moves on. (Hole 5, measurements the grader did
not see: ``test_timings_are_seen.py``.)
"""

from __future__ import annotations

import contextlib
import copy
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from grading import Failure, grade
from grading import calls as calls_module
from grading.answers import is_question
from grading.calls import call
from grading.registry import CHECKS, lookup
from simulation.alternatives import ALTERNATIVES, load_all
from simulation.alternatives.notebook import namespace

from ..sandbox.threaded_kernel import ThreadedKernel, kernel_with

lookup("forward.sigmoid")  # registers every check
load_all()

#: Every exercise whose check calls a student's function (the quiz grades answers, not calls).
EXERCISES = sorted(name for name in CHECKS
                   if not is_question(name) and not name.startswith("test."))
CHANGED = "changed its argument"


def _correct(exercise: str) -> Callable[..., Any]:
    return next(iter(ALTERNATIVES[exercise].values()))


# ---- structure: one door for every call ----


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_call_of_student_code_goes_through_the_one_helper(exercise):
    """The student's function is called from :func:`grading.calls.call` and from nowhere else,
    on every call a full check makes (a correct answer, so that the check runs to its end)."""
    correct, callers = _correct(exercise), []

    def student(*args, **kwargs):
        caller = sys._getframe(1).f_code
        callers.append((caller.co_filename, caller.co_name))
        return correct(*args, **kwargs)

    CHECKS[exercise](student)
    assert callers, f"{exercise}'s check never called the student's function"
    door = (calls_module.__file__, "call")
    assert set(callers) == {door}, f"{exercise}: called from {set(callers) - {door}}"


# ---- hole 4: tampering with the inputs ----


class _Stop(Exception):
    pass


def _first_call(exercise: str) -> tuple[list[Any], dict[str, Any]]:
    """The arguments of the first call a check makes (the check stops there)."""
    seen = []

    def student(*args, **kwargs):
        seen.append((list(args), dict(kwargs)))
        raise _Stop

    with contextlib.suppress(_Stop, Failure):
        CHECKS[exercise](student)
    return seen[0]


def _mutable(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "fiub"
    if isinstance(value, (list, dict)):
        return True
    return isinstance(value, tuple) and any(_mutable(item) for item in value)


def _tamper(value: Any, how: str) -> None:
    """Change ``value`` in place: arrays zeroed (and one entry set to 1, so an all-zero array
    changes too); lists replaced item by item, or extended; dicts given an extra key."""
    if isinstance(value, np.ndarray):
        value[...] = 0
        value.flat[0] = 1
    elif isinstance(value, tuple):
        for item in value:
            if _mutable(item):
                _tamper(item, how)
    elif isinstance(value, list):
        if how == "extended":
            value.append(copy.deepcopy(value[-1]) if value else 0.0)
        else:
            for index, item in enumerate(value):
                if _mutable(item):
                    _tamper(item, how)
                elif isinstance(item, (int, float)) and not isinstance(item, bool):
                    value[index] = item + 1
                elif callable(item):
                    value[index] = lambda *args, **kwargs: 0.0
                else:
                    value[index] = copy.deepcopy(item)
    elif isinstance(value, dict):
        value["extra"] = np.zeros(1)


def _tamper_cases():
    cases = []
    for exercise in EXERCISES:
        args, kwargs = _first_call(exercise)
        where = [*(i for i, a in enumerate(args) if _mutable(a)),
                 *(k for k, v in kwargs.items() if _mutable(v))]
        for position in where:
            value = args[position] if isinstance(position, int) else kwargs[position]
            for how in ("edited", "extended") if isinstance(value, list) else ("edited",):
                cases.append(pytest.param(exercise, position, how,
                                          id=f"{exercise}-{position}-{how}"))
    return cases


TAMPER_CASES = _tamper_cases()


def test_every_exercise_is_tried_with_a_tampering_function():
    tried = {case.values[0] for case in TAMPER_CASES}
    assert tried == set(EXERCISES) - {"explorations.gradient_cost_ratio"}  # its inputs: numbers


@pytest.mark.parametrize(("exercise", "position", "how"), TAMPER_CASES)
def test_a_function_that_edits_an_input_in_place_fails_and_is_told_which(exercise, position,
                                                                       how):
    """The tampering function edits one input and answers for the edited inputs (what a
    grader computing its expected answer from those objects would expect)."""
    correct = _correct(exercise)

    def tampering(*args, **kwargs):
        value = args[position] if isinstance(position, int) else kwargs.get(position)
        if isinstance(value, np.random.Generator):
            return correct(*args, **kwargs)
        _tamper(value, how)
        try:
            return correct(*args, **kwargs)
        except Exception:
            return None

    with pytest.raises(Failure, match=CHANGED):
        grade(exercise, tampering)


def _dead_fractions_that_revive_every_unit(caches):
    for _, Z, _ in caches:
        Z[...] = 1.0  # no unit is dead any more: the expected answer becomes all zeros
    return [0.0] * (len(caches) - 1)


def _gradient_check_that_rewrites_Y(weights, biases, X, Y):
    Y[...] = np.eye(Y.shape[1])[np.argmax(Y, axis=1)]  # one-hot: every error becomes tiny
    return {f"{kind}{layer}": 0.0 for layer in range(1, len(weights) + 1) for kind in "Wb"}


def _network_backward_that_zeroes_the_caches(delta_L, weights, caches, hidden_grads):
    delta_L[...] = 0.0  # no error to send back: every expected gradient becomes zero
    caches[:] = [tuple(np.zeros_like(a) for a in cache) for cache in caches]
    return ([np.zeros_like(W) for W in weights], [np.zeros(W.shape[1]) for W in weights])


ISSUE_ATTACKS = {"explorations.dead_fractions": _dead_fractions_that_revive_every_unit,
                 "backward.gradient_check": _gradient_check_that_rewrites_Y,
                 "backward.network_backward": _network_backward_that_zeroes_the_caches}


@pytest.mark.parametrize("exercise", ISSUE_ATTACKS)
def test_the_attacks_seen_in_the_issue_fail(exercise):
    with pytest.raises(Failure, match=CHANGED):
        grade(exercise, ISSUE_ATTACKS[exercise])


def test_the_message_names_the_input_and_what_to_do():
    with pytest.raises(Failure) as failure:
        grade("explorations.dead_fractions", _dead_fractions_that_revive_every_unit)
    assert str(failure.value).startswith(
        "explorations.dead_fractions: dead_fractions changed its argument caches[0][1] in place; "
        "it must leave its inputs unchanged")


def test_expected_answers_come_from_the_graders_own_inputs():
    """Whatever the function does to what it is handed, the grader's objects stay as they
    were; an argument the exercise updates (here, rng) is the grader's own and moves on."""
    X, rng = np.arange(6.0).reshape(3, 2), np.random.default_rng(0)
    twin = np.random.default_rng(0)

    def student(X, rng):
        X[...] = 0.0
        return rng.random()

    with pytest.raises(Failure, match="changed its argument X in place"):
        call("ex", student, (X, rng), names="X rng", updates=("rng",))
    assert np.array_equal(X, np.arange(6.0).reshape(3, 2))
    twin.random()
    assert rng.bit_generator.state == twin.bit_generator.state


def test_a_generator_is_read_before_the_inputs_are_compared():
    def batches(X):
        for row in X:
            row[...] = 0.0  # changes its input while it is read
            yield row

    with pytest.raises(Failure, match="changed its argument X in place"):
        call("ex", batches, (np.ones((3, 2)),), names="X")


@pytest.mark.parametrize("exercise", ["training.iterate_minibatches", "training.momentum_step",
                                      "training.adam_step", "training.sgd_step",
                                      "training.train"])
def test_updates_the_exercises_ask_for_still_pass(exercise):
    for alternative in ALTERNATIVES[exercise].values():
        grade(exercise, alternative)


# ---- the same through the grading connection (the kernel's end in a thread) ----


REMOTE_ATTACKS = {
    "explorations.dead_fractions": """
def dead_fractions(caches):
    for _, Z, _ in caches:
        Z[...] = 1.0
    return [0.0] * (len(caches) - 1)
""",
    "backward.gradient_check": """
def gradient_check(weights, biases, X, Y):
    Y[...] = np.eye(Y.shape[1])[np.argmax(Y, axis=1)]
    return {f"{kind}{layer}": 0.0 for layer in range(1, len(weights) + 1) for kind in "Wb"}
""",
    "backward.network_backward": """
def network_backward(delta_L, weights, caches, hidden_grads):
    delta_L[...] = 0.0
    caches[:] = [tuple(np.zeros_like(a) for a in cache) for cache in caches]
    return [np.zeros_like(W) for W in weights], [np.zeros(W.shape[1]) for W in weights]
""",
    "forward.sigmoid": """
def sigmoid(z):
    z.shape = (-1,)  # reshaped in place: the grader cannot mirror it
    return 1 / (1 + np.exp(-z))
""",
}


@pytest.mark.parametrize("exercise", REMOTE_ATTACKS)
def test_tampering_through_the_grading_connection_fails(exercise):
    kernel = kernel_with(REMOTE_ATTACKS[exercise])
    function = kernel.function(exercise.rpartition(".")[2])
    with kernel.kernel.serving(), pytest.raises(Failure, match=CHANGED):
        grade(exercise, function)


def test_an_unmirrorable_change_is_named_by_the_argument():
    kernel = kernel_with("def f(a, b):\n    b.shape = (-1,)\n    return 0\n")
    with kernel.kernel.serving(), pytest.raises(Failure,
                                                match="f changed its argument b in place"):
        call("ex.f", kernel.function("f"), (np.zeros(2), np.zeros((2, 2))), names="a b")


def test_a_random_generator_still_moves_on_through_the_connection():
    kernel = ThreadedKernel(dict(namespace("ps3_training")))
    with kernel.kernel.serving():
        grade("training.iterate_minibatches", kernel.function("iterate_minibatches"))
