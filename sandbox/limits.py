"""Time limits that fit the work: each cell's limit while grading, from the instructor's run.

A flat limit per cell (``BACKPROP_CELL_TIMEOUT``, 60 s by default) must fit the slowest cell of
the course, so a student's endless loop in a cell that takes the instructor's solution a
hundredth of a second waits out the whole minute, once per cell that calls it. The course
instead records, per cell, how long the instructor's solution takes to run and be graded
(``python -m course.time_limits``, which writes :data:`FILE`), and each cell's limit is that
time times a generous factor, never below a floor; the flat limit stays the ceiling.

The table is read by the grader only (:class:`sandbox.execute.SealedExecute`): nothing a student
submits can change a limit. A cell is found by its nbgrader ``grade_id`` (every graded, solution
and locked cell has one), or, for the notebook's plain code cells (plots, training runs), by a
hash of its source as the instructor wrote it: a cell the student added or edited is not in the
table and gets the flat limit.

The file's shape::

    {"floor": 5.0, "factor": 10.0,
     "assignments": {"ps1_forward": {"forward": {"relu_test": 5.0, "sha256:3f2a...": 6.1}}}}
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

#: Where the course keeps its table, beside nbgrader_config.py.
FILE = "cell_time_limits.json"
#: Most bytes of the table the grader reads.
MAX_BYTES = 1_000_000


def cell_key(cell: Any) -> str | None:
    """How the table names ``cell`` (a notebook cell, as nbformat reads it): its nbgrader
    ``grade_id``, or ``sha256:`` and the hash of a plain code cell's source; None for other
    cells (markdown)."""
    grade_id = (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")
    if isinstance(grade_id, str) and grade_id:
        return grade_id
    if cell.get("cell_type") != "code":
        return None
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(source)
    return "sha256:" + hashlib.sha256(str(source).encode()).hexdigest()[:16]


def limit(seconds: float, floor: float, factor: float) -> float:
    """A cell's limit for an instructor's time of ``seconds``: ``factor`` times it, at least
    ``floor``, rounded up to a tenth of a second."""
    return math.ceil(max(floor, factor * seconds) * 10) / 10


def read_table(path: str | Path, assignment: str, notebook: str) -> dict[str, float]:
    """The limits (seconds, by :func:`cell_key`) of one notebook in the table at ``path``;
    empty when there is no table, it is unreadable, or it does not know the notebook."""
    try:
        with open(path, "rb") as file:
            text = file.read(MAX_BYTES + 1)
        if len(text) > MAX_BYTES:
            return {}
        cells = json.loads(text)["assignments"][assignment][notebook]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(cells, dict):
        return {}
    return {str(key): float(value) for key, value in cells.items()
            if isinstance(value, (int, float)) and math.isfinite(value) and value > 0}


def cell_limit(table: dict[str, float], cell: Any, ceiling: float | None) -> float | None:
    """The time limit of ``cell``: its entry in ``table`` (:func:`read_table`), never above
    ``ceiling`` (the flat limit; None or 0 for none), or the ceiling when it has no entry."""
    key = cell_key(cell)
    own = table.get(key) if key is not None else None
    if own is None:
        return ceiling
    return min(own, ceiling) if ceiling and ceiling > 0 else own
