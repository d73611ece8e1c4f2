"""Run one check the way a hidden test cell needs it run.

nbgrader gives a test cell zero points if it writes anything to stderr, so a correct answer
that happens to trigger a NumPy RuntimeWarning would lose its points. The runner silences
warnings and stderr while the student's code runs under the check.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from typing import Any

import numpy as np

from grading.diagnosis import Recorder, matching_mistake
from grading.registry import Failure, lookup


def grade(name: str, *student_objects: Any) -> None:
    """Grade exercise ``name`` with the student's function(s) or answer(s).

    Returns None when every case passes; raises ``AssertionError`` with the reason otherwise.
    """
    check = lookup(name)
    recorders = [Recorder(obj) if callable(obj) else None for obj in student_objects]
    wrapped = [rec or obj for rec, obj in zip(recorders, student_objects, strict=True)]
    with contextlib.ExitStack() as stack:
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        stack.enter_context(np.errstate(all="ignore"))
        stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
        try:
            check(*wrapped)
        except NotImplementedError:
            raise Failure(f"{name}: not implemented yet") from None
        except Exception as error:
            message = str(error) if isinstance(error, Failure) else (
                f"{name}: your code raised {type(error).__name__}: {error}")
            raise Failure(message + _diagnosis(name, recorders)) from None


def _diagnosis(name: str, recorders: list[Recorder | None]) -> str:
    """A sentence naming the catalogued mistake the student's function reproduces, if any.

    Never raises: whatever the student's results are, the diagnosis only adds to the message.
    """
    for recorder in recorders:
        if recorder is None:
            continue
        try:
            mistake = matching_mistake(name, recorder)
        except Exception:
            mistake = None
        if mistake is not None:
            return f"\nLikely mistake: {mistake.name}.\nHint: {mistake.hint}"
    return ""
