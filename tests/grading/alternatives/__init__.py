"""Correct solutions written differently from the reference, several per graded exercise.

A grader must give full marks to any correct answer, not only to one that is written like the
reference: loops instead of vectorized code, ``np.einsum`` or ``np.dot`` instead of ``@``, another
stable sigmoid or softmax, masks instead of ``np.where``, lists built in reverse, generators
written with ``yield from``... Each alternative is realistic student code with the exercise's
signature, registered with :func:`correct` under the exercise(s) it answers. One module per
notebook (:mod:`.forward`, :mod:`.backward`, :mod:`.training`, :mod:`.explorations`); where the
notebook gives students ready-made code (``init_network``, ``backprop``...), an alternative uses
it as a student would, from :func:`.notebook.namespace`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

#: Exercise name (``"forward.sigmoid"``) -> {variant name: a correct implementation}.
ALTERNATIVES: dict[str, dict[str, Callable[..., Any]]] = {}

NOTEBOOKS = ("forward", "backward", "training", "explorations")


def correct(*exercises: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as a correct answer to each of ``exercises``.

    The variant is named after the function, e.g. ``sigmoid_logaddexp``.
    """

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        for exercise in exercises:
            variants = ALTERNATIVES.setdefault(exercise, {})
            if function.__name__ in variants:
                raise ValueError(f"two alternatives named {function.__name__} for {exercise}")
            variants[function.__name__] = function
        return function

    return register


def load_all() -> dict[str, dict[str, Callable[..., Any]]]:
    """Import every notebook's module of alternatives and return the registry."""
    for notebook in NOTEBOOKS:
        importlib.import_module(f"{__name__}.{notebook}")
    return ALTERNATIVES
