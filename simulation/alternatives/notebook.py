"""What a student's notebook holds above an exercise: the given code and earlier solutions.

Later exercises build on earlier ones (``train`` calls ``init_network``, ``sgd_step`` and
``iterate_minibatches``; ``gradient_check`` calls ``network_backward``...). An alternative for
such an exercise uses those names the way a student would, from the namespace of the source
notebook: NumPy as ``np``, the ``given`` cell, and every solution cell (the solutions of the other
exercises, as written in ``source/``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from grading.grading_calls import grading_calls
from simulation.notebooks import run_cells

SOURCE = Path(__file__).resolve().parents[2] / "source"


def _cells(assignment: str) -> list[dict[str, Any]]:
    (path,) = (SOURCE / assignment).glob("*.ipynb")
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict[str, Any]) -> str:
    return "".join(cell["source"])


@cache
def namespace(assignment: str) -> dict[str, Any]:
    """The globals of ``source/<assignment>``'s notebook after its given and solution cells ran
    (its print-outs swallowed). Shared between callers: do not change it."""
    cells = [("<import>", "import numpy as np")]
    for cell in _cells(assignment):
        grading = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and (grading.get("grade_id") == "given"
                                           or grading.get("solution")):
            cells.append((f"<{assignment} {grading.get('grade_id')}>", _source(cell)))
    return run_cells(cells, f"notebook_{assignment}")


@cache
def graded_functions() -> dict[str, tuple[str, str]]:
    """Exercise name -> (assignment, name of the student function its hidden test grades)."""
    found = {}
    for folder in sorted(SOURCE.iterdir()):
        if not folder.is_dir():
            continue
        for cell in _cells(folder.name):
            for call in grading_calls(_source(cell)):
                if call.targets:
                    found[call.exercise] = (folder.name, call.targets[0])
    return found
