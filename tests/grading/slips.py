"""What the slip tests share: the wrong versions of a helper, a fresh notebook namespace with
some functions replaced, and the score grading gives (``test_slips_cost_once.py``, and
``test_student_variants.py``, which runs some of the same cases for another student)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pytest

from grading import Failure, grade, grade_parts
from grading.dependencies import DEPENDENCIES
from grading.mistakes import for_exercise
from grading.registry import lookup, parts_of
from simulation.alternatives.notebook import graded_functions, namespace

lookup("forward.sigmoid")  # registers every check, and every exercise's helpers


# ---- wrong helpers ---------------------------------------------------------------------------
# A wrong helper the catalogue does not list, written as a student would: counting a bias for
# every input as well.

def _count_biases_of_inputs(layer_sizes):
    return sum(a * b + a for a, b in pairwise(layer_sizes))


UNCATALOGUED: dict[str, list[Callable[..., Any]]] = {
    "explorations.parameter_count": [_count_biases_of_inputs],
}


def wrong_versions(exercise: str) -> list[tuple[str, Callable[..., Any]]]:
    """Every catalogued mistake of ``exercise``, and the uncatalogued ones above."""
    return ([(mistake.key, mistake.function) for mistake in for_exercise(exercise)]
            + [(function.__name__.lstrip("_"), function)
               for function in UNCATALOGUED.get(exercise, [])])


# ---- notebooks -------------------------------------------------------------------------------

def notebook(exercise: str, **replaced: Any) -> dict[str, Any]:
    """A fresh namespace of the source notebook of ``exercise`` (its given code and every
    solution), with the functions in ``replaced`` put in place of the solutions' (functions, or
    source code to run in the namespace): the solutions find them there, as in a kernel."""
    assignment, _ = graded_functions()[exercise]
    names = namespace.__wrapped__(assignment)  # a fresh copy, not the shared cached one
    for name, replacement in replaced.items():
        if isinstance(replacement, str):
            exec(compile(replacement, f"<{name}>", "exec"), names)
        else:
            names[name] = replacement
    return names


def score(exercise: str, function: Any, capsys: pytest.CaptureFixture[str]) -> tuple[float, str]:
    """(the share of the exercise's points ``function`` earns, what grading printed or raised)."""
    if len(parts_of(exercise)) > 1:
        earned = grade_parts(exercise, function, points=1.0)
        return earned, capsys.readouterr().out
    try:
        grade(exercise, function)
    except Failure as failure:
        return 0.0, capsys.readouterr().out + str(failure)
    return 1.0, capsys.readouterr().out


PAIRS = [(dependent, helper) for dependent, dependency in sorted(DEPENDENCIES.items())
         for helper in dependency.helpers]
