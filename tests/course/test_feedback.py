"""What a student reads in nbgrader's feedback: the failing check, the message and the named
mistake; never the hidden test code or the grader's internals."""

from __future__ import annotations

import shutil

import pytest

from course.notebooks import fill, read, source_as, write
from grading.mistakes import for_exercise

from .nbgrader_cli import RELEASE, nbgrader, scratch_course

pytestmark = pytest.mark.notebooks


@pytest.fixture(scope="module")
def feedback_html(tmp_path_factory):
    """Feedback for a ps2 submission whose hidden_delta forgets the transpose."""
    course = scratch_course(tmp_path_factory.mktemp("feedback"), ["ps2_backward"])
    assert nbgrader("generate_assignment", "ps2_backward", "--force", cwd=course).returncode == 0
    submitted = course / "submitted" / "ada" / "ps2_backward"
    shutil.copytree(RELEASE / "ps2_backward", submitted)
    mistake = next(m for m in for_exercise("backward.hidden_delta") if m.key == "missing_transpose")
    notebook = read(submitted / "backward.ipynb")
    fill(notebook, "hidden_delta", source_as(mistake.function, "hidden_delta"))
    write(notebook, submitted / "backward.ipynb")
    for step in ("autograde", "generate_feedback"):
        done = nbgrader(step, "ps2_backward", "--force", cwd=course)
        assert done.returncode == 0, done.stderr[-3000:]
    html = (course / "feedback" / "ada" / "ps2_backward" / "backward.html").read_text()
    return html, mistake


def test_feedback_names_the_mistake_and_its_hint(feedback_html):
    html, mistake = feedback_html
    assert f"Likely mistake: {mistake.name}." in html
    assert "Hint: W_next maps this layer" in html


def test_feedback_hides_hidden_tests_and_grader_internals(feedback_html):
    html, _ = feedback_html
    for secret in ("BEGIN HIDDEN TESTS", "from grading", "grade(&quot;backward.", "grading/checks",
                   "reference.", "site-packages"):
        assert secret not in html, f"feedback reveals {secret!r}"
