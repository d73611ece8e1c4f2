"""The mutation benchmark's operators make the mutants they promise, and its hand-written
mistakes still apply to today's notebooks.

``bench/mutation_score.py`` scores the graders by how many mutants of the solutions they fail;
a score means something only if each operator really makes its mistake. Each test here mutates a
tiny function with :func:`mutation_operators.mutants_of`, runs the mutant, and checks that it
behaves as the operator's name says (``+=`` became ``=``, Adam's ``t`` is one off, X is shuffled
and Y is not...), not only that some text changed. The last tests check that every
``HAND_WRITTEN`` mistake's text occurs exactly once in the solution region of its exercise's
source notebook, so that the benchmark still runs those mutants.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import mutation_mistakes  # noqa: E402
import mutation_operators  # noqa: E402
from mutation_operators import Mutant, describe, mutants_of  # noqa: E402


def mutants(code: str, kinds: dict[str, str] | None = None,
            region: tuple[int, int] | None = None) -> list[Mutant]:
    """Every mutant of the only function in ``code`` (dedented), its whole body the region."""
    code = textwrap.dedent(code).strip() + "\n"
    name = code.split("(", 1)[0].removeprefix("def ").strip()
    lines = code.count("\n")
    return mutants_of(code, name, region or (2, lines), kinds)


def made_by(found: list[Mutant], operator: str, kind: str = "") -> list[Mutant]:
    """The mutants of ``operator`` whose description contains ``kind``."""
    return [m for m in found if m.operator == operator and kind in m.kind]


def only(found: list[Mutant], operator: str, kind: str = "") -> Mutant:
    """The one mutant of ``operator`` whose description contains ``kind``."""
    chosen = made_by(found, operator, kind)
    assert len(chosen) == 1, (f"expected one {operator!r} mutant {kind!r}, got "
                              f"{[m.kind for m in made_by(found, operator)]}")
    return chosen[0]


def function_of(mutant: Mutant | str, name: str) -> Callable[..., Any]:
    """The function ``name`` defined by a mutant's code (or by ``code``)."""
    namespace: dict[str, Any] = {"np": np}
    exec(mutant.code if isinstance(mutant, Mutant) else textwrap.dedent(mutant), namespace)
    return namespace[name]


# ---- `+=` to `=`, `x = x + e` to `x = e` ----

ACCUMULATE = """
def total(xs, start):
    result = start
    for x in xs:
        result += x
    return result
"""


def test_augmented_assignment_becomes_plain():
    mutant = only(mutants(ACCUMULATE), "augmented to plain", "`+=` -> `=`")
    assert function_of(ACCUMULATE, "total")([1, 2, 3], 10) == 16
    assert function_of(mutant, "total")([1, 2, 3], 10) == 3  # only the last item is kept
    assert "+=" not in mutant.code and "+=" in mutant.before


def test_assignment_from_itself_loses_its_old_value():
    code = ACCUMULATE.replace("result += x", "result = result + x")
    mutant = only(mutants(code), "augmented to plain")
    assert function_of(mutant, "total")([1, 2, 3], 10) == 3


# ---- Adam's step count one off ----

ADAM = """
def adam(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
"""
ADAM_ARGS = (np.array([0.5, -1.0]), np.array([0.3, 0.2]), np.array([0.1, 0.0]),
             np.array([0.01, 0.02]))


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

MOMENTUM = """
def momentum(param, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + grad
    return param - lr * new_velocity, new_velocity
"""


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

MINIBATCHES = """
def batches(X, Y, size, rng):
    order = rng.permutation(len(X))
    for start in range(0, len(X), size):
        rows = order[start:start + size]
        yield X[rows], Y[rows]
"""


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

GRADIENTS = """
def gradients(A, delta):
    m = A.shape[0]
    dW = A.T @ delta / m
    db = delta.sum(axis=0) / m
    return dW, db
"""


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


# ---- argument order ----

def test_positional_arguments_are_swapped():
    code = """
    def difference(a, b):
        return np.subtract(a, b)
    """
    mutant = only(mutants(code), "argument order", "swap arguments 1 and 2 of `subtract`")
    assert function_of(mutant, "difference")(5.0, 2.0) == -3.0


