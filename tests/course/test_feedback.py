"""What a student reads in nbgrader's feedback: the failing check, the message and the named
mistake; never the hidden test code or the grader's internals."""

from __future__ import annotations

import shutil

import pytest
from nbgrader.api import Gradebook

from course.notebooks import fill, read, source_as, write
from grading.mistakes import for_exercise

from .nbgrader_cli import RELEASE, nbgrader, scratch_course

pytestmark = pytest.mark.notebooks


@pytest.fixture(scope="module")
def feedback_html(tmp_path_factory):
    """Feedback for a ps2 submission whose hidden_delta forgets the transpose and whose
    dense_gradients keeps db 2-D (right dW, wrong db: half of its 4 points)."""
    course = scratch_course(tmp_path_factory.mktemp("feedback"), ["ps2_backward"])
    assert nbgrader("generate_assignment", "ps2_backward", "--force", cwd=course).returncode == 0
    submitted = course / "submitted" / "ada" / "ps2_backward"
    shutil.copytree(RELEASE / "ps2_backward", submitted)
    mistake = next(m for m in for_exercise("backward.hidden_delta") if m.key == "missing_transpose")
    half_right = next(m for m in for_exercise("backward.dense_gradients") if m.key == "db_kept_2d")
    notebook = read(submitted / "backward.ipynb")
    fill(notebook, "hidden_delta", source_as(mistake.function, "hidden_delta"))
    fill(notebook, "dense_gradients", source_as(half_right.function, "dense_gradients"))
    write(notebook, submitted / "backward.ipynb")
    for step in ("autograde", "generate_feedback"):
        done = nbgrader(step, "ps2_backward", "--force", cwd=course)
        assert done.returncode == 0, done.stderr[-3000:]
    html = (course / "feedback" / "ada" / "ps2_backward" / "backward.html").read_text()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {grade.name: grade.score for grade in gradebook.find_submission_notebook(
            "backward", "ps2_backward", "ada").grades}
    return html, mistake, scores


def test_feedback_names_the_mistake_and_its_hint(feedback_html):
    html, mistake, _ = feedback_html
    assert f"Likely mistake: {mistake.name}." in html
    assert "Hint: W_next maps this layer" in html


def test_a_half_right_answer_earns_half_and_its_feedback_lists_the_parts(feedback_html):
    html, _, scores = feedback_html
    assert scores["dense_gradients_test"] == 2.0
    assert scores["hidden_delta_test"] == 0.0
    assert "backward.dense_gradients: 2 of 4 points" in html
    assert "✓ dW = A_prev.T @ delta (2 points)" in html
    assert "✗ db = delta summed over the batch (2 points): " in html
    assert "Likely mistake: dense_gradients returns db of shape (1, n_out)" in html


def test_feedback_hides_hidden_tests_and_grader_internals(feedback_html):
    html, _, _ = feedback_html
    for secret in ("BEGIN HIDDEN TESTS", "from grading", "grade(&quot;backward.", "grading/checks",
                   "grade_parts(", "SCORED_IN_PARTS.add", "reference.", "site-packages"):
        assert secret not in html, f"feedback reveals {secret!r}"
