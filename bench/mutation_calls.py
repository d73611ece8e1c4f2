"""The graders' calls to a graded function: recorded, bound to its signature, and read.

The benchmark records every call the graders of a function make to its original (with
:class:`grading.diagnosis.Recorder`); the operators learn from them what each parameter holds
(an array, a list of arrays, something else), and the equivalence test replays them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from mutation_notebooks import Target
from mutation_training_slips import HYPERPARAMETERS

from grading import grade
from grading.diagnosis import Call, Recorder


def record_calls(target: Target, function: Callable[..., Any]) -> list[Call]:
    """Every call the target's graders make to ``function``; raises if a grader fails it."""
    calls: list[Call] = []
    for exercise in target.exercises:
        recorder = Recorder(function)
        grade(exercise, recorder)
        calls.extend(recorder.calls)
    return calls


def bound(function: Callable[..., Any], call: Call) -> inspect.BoundArguments | None:
    """``call``'s arguments bound to ``function``'s parameters; ``None`` if they do not fit."""
    try:
        return inspect.signature(function).bind(*call.args, **call.kwargs)
    except TypeError:
        return None


def parameter_kinds(function: Callable[..., Any], calls: Sequence[Call]) -> dict[str, str]:
    """What each parameter of ``function`` held in the first recorded call that binds:
    ``"array"``, ``"arrays"`` (a non-empty list or tuple of arrays) or ``"other"``."""
    for call in calls:
        arguments = bound(function, call)
        if arguments is not None:
            return {name: kind_of(value) for name, value in arguments.arguments.items()}
    return {}


def kind_of(value: Any) -> str:
    """``"array"``, ``"arrays"`` (a non-empty list or tuple of arrays) or ``"other"``."""
    if isinstance(value, np.ndarray):
        return "array"
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(item, np.ndarray) for item in value):
        return "arrays"
    return "other"


def with_default_hyperparameters(function: Callable[..., Any], call: Call
                                 ) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
    """``call``'s arguments without the hyper-parameters that have a default (so that they
    take it), or ``None`` if it passes none of them."""
    arguments = bound(function, call)
    if arguments is None:
        return None
    parameters = arguments.signature.parameters
    dropped = [name for name in arguments.arguments if name in HYPERPARAMETERS
               and parameters[name].default is not inspect.Parameter.empty]
    if not dropped:
        return None
    rebound = arguments.signature.bind_partial()
    rebound.arguments.update({k: v for k, v in arguments.arguments.items() if k not in dropped})
    return tuple(rebound.args), dict(rebound.kwargs)
