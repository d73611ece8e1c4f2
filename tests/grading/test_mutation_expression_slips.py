"""The operators for slips inside an expression make the mutants they promise.

Each test mutates a tiny function with :func:`mutation_generation.mutants_of`, runs the mutant,
and checks that it gives what the slip gives (the arguments of a call swapped), and that the
operator leaves alone what it should (two literals are not swapped).
"""

from __future__ import annotations

import numpy as np

from .mutation_helpers import function_of, made_by, mutants, only

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
