"""No student script runs in the instructor's browser.

A class of two is graded through the real pipeline: an honest student who draws a plot, and an
attacker whose notebook displays script every way a notebook can (HTML with ``<script>``,
handlers, ``javascript:`` links, frames, a page-hiding style; SVG, JavaScript and markdown
outputs; an image whose display metadata nbconvert writes into the tag; a markdown cell of their
own), in a solution cell and in the outputs of the instructor's test and plot cells that call
the attacker's function. Their feedback pages (opened as files, as an instructor opens them: the
Jupyter server's ``/files/`` would sandbox them) and the Formgrader's view of each submission
(on the course's own Jupyter server, the instructor's origin) are opened in Chromium. A payload
would set ``window.__pwned`` or the page title, open a dialog, or send a request to the server
(``/api/pwned/...``): none may happen, and the honest plot must show. The controls: the same
payloads on a feedback-style page made from an unsanitized notebook, and in an autograded
notebook written without the sanitizer (as one graded before it existed) viewed in the
Formgrader, do all of that, so the checks can see a script that runs.
"""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell
from nbgrader.api import Gradebook

from course.parallel_autograde import autograde_class
from simulation.exercises import read_assignment
from simulation.notebooks import fill, read, write

from ..course.nbgrader_cli import RELEASE, SOURCE, nbgrader, released_course
from ..sandbox.hostile_html import ADDED_CELL, ATTACK, hostile_notebook
from ..sandbox.hostile_html import page as unsanitized_page
from .conftest import Steps
from .lab import LabServer

pytestmark = [pytest.mark.browser, pytest.mark.notebooks]

ASSIGNMENT = "ps1_forward"
ATTACKER = "script_injection"
HONEST = "honest"
PLOT = "\nimport matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.show()\n"
#: The images on a page that are decoded PNG plots (matplotlib's, shown as data URIs).
PLOTS = """() => [...document.images].filter(image => image.src.startsWith("data:image/png")
                                                 && image.complete && image.naturalWidth > 0)
                                   .length"""


@pytest.fixture
def course(tmp_path):
    """The class, graded and with feedback; beside it, the control page."""
    course = released_course(tmp_path, [ASSIGNMENT])
    (plan,) = read_assignment(SOURCE, ASSIGNMENT)
    for student in (HONEST, ATTACKER):
        notebook = read(str(RELEASE / ASSIGNMENT / plan.notebook))
        for target, solution in plan.solutions.items():
            fill(notebook, target, solution + (PLOT if target == "relu" else ""))
        if student == ATTACKER:
            fill(notebook, "sigmoid", ATTACK)
            notebook.cells.append(new_markdown_cell(ADDED_CELL))  # a cell the student added
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        write(notebook, str(folder / plan.notebook))
    outcomes = autograde_class(course, ASSIGNMENT, workers=2, progress=None)
    assert [o.status for o in outcomes] == ["graded", "graded"], outcomes
    done = nbgrader("generate_feedback", ASSIGNMENT, "--force", cwd=course)
    assert done.returncode == 0, done.stderr[-2000:]
    (course.parent / "control.html").write_text(unsanitized_page(hostile_notebook()))
    return course


def _graded_before_the_sanitizer(course, student: str) -> None:
    """Put three raw payloads (a script, an image handler with a dialog, an image whose width
    carries a handler) into ``student``'s autograded notebook, as if graded without the
    sanitizer."""
    path = course / "autograded" / student / ASSIGNMENT / "forward.ipynb"
    notebook = nbformat.read(path, as_version=4)
    raw = hostile_notebook().cells[1].outputs
    payloads = [*raw[:2], *(o for o in raw if "__pwned=23" in str(o.get("metadata")))]
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "sigmoid_solution":
            cell.outputs = payloads
    nbformat.write(notebook, path)


class Watch:
    """What the student's scripts could do that a test can see: dialogs and requests."""

    def __init__(self, page) -> None:
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message),
                                          dialog.dismiss()))
        page.on("request", lambda request: self.requests.append(request.url)
                if "pwned" in request.url else None)

    def clear(self) -> None:
        self.dialogs.clear()
        self.requests.clear()


def _pwned(page) -> list[object]:
    """``window.__pwned`` in the page and each of its frames (None where it is unset)."""
    return [frame.evaluate("() => window.__pwned === undefined ? null : window.__pwned")
            for frame in page.frames]


def _assert_inert(page, watch: Watch) -> None:
    page.wait_for_timeout(1500)  # time for image handlers and requests to fire
    assert _pwned(page) == [None] * len(page.frames)
    assert page.title() != "pwned"
    assert watch.dialogs == [] and watch.requests == []


def _submission(course, student: str) -> str:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return gradebook.find_submission_notebook("forward", ASSIGNMENT, student).id


def test_no_student_script_runs_in_feedback_or_formgrader(page, course, tmp_path):
    watch = Watch(page)
    step = Steps(page, "student-html")
    with LabServer(course, tmp_path / "lab") as lab:
        with step("control-an-unsanitized-page-runs-the-payloads"):
            page.goto((course.parent / "control.html").as_uri())
            page.wait_for_function("() => window.__pwned !== undefined")
            page.wait_for_timeout(1500)
            assert watch.dialogs and any("/api/pwned/" in url for url in watch.requests)
            watch.clear()

        for student in (ATTACKER, HONEST):
            with step(f"feedback-{student}"):
                feedback = course / "feedback" / student / ASSIGNMENT / "forward.html"
                page.goto(feedback.as_uri())
                page.get_by_text("Grader").first.wait_for()
                _assert_inert(page, watch)
                assert page.evaluate(PLOTS) >= 1  # matplotlib's plots show
                if student == ATTACKER:  # the attempt shows, as text
                    assert "window.__pwned" in page.locator("body").inner_text()
                    page.get_by_text("window.__pwned").first.scroll_into_view_if_needed()

            with step(f"formgrader-{student}"):
                response = page.goto(lab.url(
                    f"formgrader/submissions/{_submission(course, student)}"))
                assert response.status == 200
                page.get_by_text("sigmoid").first.wait_for()
                _assert_inert(page, watch)
                assert page.evaluate(PLOTS) >= 1
                if student == ATTACKER:
                    page.get_by_text("window.__pwned").first.scroll_into_view_if_needed()

        with step("control-the-formgrader-runs-an-unsanitized-notebook"):
            _graded_before_the_sanitizer(course, HONEST)
            page.goto(lab.url(f"formgrader/submissions/{_submission(course, HONEST)}"))
            page.wait_for_function("() => window.__pwned !== undefined")
            page.wait_for_timeout(1500)
            # Same origin as the instructor's server: a request there carries their session.
            assert watch.dialogs and any(url.startswith(lab.url("api/pwned/").split("?")[0])
                                         for url in watch.requests)
