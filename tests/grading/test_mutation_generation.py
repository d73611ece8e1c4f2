"""What every mutant shares, whichever operator made it: only the solution region changes (but
the hyper-parameters' defaults of the signature), no two mutants are the same code, none is the
original, each compiles, and the report's description shows the lines it changed.
"""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

from .mutation_helpers import MOMENTUM, SAMPLES, mutants

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from mutation_generation import describe, mutants_of


def test_only_the_solution_region_is_mutated_but_hyperparameter_defaults():
    code = textwrap.dedent(MOMENTUM).strip() + "\n"
    found = mutants_of(code, "momentum", (3, 3))  # the return line only
    changed = {m.before for m in found}
    assert "new_velocity = beta * velocity + grad" not in changed
    assert {m.operator for m in found if m.line == 1} == {"hyper-parameter"}


def test_mutants_are_distinct_and_differ_from_the_original():
    for code in SAMPLES:
        found = mutants(code)
        codes = [m.code for m in found]
        assert len(set(codes)) == len(codes)
        original = ast.unparse(ast.parse(textwrap.dedent(code)))
        assert original not in codes
        for mutant in found:
            compile(mutant.code, "<mutant>", "exec")


def test_describe_shows_a_statement_moved_into_a_loop():
    before = "def f(xs):\n    y = 0\n    for x in xs:\n        y = x\n    return y\n"
    after = "def f(xs):\n    y = 0\n    for x in xs:\n        y = x\n        return y\n"
    assert describe(before, after) == ("return y", "> return y")
