"""Partial credit: exercises with separable parts score each part, and say which passed."""

from __future__ import annotations

import numpy as np
import pytest

from grading import PARTS, Failure, grade, grade_parts, register
from grading.compare import assert_close
from grading.mistakes import for_exercise
from grading.registry import CHECKS


@pytest.fixture
def two_part_exercise():
    """test.halves: part "sign" (weight 2) checks f(-1) < 0, part "size" (weight 1) f(3) = 3."""
    name = "test.halves"

    def sign(f):
        assert_close("halves", "f(-1) < 0", float(f(-1.0) < 0), 1.0)

    def size(f):
        assert_close("halves", "f(3)", f(3.0), 3.0)

    register(name, part="sign", weight=2)(sign)
    register(name, part="size", weight=1)(size)
    yield name
    CHECKS.pop(name)
    PARTS.pop(name)


def test_each_part_earns_its_share_of_the_points(two_part_exercise, capsys):
    assert grade_parts(two_part_exercise, lambda x: x, points=6) == 6.0
    assert grade_parts(two_part_exercise, lambda x: -abs(x), points=6) == 4.0
    assert grade_parts(two_part_exercise, lambda x: abs(x), points=6) == 2.0
    assert grade_parts(two_part_exercise, lambda x: 0.0, points=6) == 0.0
    report = capsys.readouterr().out
    assert "test.halves: 4 of 6 points\n  ✓ sign (4 points)\n  ✗ size (2 points): " in report
    assert "got -3, expected 3" in report.replace(".0", "")


def test_shares_are_rounded_to_hundredths_and_never_exceed_the_points(two_part_exercise, capsys):
    assert grade_parts(two_part_exercise, lambda x: -abs(x), points=1) == 0.67
    assert grade_parts(two_part_exercise, lambda x: x, points=1) == 1.0
    assert "1 of 1 point\n" in capsys.readouterr().out


def test_all_or_nothing_grade_fails_when_any_part_fails(two_part_exercise):
    grade(two_part_exercise, lambda x: x)
    with pytest.raises(Failure, match="f\\(3\\)"):
        grade(two_part_exercise, lambda x: -abs(x))


@pytest.mark.parametrize("student", [
    pytest.param(lambda x: (_ for _ in ()).throw(ValueError("boom")), id="raises"),
    pytest.param(lambda x: exec("raise SystemExit(3)"), id="exits"),
    pytest.param(lambda x: None, id="returns-None"),
    pytest.param(lambda x: "three", id="returns-a-string"),
    pytest.param(lambda x: [np.nan, 1], id="returns-a-list-with-nan"),
])
def test_a_broken_submission_scores_zero_without_raising(two_part_exercise, student, capsys):
    assert grade_parts(two_part_exercise, student, points=3) == 0.0
    assert "test.halves: 0 of 3 points" in capsys.readouterr().out


def test_not_implemented_is_said_per_part(two_part_exercise, capsys):
    def stub(x):
        raise NotImplementedError

    assert grade_parts(two_part_exercise, stub, points=3) == 0.0
    assert capsys.readouterr().out.count("not implemented yet") == 2


def test_points_must_be_positive(two_part_exercise):
    with pytest.raises(ValueError, match="points must be positive"):
        grade_parts(two_part_exercise, lambda x: x, points=0)


def test_a_check_cannot_be_both_whole_and_split():
    register("test.whole")(lambda f: None)
    try:
        with pytest.raises(ValueError, match="two checks"):
            register("test.whole", part="extra")(lambda f: None)
        with pytest.raises(ValueError, match="weight must be positive"):
            register("test.other", part="a", weight=0)
    finally:
        CHECKS.pop("test.whole")
        PARTS.pop("test.whole")


#: (exercise, catalogued mistake, notebook points, expected score, the part that fails)
PARTIAL_MISTAKES = [
    ("forward.softmax", "no_max_shift", 3, 2.0, "stable for scores of ±1000"),
    ("forward.binary_cross_entropy", "unclipped", 3, 2.0, "finite when outputs are exactly 0 or 1"),
    ("forward.categorical_cross_entropy", "unfloored_log", 3, 2.0,
     "finite when the true class has probability 0"),
    ("forward.dense_forward", "cache_holds_output", 4, 2.0, "the cache (A_prev, Z, A)"),
    ("backward.dense_gradients", "dW_transposed", 4, 2.0, "dW = A_prev.T @ delta"),
    ("backward.dense_gradients", "db_kept_2d", 4, 2.0, "db = delta summed over the batch"),
    ("training.momentum_step", "old_velocity", 5, 3.0, "new_param, a step along the new velocity"),
    ("training.adam_step", "no_bias_correction", 6, 2.0, "new_param, the bias-corrected step"),
    ("training.clip_by_global_norm", "per_array_norm", 4, 1.0, "the clipped gradients"),
]


@pytest.mark.parametrize(("exercise", "key", "points", "expected", "failing"), PARTIAL_MISTAKES,
                         ids=[f"{e}-{k}" for e, k, *_ in PARTIAL_MISTAKES])
def test_a_half_right_answer_keeps_the_points_of_what_it_got_right(
        exercise, key, points, expected, failing, capsys):
    mistake = next(m for m in for_exercise(exercise) if m.key == key)
    assert grade_parts(exercise, mistake.function, points=points) == expected
    report = capsys.readouterr().out
    failed = [line for line in report.splitlines() if line.startswith("  ✗ ")]
    assert len(failed) == 1 and failed[0].startswith(f"  ✗ {failing} ("), report
    assert f"Likely mistake: {mistake.name}" in report
