"""A hidden test cell split in two: what runs in the student's kernel, and the grading calls
that run in the grader.

The instructor writes hidden tests as ``grade("forward.sigmoid", sigmoid)`` or
``grade_parts("forward.softmax", softmax, points=3)`` with ``from grading import ...`` above
them. In the sandbox the graders cannot be imported, and must not be: those statements are taken
out of the kernel's copy of the cell (each replaced by blank lines, so line numbers in the
student's tracebacks do not move) and run by the grader instead, on the student's functions seen
through :mod:`sandbox.remote`. Every other statement of the cell, hidden or not (visible checks,
``SCORED_IN_PARTS.add(...)``), runs in the kernel as written.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

GRADERS = ("grade", "grade_parts")


@dataclass(frozen=True)
class GradingCall:
    """One ``grade(...)`` or ``grade_parts(...)`` statement of a test cell."""

    exercise: str
    targets: tuple[str, ...]  # the notebook's names passed to the grader
    points: float | None  # grade_parts' points; None for grade (all or nothing)

    @property
    def in_parts(self) -> bool:
        return self.points is not None


def _grading_call(node: ast.stmt) -> GradingCall | None:
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return None
    call = node.value
    if not (isinstance(call.func, ast.Name) and call.func.id in GRADERS):
        return None
    if not call.args or not isinstance(call.args[0], ast.Constant):
        raise ValueError(f"line {node.lineno}: the exercise name must be a string literal")
    targets = []
    for arg in call.args[1:]:
        if not isinstance(arg, ast.Name):
            raise ValueError(f"line {node.lineno}: pass the notebook's names to {call.func.id}")
        targets.append(arg.id)
    points = None
    for keyword in call.keywords:
        if keyword.arg == "points" and isinstance(keyword.value, ast.Constant):
            points = float(keyword.value.value)
        else:
            raise ValueError(f"line {node.lineno}: unexpected argument {keyword.arg!r}")
    if (call.func.id == "grade_parts") != (points is not None):
        raise ValueError(f"line {node.lineno}: grade_parts takes points=, grade does not")
    return GradingCall(str(call.args[0].value), tuple(targets), points)


def _imports_graders(node: ast.stmt) -> bool:
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] == "grading"
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "grading" for alias in node.names)
    return False


def split(source: str) -> tuple[str, list[GradingCall]]:
    """``(the kernel's copy of the cell, the grading calls in order)``. A cell that does not
    parse is left whole for the kernel (it will show the student the syntax error)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source, []
    lines = source.splitlines(keepends=True)
    calls: list[GradingCall] = []
    for node in tree.body:
        call = _grading_call(node)
        if call is None and not _imports_graders(node):
            continue
        if call is not None:
            calls.append(call)
        for index in range(node.lineno - 1, node.end_lineno or node.lineno):
            lines[index] = "\n"
    return "".join(lines), calls
