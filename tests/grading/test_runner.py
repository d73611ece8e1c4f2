"""The grader runner: quiet about warnings, clear about failures, strict about names."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

from grading import CHECKS, PARTS, Failure, grade, register
from grading.compare import assert_close, assert_unchanged


@pytest.fixture
def scratch_check():
    """Register a throwaway check for the test and remove it afterwards."""
    names = []

    def make(name, check):
        register(name)(check)
        names.append(name)

    yield make
    for name in names:
        CHECKS.pop(name, None)
        PARTS.pop(name, None)


def test_warnings_and_stderr_of_student_code_stay_silent(scratch_check, capsys):
    def noisy(z):
        print("debug output on stderr", file=sys.stderr)
        return 1.0 / (1.0 + np.exp(-z))      # overflows for z = -1000: RuntimeWarning

    scratch_check("test.noisy", lambda f: assert_close("noisy", "z", f(np.array([-1000.0])), [0.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grade("test.noisy", noisy)
    assert capsys.readouterr().err == ""


def test_not_implemented_is_reported_kindly(scratch_check):
    def stub(z):
        raise NotImplementedError()

    scratch_check("test.stub", lambda f: f(1.0))
    with pytest.raises(Failure, match=r"test\.stub: not implemented yet"):
        grade("test.stub", stub)


def test_a_crash_in_student_code_becomes_a_failure_with_its_reason(scratch_check):
    scratch_check("test.crash", lambda f: f(1.0))
    with pytest.raises(Failure, match=r"your code raised ZeroDivisionError: division by zero"):
        grade("test.crash", lambda z: 1 / 0)


def test_failure_renders_as_one_line_in_a_notebook():
    assert Failure("sigmoid: wrong")._render_traceback_() == ["Failure: sigmoid: wrong"]


def test_unknown_exercise_is_an_error():
    with pytest.raises(KeyError, match=r"no check is registered for exercise .nope\.nothing."):
        grade("nope.nothing", None)


def test_registering_twice_is_refused(scratch_check):
    scratch_check("test.twice", lambda f: None)
    with pytest.raises(ValueError, match="two checks registered"):
        register("test.twice")(lambda f: None)


@pytest.mark.parametrize(
    ("got", "message"),
    [
        (None, "returned None"),
        ("text", "not a numeric array"),
        (np.zeros((3, 2)), r"expected shape \(2, 3\), got \(3, 2\)"),
        (np.full((2, 3), np.nan), "NaN or inf"),
        (np.ones((2, 3)), r"largest error 1 at index \(0, 0\)"),
    ],
)
def test_assert_close_explains_what_is_wrong(got, message):
    with pytest.raises(Failure, match=message):
        assert_close("ex", "case", got, np.zeros((2, 3)))


def test_assert_close_accepts_float32_results_within_tolerance():
    expected = np.linspace(0, 1, 6).reshape(2, 3)
    assert_close("ex", "case", expected.astype(np.float32), expected, rtol=1e-6, atol=1e-7)


def test_assert_unchanged_catches_in_place_edits():
    with pytest.raises(Failure, match="changed its input Z in place"):
        assert_unchanged("ex", "Z", np.zeros(3), np.ones(3))
