"""The :class:`Mistake` record and the registry every mistake module adds to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Mistake:
    """One catalogued wrong variant of an exercise.

    ``exercise`` is the grader's name (``"backward.hidden_delta"``), ``key`` a short id unique
    within it, ``name`` the one line a student reads, ``hint`` a pointer toward the fix, and
    ``function`` the wrong implementation, with the exercise's signature.
    """

    exercise: str
    key: str
    name: str
    hint: str
    function: Callable[..., Any]

    @property
    def id(self) -> str:
        """``exercise:key``, unique across the catalogue."""
        return f"{self.exercise}:{self.key}"


MISTAKES: list[Mistake] = []


def mistake(exercise: str, key: str, name: str, hint: str) -> Callable[[Callable], Callable]:
    """Add the decorated function to the catalogue as a wrong variant of ``exercise``."""

    def add(function: Callable) -> Callable:
        entry = Mistake(exercise, key, name, hint, function)
        if any(m.id == entry.id for m in MISTAKES):
            raise ValueError(f"mistake {entry.id} is catalogued twice")
        MISTAKES.append(entry)
        return function

    return add


def for_exercise(exercise: str) -> list[Mistake]:
    """Every catalogued mistake of one exercise (the package ``grading.mistakes`` registers
    every module's mistakes when it is imported)."""
    return [m for m in MISTAKES if m.exercise == exercise]
