"""Every visible check fails every catalogued mistake of its exercise, and names it.

The rule ("tailored"). Run a graded test cell's visible part (its hidden parts removed) in a
fresh namespace that holds what a student's notebook holds above it (the setup and given cells
and the instructor's solutions), with a catalogued mistake's function (``grading/mistakes/``)
under the name the cell checks. The check must fail, and the line it shows the student (the
``✗ <exercise>: ...`` of ``visible_checks``) must contain the mistake's catalogued ``name`` and
its ``hint``, each word for word (runs of whitespace count as one space): the same words the
grader's feedback gives after "Likely mistake:" and "Hint:". A generic message ("should be about
...") does not count, nor does a hint shown only for a later assert that the mistake never
reaches.

How the notebooks meet it, as data: the setup cell's ``expect(got, expected, message,
mistakes=...)`` compares a result with the expected one and, when they differ, looks the result
up in a table of what each common mistake returns on the check's inputs (plain numbers the
instructor computed, never reference code) and adds that mistake's name and hint to the message.
A mistake that changes an input in place is looked up by what it leaves in that input; one no
number can tell (X and Y shuffled apart) has the words in the message of the assert that catches
it. A mistake added to the catalogue later fails this test until its exercise's check names it:
the failure shows what the student reads, with the mistake's result on the visible inputs.

The other direction: the instructor's solutions and every correct alternative of
``simulation/alternatives/`` pass every visible check, and each check of an exercise with catalogued
mistakes runs in under ``FAST`` seconds.
"""

from __future__ import annotations

import contextlib
import io
import re
import time
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grading.mistakes import Mistake, for_exercise
from simulation.alternatives import load_all
from simulation.exercises import Exercise, NotebookPlan, read_plan
from simulation.notebooks import read, run_cells

from .nbgrader_cli import ASSIGNMENTS, ROOT, SOURCE

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)
#: Seconds a visible check of an exercise with catalogued mistakes may take.
FAST = 0.3


@cache
def _notebooks() -> tuple[tuple[Path, NotebookPlan], ...]:
    return tuple((path, read_plan(path, assignment)) for assignment in ASSIGNMENTS
                 for path in sorted((SOURCE / assignment).glob("*.ipynb")))


@cache
def _cells(path: Path) -> dict[str, str]:
    """The source of every code cell of a notebook, by grade_id."""
    return {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in read(str(path)).cells
            if cell.cell_type == "code" and "nbgrader" in cell.metadata}


def _exercises() -> list[tuple[Path, NotebookPlan, Exercise]]:
    return [(path, plan, exercise) for path, plan in _notebooks() for exercise in plan.exercises]


def _student_namespace(path: Path, plan: NotebookPlan) -> dict[str, Any]:
    """A fresh namespace holding what a notebook defines above its test cells: the setup and
    given cells, then the instructor's solution of every exercise."""
    cells = _cells(path)
    given = [(f"<{path.name} {grade_id}>", cells[grade_id])
             for grade_id in ("setup", "given", "numbers")  # numbers: the quiz's per-student ones
             if grade_id in cells]
    solutions = [(f"<{path.name} {target}>", solution)
                 for target, solution in plan.solutions.items()]
    return run_cells([*given, *solutions], f"notebook_{path.stem}")


def run_visible_check(path: Path, plan: NotebookPlan, exercise: Exercise, answer: Any = None,
                      failed: list[Any] | None = None) -> tuple[bool, str, float]:
    """Run the visible part of ``exercise``'s test cell, with ``answer`` (when given) in place of
    the student's function. Returns (passed, what the student reads, seconds). With ``failed``,
    the results that ``expect`` (the setup cell's) turned down are appended to it."""
    names = _student_namespace(path, plan)
    if answer is not None:
        names[exercise.target] = answer
    if failed is not None and "expect" in names:
        names["expect"] = _recording(names["expect"], failed)
    visible = HIDDEN.sub("", _cells(path)[exercise.grade_id])
    code = compile(visible, f"<{path.name} {exercise.grade_id}, visible part>", "exec")
    printed = io.StringIO()
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(printed):
            exec(code, names)
    except names["NotYet"] as failure:
        return False, str(failure), time.perf_counter() - start
    except Exception as error:  # what the student would see as a traceback
        return False, f"{type(error).__name__}: {error}", time.perf_counter() - start
    return True, printed.getvalue(), time.perf_counter() - start