def test_keyword_values_are_swapped_and_literal_pairs_are_not():
    code = """
    def clipped(x, low, high):
        return np.clip(x, a_min=low, a_max=high) + np.maximum(1, 2)
    """
    found = made_by(mutants(code), "argument order")
    kinds = {m.kind for m in found}
    assert "swap the values of `a_min=` and `a_max=` of `clip`" in kinds
    assert not any("of `maximum`" in kind for kind in kinds)  # two literals: nothing to swap
    mutant = only(found, "argument order", "`a_min=` and `a_max=`")
    # clip(0.5, a_min=1, a_max=0) is 0 (NumPy takes a_max when the bounds cross), plus 2
    assert function_of(mutant, "clipped")(np.array([0.5]), 0.0, 1.0)[0] == 2.0
    assert function_of(code, "clipped")(np.array([0.5]), 0.0, 1.0)[0] == 2.5


# ---- an earlier variable returned ----

def test_an_earlier_variable_is_returned():
    code = """
    def f(x):
        y = x + 1
        z = y * 2
        return z
    """
    found = made_by(mutants(code), "earlier variable returned")
    assert [m.after for m in found] == ["return y"]  # x is a parameter, z is already returned
    assert function_of(found[0], "f")(1) == 2


def test_an_item_of_a_returned_tuple_is_an_earlier_variable():
    code = """
    def f(x):
        a = x + 1
        b = a * 2
        return a, b
    """
    afters = {m.after for m in made_by(mutants(code), "earlier variable returned")}
    assert afters == {"return (b, b)", "return (a, a)"}


# ---- statements deleted in a loop, and moved across its edge ----

MEAN = """
def mean(xs):
    total = 0
    count = 0
    for x in xs:
        total = total + x
        count = count + 1
    return total / count
"""


def test_a_statement_in_a_loop_is_deleted():
    found = made_by(mutants(MEAN), "delete in a loop")
    assert sorted(m.before for m in found) == ["> count = count + 1", "> total = total + x"]
    results = {m.before: function_of(m, "mean") for m in found}
    assert results["> total = total + x"]([1, 2, 3]) == 0
    with pytest.raises(ZeroDivisionError):
        results["> count = count + 1"]([1, 2, 3])


def test_statements_outside_loops_are_deleted_by_the_other_operator():
    deleted = {m.before for m in made_by(mutants(MEAN), "delete statement", "delete")}
    assert deleted == {"total = 0", "count = 0",
                       "for x in xs: / > total = total + x / > count = count + 1"}


def test_the_last_statement_of_a_loop_moves_after_it():
    code = """
    def doubled(xs):
        out = []
        for x in xs:
            y = 2 * x
            out.append(y)
        return out
    """
    mutant = only(mutants(code), "loop indentation", "last statement moved after")
    assert (mutant.before, mutant.after) == ("> out.append(y)", "out.append(y)")
    assert function_of(mutant, "doubled")([1, 2, 3]) == [6]


def test_the_statement_before_a_loop_moves_into_it():
    code = """
    def running(xs):
        out = []
        for x in xs:
            out.append(x)
        return out
    """
    mutant = only(mutants(code), "loop indentation", "before the loop moved into")
    assert function_of(mutant, "running")([1, 2, 3]) == [3]  # the list is reset every pass


# ---- in-place edits of an input ----

SGD = """
def sgd(param, grad, lr):
    return param - lr * grad
"""


def test_a_result_is_computed_in_place_in_an_input():
    found = mutants(SGD, {"param": "array", "grad": "array", "lr": "other"})
    mutant = only(found, "in-place on an input", "in the input `param`")
    param = np.ones(3)
    result = function_of(mutant, "sgd")(param, np.ones(3), 0.5)
    np.testing.assert_array_equal(param, np.full(3, 0.5))  # the caller's array changed
    assert result is param


def test_an_input_is_zeroed_and_only_arrays_are():
    code = """
    def sgd(param, grad, lr):
        step = lr * grad
        return param - step
    """
    found = made_by(mutants(code, {"param": "array", "grad": "array", "lr": "other"}),
                    "in-place on an input", "= 0` inserted")
    assert {m.kind for m in found} == {f"`{p}[...] = 0` inserted at {where}"
                                       for p in ("param", "grad")
                                       for where in ("the start", "the end")}
    start = only(found, "in-place on an input", "`grad[...] = 0` inserted at the start")
    grad = np.ones(3)
    np.testing.assert_array_equal(function_of(start, "sgd")(np.ones(3), grad, 0.5), np.ones(3))
    assert not grad.any()
    end = only(found, "in-place on an input", "`param[...] = 0` inserted at the end")
    param = np.ones(3)
    np.testing.assert_array_equal(function_of(end, "sgd")(param, np.ones(3), 0.5),
                                  np.full(3, -0.5))  # the step from a zeroed param
    assert not param.any()


