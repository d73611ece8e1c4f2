"""``EnforceRules``: an exercise that breaks a rule its notebook announces scores 0.

The rules are declared in :mod:`grading.rules` (``tanh`` written without ``np.tanh``) and read
from the submitted notebook's source, here, in the grader: nothing the student's kernel reports
counts. This preprocessor runs in ``Autograde.autograde_preprocessors`` after
:class:`sandbox.execute.SealedExecute` has recorded each test cell's score in ``resources``, and
before :class:`sandbox.scores.SaveRecordedGrades` saves those scores: for each test cell whose
exercise breaks its rule it sets the score to 0, adds the rule's one-line message to the cell as
a grader's output (shown in the feedback), and notes it in the grading record of the notebook's
metadata (``rule``, beside ``points``).
"""

from __future__ import annotations

from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from grading.rules import broken_rules
from sandbox import METADATA_KEY, SCORES_KEY
from sandbox.execute import _grader_output


class EnforceRules(NbGraderPreprocessor):
    """Score 0, with the rule's message, each test cell whose exercise breaks its rule."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]
                   ) -> tuple[NotebookNode, dict[str, Any]]:
        broken = broken_rules(nb)
        if not broken:
            return nb, resources
        scores = resources.setdefault(SCORES_KEY, {})
        record = nb.metadata.get(METADATA_KEY, {}).get("cells", {})
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id not in broken:
                continue
            message = broken[grade_id]
            self.log.info("%s: %s (0 points)", grade_id, message)
            scores[grade_id] = 0.0
            if grade_id in record:
                record[grade_id]["points"] = 0.0
                record[grade_id]["rule"] = message
            cell.outputs.append(_grader_output(f"✗ {message}: 0 points.", False))
        return nb, resources
