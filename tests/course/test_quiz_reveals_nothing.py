"""The released quiz reveals no answer, and its format check reads answers as the grader does."""

from __future__ import annotations

import inspect
import json

from grading.checks import quiz

from .nbgrader_cli import RELEASE, SOURCE

RELEASED = json.loads((RELEASE / "quiz" / "quiz.ipynb").read_text())
SOURCED = json.loads((SOURCE / "quiz" / "quiz.ipynb").read_text())


def cell_source(notebook: dict, grade_id: str) -> str:
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            return "".join(cell["source"])
    raise KeyError(grade_id)


def test_every_question_has_a_key_entry():
    answer_cells = [
        c for c in SOURCED["cells"]
        if c["metadata"].get("nbgrader", {}).get("solution") and c["cell_type"] == "code"
    ]
    assert len(answer_cells) == len(quiz.KEY) >= 18


def test_released_answer_cells_hold_only_the_blank_answer():
    for question in quiz.KEY:
        source = cell_source(RELEASED, f"answer_{question}")
        lines = [line for line in source.splitlines() if line.strip()]
        assert lines[0].startswith(f"answer_{question} = None"), source
        assert lines[1:] == ["# YOUR CODE HERE", "raise NotImplementedError()"], source


def test_released_quiz_has_no_hidden_tests_outputs_or_grader_imports():
    text = json.dumps(RELEASED)
    for leak in ("BEGIN HIDDEN TESTS", "BEGIN SOLUTION", "from grading", "KEY"):
        assert leak not in text
    for cell in RELEASED["cells"]:
        assert set(cell["metadata"]) <= {"nbgrader", "deletable", "editable", "tags"}


def test_setup_cell_reads_answers_exactly_like_the_grader():
    assert inspect.getsource(quiz.read_answer).strip() in cell_source(SOURCED, "setup")
