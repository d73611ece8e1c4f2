"""The grading statements of a hidden test cell, read from its source: one parser for all.

An instructor's hidden test calls a grader by name with string-literal exercise names and the
notebook's own names, ``grade("forward.sigmoid", sigmoid)`` or ``grade_parts("forward.softmax",
softmax, points=3)``, below ``from grading import ...``. The sandbox takes these statements out of
the kernel's copy of the cell (:mod:`sandbox.hidden`); the rules check, the class simulator and
the benchmarks read which exercise a cell grades, with which names, for how many points.
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


def grading_call(node: ast.stmt) -> GradingCall | None:
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


def imports_graders(node: ast.stmt) -> bool:
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] == "grading"
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "grading" for alias in node.names)
    return False


def grading_calls(source: str) -> list[GradingCall]:
    """The grading calls of a test cell, in order (none when the cell does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [call for node in tree.body if (call := grading_call(node)) is not None]
