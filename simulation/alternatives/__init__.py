"""Correct solutions written differently from the reference, several per graded exercise.

A grader must give full marks to any correct answer, not only to one that is written like the
reference: loops instead of vectorized code, ``np.einsum`` or ``np.dot`` instead of ``@``, another
stable sigmoid or softmax, masks instead of ``np.where``, lists built in reverse, generators
written with ``yield from``... Each alternative is realistic student code with the exercise's
signature, registered with :func:`correct` under the exercise(s) it answers. One module per part
of a notebook: ps1's :mod:`.activations`, :mod:`.forward_pass` and :mod:`.losses`; ps2's
:mod:`.chain_rule`, :mod:`.derivatives`, :mod:`.deltas`, :mod:`.backward_pass` and
:mod:`.gradient_check`; ps3's :mod:`.training` and ps4's :mod:`.explorations`. :func:`load_all`
imports every module of the package, so a new module registers its alternatives by being there.
Where the notebook gives students ready-made code (``init_network``, ``backprop``...), an
alternative uses it as a student would, from :func:`.notebook.namespace`.

The graders' tests check every alternative gets full marks; the class simulator gives its correct
students one of these styles (or the instructor's solution), pasted by :func:`as_student_code`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from types import CodeType, ModuleType
from typing import Any

from simulation.notebooks import source_as

#: Exercise name (``"forward.sigmoid"``) -> {variant name: a correct implementation}.
ALTERNATIVES: dict[str, dict[str, Callable[..., Any]]] = {}


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
    """Import every module of the package (each registers its alternatives); return the
    registry."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return ALTERNATIVES


def _global_names(code: CodeType) -> set[str]:
    """Every name ``code`` (and the functions nested in it) may look up as a global."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            names |= _global_names(constant)
    return names


def _importable(value: Any) -> str | None:
    """``from <module> import <name>`` when ``value`` can be imported by name, else None."""
    module, name = getattr(value, "__module__", None), getattr(value, "__name__", None)
    if not module or not name or module.startswith(__name__):
        return None
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return f"from {module} import {name}" if found is value else None


def as_student_code(function: Callable[..., Any], name: str,
                    notebook: Mapping[str, Any]) -> tuple[str, set[str]]:
    """The code a student would type in a notebook cell to define ``function`` as ``name``.

    Modules and library functions the alternative uses become import lines; names it takes from
    the notebook (``sigmoid``, ``init_network``, ``HIDDEN``...: values of ``notebook``, the
    namespace of the instructor's notebook) are left to the student's own cells and returned, so
    the caller can check the student has them right. Raises ValueError for a global that is none
    of these: the alternative would not run once pasted.
    """
    imports: list[str] = []
    from_notebook: set[str] = set()
    for global_name in sorted(_global_names(function.__code__)):
        if global_name not in function.__globals__:
            continue  # a builtin, or an attribute name (np.exp's "exp")
        value = function.__globals__[global_name]
        if value is function:
            continue  # a recursive call, renamed with the function by source_as
        if isinstance(value, ModuleType):
            alias = "" if value.__name__ == global_name else f" as {global_name}"
            imports.append(f"import {value.__name__}{alias}")
        elif global_name in notebook and notebook[global_name] is value:
            from_notebook.add(global_name)
        elif (line := _importable(value)) is not None:
            imports.append(line if value.__name__ == global_name else f"{line} as {global_name}")
        else:
            raise ValueError(f"{function.__name__} uses {global_name}, which a notebook cell "
                             "would not have")
    header = "\n".join(imports) + "\n\n\n" if imports else ""
    return header + source_as(function, name), from_notebook
