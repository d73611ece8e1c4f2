"""The registry of checks: one function per graded exercise, looked up by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[..., None]

#: Exercise name (``"forward.sigmoid"``) -> the check that grades it.
CHECKS: dict[str, Check] = {}


class Failure(AssertionError):
    """A check found the student's answer wrong; the message says how, for the student.

    In a notebook it shows as its message alone: IPython calls ``_render_traceback_`` instead
    of printing the grader's internal frames.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


def register(name: str) -> Callable[[Check], Check]:
    """Register the decorated function as the check for exercise ``name``."""

    def decorate(check: Check) -> Check:
        if name in CHECKS:
            raise ValueError(f"two checks registered for exercise {name!r}")
        CHECKS[name] = check
        return check

    return decorate


def lookup(name: str) -> Check:
    """The check for ``name``, loading the check modules on first use."""
    from grading import checks  # noqa: F401  (importing registers every check)

    try:
        return CHECKS[name]
    except KeyError:
        raise KeyError(f"no check is registered for exercise {name!r}") from None


def describe(value: Any) -> str:
    """A short description of a value for a message: its type, and shape if it has one."""
    shape = getattr(value, "shape", None)
    return f"{type(value).__name__} of shape {shape}" if shape is not None else type(value).__name__
