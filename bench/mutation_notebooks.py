"""The source notebooks as the mutation benchmark reads them: which functions their hidden
tests grade, where each one's solution region is, and a fresh namespace with their cells run.

A graded function is one that a hidden test cell grades with ``grade("<notebook>.<function>",
fn)`` (or ``grade_parts``) for a check registered in :data:`grading.CHECKS`, quiz excluded. Its
notebook's ``setup`` and ``given`` cells and all its solution cells define it; plots, training
demos and test cells are not run.
"""

from __future__ import annotations

import ast
import contextlib
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import numpy as np

from grading import CHECKS
from grading.grading_calls import grading_calls
from simulation.notebooks import run_cells as notebook_cells_run

SOURCE = Path(__file__).resolve().parent.parent / "source"
#: Cells run to define a notebook's functions, besides its solution cells.
SUPPORT_CELLS = ("setup", "given")
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


@dataclass(frozen=True)
class Target:
    """One graded function: its solution cell and the exercises whose graders call it."""

    notebook: str
    function: str
    exercises: tuple[str, ...]
    cell: int
    code: str
    region: tuple[int, int]

    @property
    def label(self) -> str:
        """The first exercise's name, with the number of further graders of the function."""
        more = len(self.exercises) - 1
        return self.exercises[0] + (f" +{more}" if more else "")

    @property
    def seed(self) -> int:
        """The target's own seed, drawn from its label: its sample of mutants and its random
        probes stay the same from run to run."""
        return zlib.crc32(self.label.encode())


@dataclass(frozen=True)
class Notebook:
    """A source notebook: the code cells that define its functions, and its graded functions."""

    name: str
    path: Path
    cells: tuple[tuple[int, str], ...]
    targets: tuple[Target, ...]


def load_notebooks() -> list[Notebook]:
    """Every source notebook of the problem sets (``source/ps*/*.ipynb``), in name order."""
    return [load_notebook(path) for path in sorted(SOURCE.glob("ps*/*.ipynb"))]


def load_notebook(path: Path) -> Notebook:
    """Read ``path``: its support and solution cells, and the functions its hidden tests grade."""
    nb = nbformat.read(path, as_version=4)
    cells, solutions, graded = [], {}, {}
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("grade"):
            for exercise, function in graded_calls(cell.source):
                graded.setdefault(function, []).append(exercise)
        elif meta.get("solution") or meta.get("grade_id") in SUPPORT_CELLS:
            cells.append((index, cell.source))
            if meta.get("solution"):
                solutions.update({name: index for name in defined_functions(cell.source)})
    code = dict(cells)
    targets = tuple(
        Target(path.stem, function, tuple(exercises), solutions[function],
               code[solutions[function]], solution_region(code[solutions[function]]))
        for function, exercises in graded.items() if function in solutions)
    return Notebook(path.stem, path, tuple(cells), targets)


def graded_calls(code: str) -> Iterator[tuple[str, str]]:
    """``(exercise, function name)`` for each ``grade("...", name)`` of a registered check."""
    for call in grading_calls(code):
        if (len(call.targets) == 1 and call.exercise in CHECKS
                and not call.exercise.startswith("quiz.")):
            yield call.exercise, call.targets[0]


def defined_functions(code: str) -> list[str]:
    """Names of the functions a cell defines at its top level."""
    return [node.name for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)]


def solution_region(code: str) -> tuple[int, int]:
    """First and last line (1-based) between the solution markers of a cell."""
    lines = code.splitlines()
    begin = next(i for i, line in enumerate(lines, 1) if line.strip() == BEGIN)
    end = next(i for i, line in enumerate(lines, 1) if line.strip() == END)
    return begin + 1, end - 1


def run_cells(notebook: Notebook, replace: dict[int, str] | None = None) -> dict[str, Any]:
    """A fresh namespace in which the notebook's cells have run, ``replace`` overriding some."""
    with quiet():
        return notebook_cells_run(
            (f"{notebook.path.name} cell {index}", (replace or {}).get(index, code))
            for index, code in notebook.cells)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No warnings and no NumPy floating-point complaints inside."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield

