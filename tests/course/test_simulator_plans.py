"""The simulator's plans, without running a notebook: correct students write their answers in
many styles, each style only calls functions the student has right and wrote above it, and a
correct answer in any style is planned to earn the exercise's points."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation.alternatives import ALTERNATIVES, load_all
from simulation.exercises import read_assignment
from simulation.simulate import is_correct, make_roster, plan_class, styles

SOURCE = Path(__file__).resolve().parents[2] / "source"
ASSIGNMENTS = sorted(p.name for p in SOURCE.iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def planned():
    return plan_class(SOURCE, ASSIGNMENTS, make_roster(60, 11), 11)


def test_correct_students_write_in_many_styles(planned):
    written = {choice.removeprefix("correct:") for _, plan in planned
               for choice in plan.choices.values() if choice.startswith("correct:")}
    every = {name for variants in load_all().values() for name in variants}
    assert len(written) >= len(every) // 2, f"only {len(written)} of {len(every)} styles used"
    instructor = sum(choice == "correct" for _, plan in planned for choice in plan.choices.values())
    assert instructor, "nobody wrote the instructor's solution"


def test_a_style_calls_only_correct_functions_written_above_it(planned):
    for notebook, plan in planned:
        order = list(dict.fromkeys(e.target for e in notebook.exercises))
        for target, choice in plan.choices.items():
            if not choice.startswith("correct:"):
                continue
            _, calls = styles(notebook, target)[choice.removeprefix("correct:")]
            for called in calls & set(order):
                assert order.index(called) < order.index(target), (target, choice, called)
                assert is_correct(plan.choices.get(called)), (plan.student, target, called)


def test_a_correct_answer_in_any_style_is_planned_full_marks(planned):
    for notebook, plan in planned:
        for exercise in notebook.exercises:
            if is_correct(plan.choices.get(exercise.target)):
                assert plan.intended_points[exercise.grade_id] == exercise.points


def test_every_style_pastes_into_its_notebook():
    for assignment in ASSIGNMENTS:
        for notebook in read_assignment(SOURCE, assignment):
            for target in {e.target for e in notebook.exercises if not e.is_quiz}:
                exercises = {e.exercise for e in notebook.exercises if e.target == target}
                pasted = styles(notebook, target)
                expected = set.intersection(*(set(ALTERNATIVES.get(e, {})) for e in exercises))
                assert set(pasted) == expected
                for code, _ in pasted.values():
                    compile(code, f"<{target}>", "exec")
                    assert f"def {target}(" in code


def test_the_same_seed_plans_the_same_class(planned):
    again = plan_class(SOURCE, ASSIGNMENTS, make_roster(60, 11), 11)
    assert [p.choices for _, p in again] == [p.choices for _, p in planned]
