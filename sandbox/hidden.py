"""A hidden test cell split in two: what runs in the student's kernel, and the grading calls
that run in the grader.

The instructor writes hidden tests as ``grade("forward.sigmoid", sigmoid)`` or
``grade_parts("forward.softmax", softmax, points=3)`` with ``from grading import ...`` above
them. In the sandbox the graders cannot be imported, and must not be: those statements are taken
out of the kernel's copy of the cell (each replaced by blank lines, so line numbers in the
student's tracebacks do not move) and run by the grader instead, on the student's functions seen
through :mod:`sandbox.remote`. Every other statement of the cell, hidden or not (visible checks,
``SCORED_IN_PARTS.add(...)``), runs in the kernel as written. The statements are read by the
course's one parser of grading calls, :mod:`grading.grading_calls`.
"""

from __future__ import annotations

import ast

from grading.grading_calls import GradingCall, grading_call, imports_graders


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
        call = grading_call(node)
        if call is None and not imports_graders(node):
            continue
        if call is not None:
            calls.append(call)
        for index in range(node.lineno - 1, node.end_lineno or node.lineno):
            lines[index] = "\n"
    return "".join(lines), calls
