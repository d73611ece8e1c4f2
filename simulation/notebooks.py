"""Read and edit student notebooks the way a student would: one solution cell at a time; and
run a notebook's cells into a namespace, as its kernel would."""

from __future__ import annotations

import ast
import contextlib
import inspect
import io
import textwrap
from collections.abc import Callable, Iterable
from typing import Any

import nbformat
from nbformat import NotebookNode


def solution_cells(notebook: NotebookNode) -> list[NotebookNode]:
    """The cells a student writes in (nbgrader ``solution: true``), in order."""
    return [
        cell for cell in notebook.cells
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")
    ]


def defined_function(cell: NotebookNode) -> str | None:
    """The name of the first function a cell defines, or None."""
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            return node.name
    return None


def solution_cell_for(notebook: NotebookNode, function: str) -> NotebookNode:
    """The solution cell whose code defines ``function``, or, for a quiz answer variable, the
    answer cell that starts by assigning it; KeyError when there is none."""
    cells = solution_cells(notebook)
    for cell in cells:
        if defined_function(cell) == function:
            return cell
    for cell in cells:
        if cell.source.lstrip().startswith(f"{function} ="):
            return cell
    raise KeyError(f"no solution cell defines {function}()")


def source_as(function: Callable[..., Any], name: str) -> str:
    """The source of ``function`` (decorators dropped), renamed to ``name``.

    A catalogued mistake is written as ``def sigmoid_wrong_sign(z)``; pasted into a notebook it
    must define ``sigmoid``. A recursive function calls itself by the new name.
    """
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    definition = tree.body[0]
    if not isinstance(definition, ast.FunctionDef):
        raise ValueError(f"{function!r} is not a plain function definition")
    for node in ast.walk(definition):
        if isinstance(node, ast.Name) and node.id == definition.name:
            node.id = name
    definition.name = name
    definition.decorator_list = []
    return ast.unparse(definition) + "\n"


def fill(notebook: NotebookNode, function: str, source: str) -> None:
    """Replace the body of the solution cell defining ``function`` with ``source`` (in place)."""
    solution_cell_for(notebook, function).source = source


def read(path: str) -> NotebookNode:
    """Read a notebook (nbformat 4)."""
    return nbformat.read(path, as_version=4)


def write(notebook: NotebookNode, path: str) -> None:
    """Write a notebook (nbformat 4)."""
    nbformat.write(notebook, path)


def run_cells(cells: Iterable[tuple[str, str]], module: str = "__notebook__") -> dict[str, Any]:
    """A fresh namespace (``__name__`` = ``module``) in which ``cells``, ``(label, source)``
    pairs, ran in order as a notebook's kernel runs them, their print-outs swallowed. The label
    names the cell in a traceback."""
    namespace: dict[str, Any] = {"__name__": module}
    with contextlib.redirect_stdout(io.StringIO()):
        for label, source in cells:
            exec(compile(source, label, "exec"), namespace)
    return namespace
