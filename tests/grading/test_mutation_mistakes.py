"""The mutation benchmark's hand-written mistakes still apply to today's notebooks.

Every ``HAND_WRITTEN`` mistake's text must occur exactly once in the solution region of its
exercise's source notebook, so that the benchmark still runs those mutants; every entry of
``ARGUED_EQUIVALENT`` must name an exercise the notebooks grade.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import mutation_mistakes
from mutation_generation import hand_written
from mutation_notebooks import load_notebooks


def solution_regions() -> dict[str, tuple[str, tuple[int, int]]]:
    """For every graded exercise of the source notebooks: the code of its function's solution
    cell and that cell's solution region (first and last line), as the benchmark reads them."""
    regions = {}
    for notebook in load_notebooks():
        for target in notebook.targets:
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
    for notebook in load_notebooks():
        for target in notebook.targets:
            names = {m.kind for m in hand_written(target)}
            expected = {mistake.name for exercise in target.exercises
                        for mistake in mutation_mistakes.HAND_WRITTEN.get(exercise, ())}
            assert names == expected, target.label


def test_argued_equivalents_name_graded_exercises(regions):
    for exercise, kind, before, after in mutation_mistakes.ARGUED_EQUIVALENT:
        assert exercise in regions, exercise
        assert kind and before != after