def test_an_item_of_an_input_list_is_updated_in_place():
    code = """
    def clip(grads, scale):
        return [g * scale for g in grads]
    """
    mutant = only(mutants(code, {"grads": "arrays", "scale": "other"}), "in-place on an input",
                  "in the input `g`")
    grads = [np.ones(2), np.ones(3)]
    function_of(mutant, "clip")(grads, 0.5)
    assert all(np.array_equal(g, np.full(g.shape, 0.5)) for g in grads)


# ---- the region, the descriptions, and what every operator shares ----

def test_only_the_solution_region_is_mutated_but_hyperparameter_defaults():
    code = textwrap.dedent(MOMENTUM).strip() + "\n"
    found = mutants_of(code, "momentum", (3, 3))  # the return line only
    changed = {m.before for m in found}
    assert "new_velocity = beta * velocity + grad" not in changed
    assert {m.operator for m in found if m.line == 1} == {"hyper-parameter"}


def test_mutants_are_distinct_and_differ_from_the_original():
    for code in (ACCUMULATE, ADAM, MOMENTUM, MINIBATCHES, GRADIENTS, MEAN, SGD):
        found = mutants(code)
        codes = [m.code for m in found]
        assert len(set(codes)) == len(codes)
        original = mutation_operators.ast.unparse(mutation_operators.ast.parse(
            textwrap.dedent(code)))
        assert original not in codes
        for mutant in found:
            compile(mutant.code, "<mutant>", "exec")


def test_describe_shows_a_statement_moved_into_a_loop():
    before = "def f(xs):\n    y = 0\n    for x in xs:\n        y = x\n    return y\n"
    after = "def f(xs):\n    y = 0\n    for x in xs:\n        y = x\n        return y\n"
    assert describe(before, after) == ("return y", "> return y")


# ---- the hand-written mistakes still apply to the notebooks ----

def solution_regions() -> dict[str, tuple[str, tuple[int, int]]]:
    """For every graded exercise of the source notebooks: the code of its function's solution
    cell and that cell's solution region (first and last line), as the benchmark reads them."""
    import mutation_score

    regions = {}
    for path in sorted(mutation_score.SOURCE.glob("ps*/*.ipynb")):
        for target in mutation_score.load_notebook(path).targets:
            for exercise in target.exercises:
                regions[exercise] = (target.code, target.region)
    return regions


HAND_WRITTEN = [pytest.param(exercise, mistake, id=f"{exercise}: {mistake.name}")
                for exercise, mistakes in mutation_mistakes.HAND_WRITTEN.items()
                for mistake in mistakes]


@pytest.fixture(scope="module")
def regions() -> dict[str, tuple[str, tuple[int, int]]]:
    return solution_regions()


@pytest.mark.parametrize(("exercise", "mistake"), HAND_WRITTEN)
def test_hand_written_mistake_applies_once_to_its_solution(exercise, mistake, regions):
    assert exercise in regions, f"{exercise} is graded in no source notebook"
    code, (first, last) = regions[exercise]
    solution = "".join(code.splitlines(keepends=True)[first - 1:last])
    assert solution.count(mistake.old) == 1, (
        f"{mistake.old!r} occurs {solution.count(mistake.old)} times in the solution of "
        f"{exercise}; update HAND_WRITTEN in bench/mutation_mistakes.py")
    mutated = code.replace(mistake.old, mistake.new, 1)
    assert mistake.new != mistake.old
    compile(mutated, f"<{exercise} with {mistake.name}>", "exec")


def test_the_benchmark_makes_every_hand_written_mutant(regions):
    import mutation_score

    for path in sorted(mutation_score.SOURCE.glob("ps*/*.ipynb")):
        for target in mutation_score.load_notebook(path).targets:
            names = {m.kind for m in mutation_score.hand_written(target)}
            expected = {mistake.name for exercise in target.exercises
                        for mistake in mutation_mistakes.HAND_WRITTEN.get(exercise, ())}
            assert names == expected, target.label


def test_argued_equivalents_name_graded_exercises(regions):
    for exercise, kind, before, after in mutation_mistakes.ARGUED_EQUIVALENT:
        assert exercise in regions, exercise
        assert kind and before != after
