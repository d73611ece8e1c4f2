"""Which of the student's own functions an exercise's method calls, as its notebook asks.

``network_backward`` calls the student's ``dense_gradients`` and ``hidden_delta``, ``train`` calls
``sgd_step`` and ``iterate_minibatches``... Each checks module declares such an exercise with
:func:`uses_helpers` (the registry :data:`DEPENDENCIES`), and :mod:`grading.carry_forward` uses
the declarations to make a wrong helper cost its points once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grading.diagnosis import Recorder


@dataclass(frozen=True)
class Helper:
    """A function of the student's that an exercise's method calls by name, as the notebook
    asks: ``name`` in the notebook, the ``exercise`` that grades it, and a correct version with
    the notebook's signature (``reference``)."""

    name: str
    exercise: str
    reference: Callable[..., Any]


@dataclass(frozen=True)
class Dependency:
    """An exercise whose method calls the student's ``helpers``. ``method(**helpers)`` is the
    exercise's function as the notebook asks for it, written with the helpers it is given.

    ``parts`` limits carrying forward to those parts of the exercise (all when empty);
    ``compared`` picks what of a result depends on the helpers (all of it when None), and
    ``merged(student's result, result with correct helpers)`` is what the stand-in answers
    (the latter when None)."""

    exercise: str
    helpers: tuple[Helper, ...]
    method: Callable[..., Callable[..., Any]]
    parts: tuple[str, ...] = ()
    compared: Callable[[Any], Any] | None = None
    merged: Callable[[Any, Any], Any] | None = None


#: Exercise name -> how its method depends on the student's other functions.
DEPENDENCIES: dict[str, Dependency] = {}


def uses_helpers(exercises: str | tuple[str, ...], *helpers: Helper, parts: tuple[str, ...] = (),
                 compared: Callable[[Any], Any] | None = None,
                 merged: Callable[[Any, Any], Any] | None = None,
                 ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated ``method`` (``method(**helpers)`` -> the exercise's function) as
    the way ``exercises`` use the student's ``helpers``."""

    def register(method: Callable[..., Any]) -> Callable[..., Any]:
        for exercise in (exercises,) if isinstance(exercises, str) else exercises:
            if exercise in DEPENDENCIES:
                raise ValueError(f"the helpers of {exercise} are declared twice")
            DEPENDENCIES[exercise] = Dependency(exercise, helpers, method, parts, compared,
                                                merged)
        return method

    return register


def student_helper(student: Any, name: str) -> Callable[..., Any] | None:
    """The notebook's function ``name`` beside the student's function ``student``: in the
    sandbox, the kernel's global of that name; outside it, the global of the function's own
    namespace. None when there is none."""
    function = student.function if isinstance(student, Recorder) else student
    kernel = getattr(function, "kernel", None)
    if callable(getattr(kernel, "describe", None)) and callable(getattr(kernel, "function", None)):
        kind, _ = kernel.describe(name)
        return kernel.function(name) if kind == "function" else None
    namespace = getattr(function, "__globals__", None)
    if isinstance(namespace, dict):
        found = namespace.get(name)
        return found if callable(found) and found is not function else None
    return None


def hung(function: Any) -> bool:
    """Whether ``function`` is a function of the student's kernel that already ran past a time
    limit in this grading (:attr:`sandbox.remote.Kernel.hung`): worth no further wait."""
    kernel = getattr(function, "kernel", None)
    return getattr(function, "name", None) in getattr(kernel, "hung", ())
