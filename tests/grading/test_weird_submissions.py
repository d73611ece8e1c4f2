"""Whatever a submitted function does, its grader answers with a clear Failure, never a crash."""

from __future__ import annotations

import numpy as np
import pytest

from grading import Failure, grade
from grading.answers import is_question
from grading.registry import CHECKS, lookup

lookup("forward.sigmoid")  # registers every check
EXERCISES = sorted(name for name in CHECKS
                   if not is_question(name) and not name.startswith("test."))


def returns_none(*args, **kwargs):
    return None


def returns_list(*args, **kwargs):
    return [1, 2, 3]


def returns_text(*args, **kwargs):
    return "the answer"


def returns_nan(*args, **kwargs):
    first = next((a for a in args if isinstance(a, np.ndarray)), np.zeros(3))
    return np.full(np.shape(first), np.nan)


def raises(*args, **kwargs):
    raise RuntimeError("student code blew up")


def returns_object(*args, **kwargs):
    return object()


WEIRD = [returns_none, returns_list, returns_text, returns_nan, raises, returns_object]


@pytest.mark.parametrize("behaviour", WEIRD, ids=lambda f: f.__name__)
@pytest.mark.parametrize("exercise", EXERCISES)
def test_weird_submission_fails_cleanly(exercise, behaviour):
    with pytest.raises(Failure) as failure:
        grade(exercise, behaviour)
    message = str(failure.value)
    assert message.startswith(exercise.split(".")[-1]) or message.startswith(exercise), message
    assert "Traceback" not in message


def test_a_non_function_submission_fails_cleanly():
    with pytest.raises(Failure):
        grade("forward.sigmoid", 42)
