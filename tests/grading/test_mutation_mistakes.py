"""The mutation benchmark's hand-written mistakes still apply to today's notebooks.

Every ``HAND_WRITTEN`` mistake's text must occur exactly once in the solution region of its
exercise's source notebook, so that the benchmark still runs those mutants; none is a mistake
the catalogue names (those are proven caught by tests/grading/test_every_mistake_is_caught.py,
and the benchmark is for the others); every entry of ``ARGUED_EQUIVALENT`` must name an
exercise the notebooks grade.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import mutation_mistakes
from mutation_generation import hand_written
from mutation_notebooks import load_notebooks, run_cells

from grading import grade
from grading.runner import noting_mistakes


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


def test_no_hand_written_mistake_is_one_the_catalogue_names():
    """Each hand-written mutant, graded by every grader of its function: the diagnosis names no
    catalogued mistake (one it names belongs to the catalogue's proof, not here)."""
    named = {}
    for notebook in load_notebooks():
        for target in notebook.targets:
            for mutant in hand_written(target):
                function = run_cells(notebook, {target.cell: mutant.code})[target.function]
                for exercise in target.exercises:
                    with noting_mistakes() as found, contextlib.redirect_stdout(io.StringIO()):
                        with contextlib.suppress(AssertionError):
                            grade(exercise, function)
                    if found:
                        named[f"{exercise}: {mutant.kind}"] = [m.key for m in found]
    assert not named, f"remove from HAND_WRITTEN (the catalogue names them): {named}"


def test_argued_equivalents_name_graded_exercises(regions):
    for exercise, kind, before, after in mutation_mistakes.ARGUED_EQUIVALENT:
        assert exercise in regions, exercise
        assert kind and before != after