def _recording(expect: Any, failed: list[Any]) -> Any:
    """``expect``, noting each result it turns down in ``failed``."""

    def recording(got: Any, *args: Any, **kwargs: Any) -> None:
        try:
            expect(got, *args, **kwargs)
        except AssertionError:
            failed.append(got)
            raise

    return recording


def _as_table_entry(value: Any) -> str:
    """A result as the plain numbers of a ``mistakes=`` table (6 decimals)."""
    try:
        return repr(np.round(np.asarray(value, dtype=float), 6).tolist())
    except (TypeError, ValueError):
        return repr(value)


def _words(text: str) -> str:
    return " ".join(text.split())


MISTAKE_CASES = [
    pytest.param(path, plan, exercise, mistake, id=mistake.id)
    for path, plan, exercise in _exercises()
    for mistake in for_exercise(exercise.exercise)
]


def test_every_catalogued_mistake_has_its_exercise_in_a_notebook():
    from grading.mistakes import MISTAKES

    for_exercise("forward.sigmoid")  # loads every mistake module
    graded = {exercise.exercise for _, _, exercise in _exercises()}
    orphans = sorted(m.id for m in MISTAKES if m.exercise not in graded)
    assert not orphans, f"catalogued mistakes of exercises no notebook grades: {orphans}"


@pytest.mark.parametrize(("path", "plan", "exercise", "mistake"), MISTAKE_CASES)
def test_visible_check_fails_the_mistake_and_names_it(path, plan, exercise, mistake: Mistake):
    passed, shown, _ = run_visible_check(path, plan, exercise, mistake.function)
    where = f"{path.relative_to(ROOT)}, cell {exercise.grade_id}"
    assert not passed, f"{mistake.id} passes the visible checks of {where}: {mistake.name}"
    assert shown.startswith("✗ "), (
        f"{mistake.id} stops the visible check of {where} with an error, not a ✗ line: {shown}")
    missing = [label for label, words in (("name", mistake.name), ("hint", mistake.hint))
               if _words(words) not in _words(shown)]
    if missing:
        failed: list[Any] = []
        run_visible_check(path, plan, exercise, mistake.function, failed)
        entry = (f"({_as_table_entry(failed[0])}, \"{mistake.name}. {mistake.hint}\")"
                 if failed else f"\"{mistake.name}. {mistake.hint}\"")
        pytest.fail(
            f"{where}: with {mistake.id} the student reads\n  {shown}\nwhich lacks the "
            f"mistake's {' and '.join(missing)}. Add\n  {entry}\nto the mistakes= of the "
            "expect(...) that fails first, or put the words in the message of the assert that "
            "catches it.")


@pytest.mark.parametrize(("path", "plan", "exercise"),
                         [pytest.param(*case, id=case[2].exercise) for case in _exercises()])
def test_instructor_solution_passes_the_visible_check(path, plan, exercise):
    passed, shown, seconds = run_visible_check(path, plan, exercise)
    assert passed and "✓" in shown, f"{exercise.grade_id} fails with the solution: {shown}"
    if for_exercise(exercise.exercise):
        assert seconds < FAST, f"{exercise.grade_id}'s visible check took {seconds:.2f} s"


ALTERNATIVE_CASES = [
    pytest.param(path, plan, exercise, function, id=f"{exercise.exercise}-{variant}")
    for path, plan, exercise in _exercises()
    for variant, function in sorted(load_all().get(exercise.exercise, {}).items())
]


@pytest.mark.parametrize(("path", "plan", "exercise", "alternative"), ALTERNATIVE_CASES)
def test_correct_alternative_passes_the_visible_check(path, plan, exercise, alternative):
    passed, shown, _ = run_visible_check(path, plan, exercise, alternative)
    assert passed and "✓" in shown, (
        f"{alternative.__name__}, a correct answer, fails the visible check of "
        f"{exercise.grade_id}: {shown}")
