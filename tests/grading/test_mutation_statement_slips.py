"""The operators for slips in a statement or in the flow of data make the mutants they promise.

Each test mutates a tiny function with :func:`mutation_generation.mutants_of`, runs the mutant,
and checks that it behaves as the operator's name says (``+=`` became ``=``, the caller's array
changed, a statement landed on the other side of a loop's edge...), not only that some text
changed.
"""

from __future__ import annotations

import numpy as np
import pytest

from .mutation_helpers import ACCUMULATE, MEAN, SGD, function_of, made_by, mutants, only

# ---- `+=` to `=`, `x = x + e` to `x = e` ----

def test_augmented_assignment_becomes_plain():
    mutant = only(mutants(ACCUMULATE), "augmented to plain", "`+=` -> `=`")
    assert function_of(ACCUMULATE, "total")([1, 2, 3], 10) == 16
    assert function_of(mutant, "total")([1, 2, 3], 10) == 3  # only the last item is kept
    assert "+=" not in mutant.code and "+=" in mutant.before


def test_assignment_from_itself_loses_its_old_value():
    code = ACCUMULATE.replace("result += x", "result = result + x")
    mutant = only(mutants(code), "augmented to plain")
    assert function_of(mutant, "total")([1, 2, 3], 10) == 3


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
