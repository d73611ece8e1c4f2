"""A select-all answer with one wrong letter, autograded by the real pipeline (nbgrader, the
sandbox, the grader): the gradebook holds the share the quiz's introduction states, and the
student's feedback says how it was reached."""

from __future__ import annotations

import pytest
from nbgrader.api import Gradebook

from grading.checks.quiz import KEY
from sandbox import METADATA_KEY
from simulation.notebooks import read

pytestmark = pytest.mark.notebooks

KEY_Q03 = str(KEY["q03"].answer)
WRONG = next(c for c in KEY["q03"].options if c not in KEY_Q03)
#: Two of the three right letters and one wrong one: (2 - 1) / 3 of 2 points. Q22 answered with
#: problem set 2's threshold (1e-6); every other answer is the instructor's.
ANSWERS = {
    "answer_q03": f"answer_q03 = {KEY_Q03[:2] + WRONG!r}\n",
    "answer_q22": "answer_q22 = 1e-6\n",
}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from .nbgrader_cli import autograde_solutions

    return autograde_solutions(tmp_path_factory.mktemp("quiz"),
                               {"partial": ("quiz", ANSWERS)})


def test_the_gradebook_receives_the_partial_score(course):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        assert gradebook.find_grade("check_q03", "quiz", "quiz", "partial").score == 0.67
        assert gradebook.find_grade("check_q22", "quiz", "quiz", "partial").score == 2.0
        total = gradebook.find_submission("quiz", "partial").score
    assert total == pytest.approx(40 - 2 + 0.67)


def test_the_grader_says_how_the_partial_score_was_reached(course):
    notebook = read(str(course / "autograded" / "partial" / "quiz" / "quiz.ipynb"))
    assert notebook.metadata[METADATA_KEY]["cells"]["check_q03"]["points"] == 0.67
    (cell,) = [c for c in notebook.cells
               if c.metadata.get("nbgrader", {}).get("grade_id") == "check_q03"]
    said = "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "")
                   for o in cell.outputs)
    assert "quiz.q03: 0.67 of 2 points" in said
    assert "has 2 right letters and 1 wrong" in said
    assert "✓ Read as" in said  # the visible format check ran too
