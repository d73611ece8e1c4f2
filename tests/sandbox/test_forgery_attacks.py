"""Attacks on the grade and on the grader's word: one class of ps1_forward with two honest
students and attackers who patch NumPy, IPython or the graders, return an object equal to
everything, forge displays, the grader's text or scores, inject scripts for the instructor's
pages, or rewrite a test cell, graded through the real nbgrader autograde.

Every attacker also passes the checks of any attacked class (:class:`.AttackedClass`): no
points, no secret in any output or feedback, scores saved as the grader recorded them.
"""

from __future__ import annotations

import json

import pytest

from course.class_statistics import mistake_counts
from sandbox import METADATA_KEY

from ..course.nbgrader_cli import nbgrader
from .attacked_class import (
    ASSIGNMENT,
    EDITS_CELLS,
    AttackedClass,
    graded_notebook,
    incidents,
    outputs,
    score,
)

pytestmark = pytest.mark.notebooks

#: What must not survive from the script_injection attack: script bodies and handlers as markup.
LIVE_SCRIPT = ("<script>window.__pwned", "<img src=x onerror", "<a href='javascript:",
               "<iframe src='/api'", "<svg xmlns='http://www.w3.org/2000/svg'><script")


class TestForgeryAttacks(AttackedClass):
    HONEST = ("honest", "honest_noisy")
    ATTACKERS = ("numpy_patched", "graders_replaced", "ipython_patched", "equal_to_everything",
                 "displayhook", "harness_replaced", "display_forgery", "fake_grader_text",
                 "script_injection", EDITS_CELLS)

    def test_honest_students_get_full_marks_even_when_they_print_and_warn(self, graded):
        course, outcomes, _, _ = graded
        assert outcomes["honest"].status == outcomes["honest_noisy"].status == "graded"
        assert score(course, "honest") == score(course, "honest_noisy") == 30.0

    @pytest.mark.parametrize(("attack", "words"), [
        ("ipython_patched", "cut grading off from the kernel"),
        ("harness_replaced", "grading lost its connection"),
        ("displayhook", "displayed in a test cell was ignored"),
    ])
    def test_the_grading_record_names_what_happened(self, graded, attack, words):
        course, _, _, _ = graded
        recorded = incidents(course, attack)
        assert any(words in line for line in recorded), recorded

    def test_later_display_updates_change_no_score(self, graded):
        """Displays of one cell updated from later cells (display_forgery) show no forged
        score or verdict (the saved scores: :meth:`.AttackedClass.
        test_nbgrader_saves_exactly_the_scores_the_grader_recorded`)."""
        shown = outputs(graded_notebook(graded[0], "display_forgery"))
        assert '"1000"' not in shown and "Grader</b> passed" not in shown

    def test_only_the_grader_speaks_as_the_grader(self, graded):
        """Text a student's thread or hook prints into a test cell stays the student's text: the
        grader's verdict is a display the kernel cannot place there, and the report counts
        mistakes from the grader's record only."""
        course, _, _, _ = graded
        notebook = graded_notebook(course, "fake_grader_text")
        graders = [o for cell in notebook["cells"] for o in cell.get("outputs", [])
                   if o.get("metadata", {}).get(METADATA_KEY) == "grader"]
        assert graders and not any("forged" in json.dumps(o) for o in graders)
        assert "forged by a thread" in outputs(notebook)  # shown, as the student's own text
        assert not [m for m in mistake_counts(course / "autograded", ASSIGNMENT) if "forged" in m]
        forged = graded_notebook(course, "display_forgery")
        graders = [o for cell in forged["cells"] for o in cell.get("outputs", [])
                   if o.get("metadata", {}).get(METADATA_KEY) == "grader"]
        verdicts = ["".join(o["data"]["text/plain"]) for o in graders]
        assert verdicts and all(v.startswith("Grader: ") and "✗" in v for v in verdicts), verdicts

    def test_no_student_script_reaches_the_instructor(self, graded):
        """Student HTML, SVG, JavaScript and markdown are sanitized before the autograded
        notebook is stored, and the feedback page carries none of them as live markup."""
        course, _, _, _ = graded
        stored = outputs(graded_notebook(course, "script_injection"))
        for live in LIVE_SCRIPT:
            assert live not in stored, live
        assert "application/javascript" not in stored and "image/svg+xml" not in stored
        assert "window.__pwned" in stored  # shown as text: the student sees what was removed
        done = nbgrader("generate_feedback", ASSIGNMENT, "--force", "--student",
                        "script_injection", cwd=course)
        assert done.returncode == 0, done.stderr[-2000:]
        page = (course / "feedback" / "script_injection" / ASSIGNMENT / "forward.html"
                ).read_text()
        for live in LIVE_SCRIPT:
            assert live not in page, live
