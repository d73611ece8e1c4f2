"""``SaveRecordedGrades``: nbgrader's ``SaveAutoGrades`` with the scores the grader decided.

Stock nbgrader reads a test cell's score back from its outputs (an error scores 0, a number is
partial credit). Outputs are what the student's kernel can address, so here a test cell's score
is the one :class:`sandbox.execute.SealedExecute` decided when the cell ended and left in
nbgrader's ``resources`` (under :data:`sandbox.SCORES_KEY`), out of the kernel's reach. This
preprocessor takes ``SaveAutoGrades``' place in ``Autograde.autograde_preprocessors``; cells
the student writes (answers graded by hand, autograded answers) keep nbgrader's own rules.
"""

from __future__ import annotations

from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import SaveAutoGrades
from nbgrader.utils import is_grade, is_solution

from sandbox import SCORES_KEY


class SaveRecordedGrades(SaveAutoGrades):
    """Save each test cell's recorded score; a test cell the grader did not record scores 0."""

    def _add_score(self, cell: NotebookNode, resources: dict[str, Any]) -> None:
        if not (cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)):
            super()._add_score(cell, resources)
            return
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        recorded = resources.get(SCORES_KEY) or {}
        if grade_id not in recorded:
            self.log.warning("No score was recorded for test cell %s: it scores 0 (was it "
                             "graded by sandbox.execute.SealedExecute?)", grade_id)
        grade = self.gradebook.find_grade(grade_id, self.notebook_id, self.assignment_id,
                                          self.student_id)
        grade.auto_score = float(recorded.get(grade_id, 0.0))
        grade.needs_manual_grade = grade.manual_score is not None
        self.gradebook.db.commit()
