"""What a student's feedback may show of an error in a graded cell: its one-line message.

IPython prints a traceback with the lines of the cell around the failing line, and a graded
cell's hidden tests are lines of that cell: a ``NameError`` raised by the hidden part (the
student's function does not exist because its cell has a syntax error) would print them.
nbgrader's ``ClearHiddenTests`` clears the cell's source in the feedback, not its outputs.
This preprocessor, in ``GenerateFeedback.preprocessors`` after it, keeps ``ename: evalue``
of every error in a graded cell and drops the rest of the traceback. The autograded notebooks
the instructor reads keep the whole traceback.
"""

from __future__ import annotations

from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade


class ShortTracebacks(NbGraderPreprocessor):
    """Reduce the tracebacks of graded cells to their last line."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any],
                        index: int) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type == "code" and is_grade(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: "
                                           f"{output.get('evalue', '')}"]
        return cell, resources
