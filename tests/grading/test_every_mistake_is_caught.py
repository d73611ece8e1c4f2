"""The table mistake x grader: every catalogued mistake fails the grader of its exercise, and
the failure names that mistake and gives its hint, on the seeded inputs and on two students'
own hidden inputs (grading.variant)."""

from __future__ import annotations

import pytest

from grading import Failure, grade
from grading.mistakes import MISTAKES, for_exercise
from grading.registry import lookup

from .variants import STUDENTS, inputs_of, label

for_exercise("")  # load the catalogue


def test_the_catalogue_is_large_enough():
    assert len(MISTAKES) >= 40
    assert len({m.id for m in MISTAKES}) == len(MISTAKES)
    for mistake in MISTAKES:
        assert mistake.name and mistake.hint, mistake.id
        assert len(mistake.name) <= 100, f"{mistake.id}: the name should fit on one line"


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_mistake_is_self_contained(mistake):
    """A mistake's code can be pasted into a student notebook: it needs only NumPy as np."""
    import builtins
    import inspect

    globals_used = set(mistake.function.__code__.co_names) - set(dir(builtins))
    free = {name for name in globals_used if name in mistake.function.__globals__} - {"np"}
    assert not free, f"{mistake.id} uses {free} from its module"
    assert inspect.getsource(mistake.function).count("def ") == 1


@pytest.mark.parametrize("student", STUDENTS, ids=label)
@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_grader_fails_and_names_the_mistake(mistake, student):
    try:
        lookup(mistake.exercise)
    except KeyError:
        pytest.fail(f"no grader for {mistake.exercise}, which has catalogued mistakes")
    with pytest.raises(Failure) as failure, inputs_of(student):
        grade(mistake.exercise, mistake.function)
    message = str(failure.value)
    assert f"Likely mistake: {mistake.name}." in message, message
    assert f"Hint: {mistake.hint}" in message

