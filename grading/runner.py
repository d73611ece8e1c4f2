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

from grading.registry import Failure, lookup


def grade(name: str, *student_objects: Any) -> None:
    """Grade exercise ``name`` with the student's function(s) or answer(s).

    Returns None when every case passes; raises ``AssertionError`` with the reason otherwise.
    """
    check = lookup(name)
    with contextlib.ExitStack() as stack:
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        stack.enter_context(np.errstate(all="ignore"))
        stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
        try:
            check(*student_objects)
        except Failure:
            raise
        except NotImplementedError:
            raise Failure(f"{name}: not implemented yet") from None
        except Exception as error:  # the student's code raised: report it, briefly
            raise Failure(
                f"{name}: your code raised {type(error).__name__}: {error}"
            ) from None
