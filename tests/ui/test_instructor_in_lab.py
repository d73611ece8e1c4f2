"""An instructor after a grading run, in a real JupyterLab driven through headless Chromium.

A small class runs through the whole course cycle (release, submit, collect, autograde,
feedback, report); then the instructor opens nbgrader's formgrader from JupyterLab's menu, finds
the assignment with its notebook and points, reads every autograded submission's score, opens
one student's feedback and the class report. Each step leaves a screenshot.
"""

from __future__ import annotations

import re

import pytest
from nbgrader.api import Gradebook

from course.nbgrader_api import load_config
from simulation.semester import run_semester

from .conftest import Steps
from .lab import LabServer
from .notebook_page import menu, open_in_lab

pytestmark = [pytest.mark.browser, pytest.mark.notebooks]

ASSIGNMENT = "ps1_forward"
STUDENTS = 3


@pytest.fixture
def course(tmp_path):
    """A course folder after a whole cycle for a class of three: autograded, with feedback,
    grades and report."""
    workdir = tmp_path / "run"
    return run_semester(workdir, [ASSIGNMENT], STUDENTS, seed=5, workers=2, cell_timeout=10,
                     progress=None)


@pytest.fixture
def scores(course) -> dict[str, float]:
    """Each student's score on the assignment, as the gradebook has it."""
    config = load_config(course.course)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gradebook:
        return {s.student.id: s.score for s in gradebook.assignment_submissions(ASSIGNMENT)}


@pytest.fixture
def lab(course, tmp_path):
    """JupyterLab started in the course folder, where nbgrader finds nbgrader_config.py."""
    env = {"BACKPROP_EXCHANGE": str(course.exchange)}
    with LabServer(course.course, tmp_path, env=env) as server:
        yield server


def formgrader(page):
    """The formgrader page, which JupyterLab shows in a frame of its Formgrader tab."""
    return page.frame_locator("#formgrader iframe")


def test_an_instructor_after_grading(page, lab, course, scores):
    from playwright.sync_api import expect  # imported here: see the browser fixture

    step = Steps(page, "instructor")
    grader = formgrader(page)
    with step("formgrader"):
        open_in_lab(page, lab, "")
        menu(page, "Nbgrader", "Formgrader")
        row = grader.locator("tr", has_text=ASSIGNMENT)
        row.wait_for()
        cells = [text.strip() for text in row.locator("td").all_inner_texts()]
        assert cells[0] == ASSIGNMENT
        assert "released" in cells
        assert str(STUDENTS) in cells  # the number of submissions collected

    with step("notebooks"):
        grader.get_by_role("link", name="Manual Grading").click()
        grader.get_by_role("link", name=ASSIGNMENT, exact=True).click()
        row = grader.locator("tr", has_text="forward")
        row.wait_for()
        assert re.search(r"/\s*30(\.0+)?\b", row.inner_text()), row.inner_text()

    with step("submissions"):
        grader.get_by_role("link", name="forward", exact=True).click()
        rows = grader.locator("tbody tr", has_text=re.compile(r"/\s*30"))  # not "Loading..."
        expect(rows).to_have_count(STUDENTS)
        shown = sorted(float(re.search(r"([\d.]+)\s*/\s*30", text).group(1))
                       for text in rows.all_inner_texts())
        assert shown == sorted(scores.values())

    with step("feedback"):
        student = min(scores)
        open_in_lab(page, lab, f"feedback/{student}/{ASSIGNMENT}/forward.html")
        feedback = page.frame_locator(".jp-HTMLViewer iframe")
        feedback.get_by_text(re.compile(r"Score: [\d.]+ / 30")).first.wait_for()
        text = feedback.locator("body").inner_text()
        assert re.search(rf"Score: {scores[student]:g}(\.0+)? / 30", text), text[:500]
        assert "from grading import" not in text  # hidden tests stay hidden

    with step("class-report"):
        # One static page, read offline: the instructor opens the file in a browser with the
        # network blocked; nothing is asked of it, and every plot is embedded in the page.
        asked: list[str] = []

        def blocked(route):
            if route.request.url == course.report.as_uri():
                route.continue_()
            else:
                asked.append(route.request.url)
                route.abort()

        page.route("**/*", blocked)
        page.goto(course.report.as_uri())
        page.get_by_role("heading").first.wait_for()
        plots = page.locator("img")
        assert plots.count() >= 3
        for index in range(plots.count()):  # every plot was found and decoded
            assert plots.nth(index).evaluate("image => image.complete && image.naturalWidth > 0")
        references = page.evaluate(
            "() => [...document.querySelectorAll('[src], [href]')]"
            ".map(e => e.getAttribute('src') || e.getAttribute('href'))")
        assert all(r.startswith(("data:", "#")) for r in references), references
        assert asked == [], asked
        unexplained = page.get_by_role("heading", name="Failed with no catalogued mistake")
        expect(unexplained).to_be_visible()
        assert "catalogue" in page.locator("#unexplained + p").inner_text()
        page.unroute("**/*")
        text = page.locator("body").inner_text()
        assert ASSIGNMENT in text
        mean_percent = 100 * sum(scores.values()) / len(scores) / 30
        assert f"{mean_percent:.1f}" in text
