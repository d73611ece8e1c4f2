"""The registry of checks: what grades each exercise, looked up by name.

An exercise is graded by one check, or, when it has separable parts (say, the values of a
softmax and its stability for large scores), by several: each part has a title and a weight,
its share of the exercise's points. A check registered without a part is the single part
"every case" of weight 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Check = Callable[..., None]


@dataclass(frozen=True)
class Part:
    """One separately scored part of an exercise: ``weight`` is its share of the points."""

    title: str
    weight: float
    check: Check


#: Exercise name (``"forward.sigmoid"``) -> its parts, in the order they run.
PARTS: dict[str, list[Part]] = {}

#: Exercise name -> one check that runs every part in order (the first failure raises).
CHECKS: dict[str, Check] = {}

WHOLE = "every case"


class Failure(AssertionError):
    """A check found the student's answer wrong; the message says how, for the student.

    In a notebook it shows as its message alone: IPython calls ``_render_traceback_`` instead
    of printing the grader's internal frames.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


def register(name: str, *, part: str | None = None,
             weight: float = 1.0) -> Callable[[Check], Check]:
    """Register the decorated function as the check of exercise ``name``, or, given ``part``,
    as one part of it worth ``weight`` shares of its points."""
    if weight <= 0:
        raise ValueError(f"{name}: a part's weight must be positive; got {weight}")

    def decorate(check: Check) -> Check:
        parts = PARTS.setdefault(name, [])
        whole = any(p.title == WHOLE for p in parts)
        if (part is None and parts) or whole:
            raise ValueError(f"two checks registered for exercise {name!r}")
        if any(p.title == part for p in parts):
            raise ValueError(f"{name}: two parts are titled {part!r}")
        parts.append(Part(part or WHOLE, weight if part else 1.0, check))
        CHECKS[name] = check if part is None else _every_part(name)
        return check

    return decorate


def _every_part(name: str) -> Check:
    def check_every_part(*student_objects: Any) -> None:
        for part in PARTS[name]:
            part.check(*student_objects)

    check_every_part.__doc__ = f"Every part of {name}, in order."
    return check_every_part


def lookup(name: str) -> Check:
    """The check of exercise ``name`` (all its parts)."""
    try:
        return CHECKS[name]
    except KeyError:
        raise KeyError(f"no check is registered for exercise {name!r}") from None


def parts_of(name: str) -> list[Part]:
    """The parts of exercise ``name``, in order; one part, "every case", if it is not split."""
    lookup(name)
    return list(PARTS[name])


def describe(value: Any) -> str:
    """A short description of a value for a message: its type, and shape if it has one."""
    shape = getattr(value, "shape", None)
    return f"{type(value).__name__} of shape {shape}" if shape is not None else type(value).__name__
