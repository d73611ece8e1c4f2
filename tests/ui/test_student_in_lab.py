"""A student's first session, in a real JupyterLab driven through headless Chromium.

JupyterLab runs with the student's configuration, as `make lab` starts it: on first open no news
pop-up covers the notebook, nbgrader's instructor tools (Formgrader, Create Assignment) are
nowhere in the menus, the command palette or the side bars, and the notebook's tab is not marked
unsaved. The student opens problem set 1 as released, runs every cell and is told kindly what
is not implemented yet; writes one exercise in the editor and sees its visible check pass; presses
nbgrader's Validate button and reads what still fails; then answers a quiz question. The steps
run in order on one page, as a person does them, and each leaves a screenshot.
"""

from __future__ import annotations

import shutil

import pytest

from .conftest import ROOT, Steps
from .lab import LabServer
from .notebook_page import (
    CURRENT_TAB,
    code_cell,
    menu,
    open_in_lab,
    output_text,
    run_cell_and_next,
    run_until_counted,
    type_into,
    wait_for_output,
)

pytestmark = pytest.mark.browser

NOT_YET = ("✗ sigmoid: not implemented yet. Write it in the cell above, run that cell, then run "
           "this one again.")
PASSES = "✓ sigmoid: the visible checks pass. When you submit, hidden tests try more cases."
SIGMOID = (
    "def sigmoid(z):\n"
    "    e = np.exp(-np.abs(z))\n"
    "    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))\n"
)


@pytest.fixture
def lab(tmp_path):
    """JupyterLab in a student's folder holding the released problem set 1 and quiz."""
    work = tmp_path / "course"
    for assignment in ("ps1_forward", "quiz"):
        shutil.copytree(ROOT / "release" / assignment, work / assignment)
    with LabServer(work, tmp_path, student=True) as server:
        yield server


def _palette(page, query: str) -> list[str]:
    """The commands JupyterLab's command palette offers for ``query``."""
    page.keyboard.press("Control+Shift+c")
    search = page.locator("#command-palette input")
    search.wait_for()
    search.fill(query)
    page.wait_for_timeout(300)
    found = page.locator("#command-palette .lm-CommandPalette-itemLabel").all_inner_texts()
    page.keyboard.press("Escape")
    return found


def test_a_students_first_session(page, lab):
    step = Steps(page, "student")
    with step("first-open"):
        open_in_lab(page, lab, "ps1_forward/forward.ipynb")
        page.wait_for_timeout(3000)  # JupyterLab asks about news a moment after it starts
        assert page.locator(".Toastify__toast").all_inner_texts() == []
        assert "jp-mod-dirty" not in page.locator(CURRENT_TAB).get_attribute("class")
        menu(page, "Nbgrader")
        shown = [label for label in page.locator(".lm-Menu-content .lm-Menu-item:visible")
                 .all_inner_texts() if label.strip()]
        page.keyboard.press("Escape")
        assert any("Assignment List" in label for label in shown), shown
        for tool in ("Formgrader", "Create assignment", "Create Assignment"):
            assert not any(tool in label for label in shown), shown
            offered = _palette(page, tool)
            assert not any(tool.lower() in label.lower() for label in offered), offered
        sidebars = page.locator(".jp-SideBar .lm-TabBar-tab").evaluate_all(
            "tabs => tabs.map(tab => tab.title)")
        assert not any("Create Assignment" in title for title in sidebars), sidebars
        assert page.request.get(lab.url("formgrader")).status == 404
        page.get_by_role("button", name="Validate").wait_for()  # the student's tools stay

    with step("run-all"):
        menu(page, "Run", "Run All Cells")
        check = code_cell(page, 'with visible_checks("sigmoid")')
        wait_for_output(check, "not implemented yet")
        shown = output_text(check).strip()
        assert shown == NOT_YET  # one friendly line, no traceback
        # Running stops at the first check that does not pass: later checks have not run.
        assert output_text(code_cell(page, 'with visible_checks("relu")')).strip() == ""

    with step("exercise-passes"):
        solution = code_cell(page, "def sigmoid(z):")
        type_into(page, solution, SIGMOID)
        run_cell_and_next(page, solution)
        wait_for_output(check, "✓ sigmoid")
        assert output_text(check).strip() == PASSES

    with step("validate"):
        page.get_by_role("button", name="Validate").click()
        dialog = page.locator(".jp-Dialog")
        dialog.get_by_text("Validation Results").wait_for(timeout=180_000)
        report = dialog.inner_text()
        assert "✗ relu: not implemented yet" in report
        assert "✗ softmax: not implemented yet" in report
        assert 'visible_checks("sigmoid")' not in report  # the exercise written above passes
    dialog.get_by_role("button", name="Ok").click()
    dialog.wait_for(state="detached")
    # Validate saved the notebook first: the answer is on disk, as it will be submitted.
    assert "np.where(z >= 0" in (lab.root / "ps1_forward" / "forward.ipynb").read_text()

    with step("quiz-format"):
        open_in_lab(page, lab, "quiz/quiz.ipynb")
        # The setup cell, found by its first line (CodeMirror draws only the lines in sight).
        run_until_counted(page, code_cell(page, "import contextlib"))
        # The answer cell (the last cell naming it: the setup cell's help may name it too).
        answer = code_cell(page, "answer_q01 = ").last
        type_into(page, answer, 'answer_q01 = "E"')
        run_cell_and_next(page, answer)
        check = code_cell(page, 'with visible_checks("q01")')
        wait_for_output(check, "q01")
        wrong = output_text(check)
        assert wrong.startswith("✗ q01") and "Traceback" not in wrong, wrong

    with step("quiz-answered"):
        type_into(page, answer, 'answer_q01 = "c"')
        run_cell_and_next(page, answer)
        wait_for_output(check, "Read as 'C'")
        assert "the format is right" in output_text(check)
