"""Graded on submit, seen from the student's JupyterLab: the student submits problem set 1 from
nbgrader's assignment list, the grading service (``python -m course.serve``) grades it, the
list offers the feedback, the student fetches it and opens the page, which says which attempt
this was and the score.

JupyterLab runs in the student's home with the student's configuration (as `make lab`), and
the home's ``nbgrader_config.py`` names the course's exchange, as a JupyterHub admin would set
it. The student id is this account's user name, as nbgrader's submit takes it.
"""

from __future__ import annotations

import getpass

import pytest

from simulation.served_class import ServedClass

from .conftest import Steps
from .lab import LabServer
from .notebook_page import menu, open_in_lab

pytestmark = [pytest.mark.browser, pytest.mark.notebooks]

ASSIGNMENT = "ps1_forward"
STUDENT = getpass.getuser()
#: How long the service may take to grade and release the feedback on a shared machine.
GRADED_WITHIN_MS = 240_000


@pytest.fixture
def served(tmp_path, monkeypatch):
    """The course with its service running, and the student's answers in their home."""
    monkeypatch.setenv("BACKPROP_EXCHANGE", "")
    monkeypatch.delenv("BACKPROP_GRADEBOOK", raising=False)
    served = ServedClass.create(tmp_path / "run", [ASSIGNMENT])
    served.answer(STUDENT, ASSIGNMENT)
    service = served.start_service(workers=1)
    yield served
    served.stop_service(service)


@pytest.fixture
def lab(served, tmp_path):
    with LabServer(served.home(STUDENT), tmp_path / "lab", student=True,
                   env={"BACKPROP_EXCHANGE": str(served.exchange)}) as server:
        yield server


def test_a_student_submits_and_reads_the_feedback_of_the_service(page, lab, served):
    from playwright.sync_api import expect  # imported here: see the browser fixture

    step = Steps(page, "submit")
    fetched = page.locator("#fetched_assignments_list")
    submitted = page.locator("#submitted_assignments_list")
    with step("assignment-list"):
        open_in_lab(page, lab, "")
        menu(page, "Nbgrader", "Assignment List")
        expect(fetched.get_by_text(ASSIGNMENT)).to_be_visible()

    with step("submit"):
        fetched.get_by_role("button", name="Submit").click()
        expect(submitted.get_by_text(ASSIGNMENT).first).to_be_visible()

    with step("feedback-available"):
        available = submitted.get_by_text("(feedback available to fetch)")
        for _ in range(GRADED_WITHIN_MS // 5_000):
            if available.count():
                break
            page.locator("#refresh_assignments_list").click()
            page.wait_for_timeout(5_000)  # the lists load again after a refresh
        expect(available).to_be_visible()

    with step("fetch-feedback"):
        submitted.get_by_role("button", name="Fetch Feedback").click()
        expect(submitted.get_by_text("(view feedback)")).to_be_visible()

    with step("open-feedback"):
        submitted.get_by_text("(view feedback)").click()
        listing = page.locator(".jp-DirListing-content")
        listing.get_by_text("forward.html").dblclick()
        frame = page.frame_locator(".jp-HTMLViewer iframe, iframe").last
        expect(frame.locator("#attempt-note")).to_contain_text(
            "Attempt 1 of 3, graded on submit: 30 of 30 points.")
        assert served.score(STUDENT, ASSIGNMENT) == 30.0
