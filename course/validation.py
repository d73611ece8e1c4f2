"""What ``nbgrader validate`` (and JupyterLab's Validate button) tells a student: a one-line
summary on top, and every message whole.

nbgrader's validator lists each failing test cell with its source and its error, and no count
of what passes: its configurable texts (``Validator.failed_warning``) know only how many cells
fail, and the Validate button shows none of them. What both show is each failing cell's error.
So while a notebook is validated (nbgrader sets ``NBGRADER_EXECUTION=validate``), two hooks of
the Execute preprocessor, set in ``nbgrader_config.py`` (nbclient's ``on_notebook_start`` and
``on_cell_start``), make the first failing cell's error start with the count:

    7 of 10 exercises pass their visible checks.
    ✗ relu: not implemented yet. Write it in the cell above, run that cell, then run this one again.

(for the quiz: "23 of 25 answers have the format their question asks for."). The count is
taken when every cell has run: the first hook appends an empty marker cell to the notebook and
the second, when the marker's turn comes, removes it and counts. The same hook wraps the failing
cells' error lines at :data:`WIDTH` (``c.Validator.width``), where the validator would cut them
with "...". Nothing here runs while grading: autograding sets ``NBGRADER_EXECUTION=autograde``.
"""

from __future__ import annotations

import os
import textwrap
from typing import Any

from nbconvert.filters import strip_ansi
from nbformat import NotebookNode
from nbformat.v4 import new_output, new_raw_cell
from nbgrader.utils import determine_grade, is_grade, is_solution

#: The validator's line width (``c.Validator.width``): it cuts longer lines. The widest line of
#: a test cell's source is 132 characters, and the validator indents by 4.
WIDTH = 140
MARKER = "backprop_validation_summary"
_validating: dict[str, NotebookNode] = {}


def on_notebook_start(notebook: NotebookNode, **_: Any) -> None:
    """Before the first cell runs: mark the end of the notebook (validation only)."""
    _validating.clear()
    if os.environ.get("NBGRADER_EXECUTION") == "validate":
        _validating["notebook"] = notebook
        notebook.cells.append(new_raw_cell("", metadata={MARKER: True}))


def on_cell_start(cell: NotebookNode, **_: Any) -> None:
    """When the marker's turn comes, every cell has run: remove it, then summarize."""
    notebook = _validating.get("notebook")
    if notebook is None or not cell.get("metadata", {}).get(MARKER):
        return
    _validating.clear()
    notebook.cells[:] = [c for c in notebook.cells if not c.get("metadata", {}).get(MARKER)]
    summarize(notebook)


def summarize(notebook: NotebookNode) -> str | None:
    """Add the summary line to the first failing test cell of an executed notebook, and wrap
    the failing cells' long error lines; return the summary (None when every cell passes)."""
    tests = [cell for cell in notebook.cells
             if cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)]
    failing = [cell for cell in tests if _fails(cell)]
    if not failing:
        return None
    passed, total = len(tests) - len(failing), len(tests)
    if all("check_format(" in cell.source for cell in tests):
        summary = f"{passed} of {total} answers have the format their question asks for."
    else:
        summary = f"{passed} of {total} exercises pass their visible checks."
    failing[0].outputs.insert(0, new_output("stream", name="stderr", text=summary))
    for cell in failing:
        for output in cell.outputs:
            if output.output_type == "error":
                output.traceback = [wrapped for line in output.traceback
                                    for wrapped in _wrap(line)]
    return summary


def _fails(cell: NotebookNode) -> bool:
    score, max_score = determine_grade(cell)
    return score is not None and score < max_score


def _wrap(text: str) -> list[str]:
    """``text`` in lines the validator keeps whole (it indents by 4 and cuts at width - 3)."""
    lines = []
    for line in str(text).split("\n"):
        plain = strip_ansi(line)
        if len(plain) <= WIDTH - 8:
            lines.append(line)
        else:
            lines += textwrap.wrap(plain, WIDTH - 8, subsequent_indent="  ",
                                   break_long_words=True, break_on_hyphens=False) or [""]
    return lines
