"""Student outputs never run in an instructor's page (``sandbox/sanitize.py``).

Rendered by nbconvert's HTML template (the one under both nbgrader's feedback and Formgrader
pages), the raw hostile notebook (:func:`.hostile_html.hostile_notebook`) shows each payload as
live markup; sanitized, none survives, while plots, text, LaTeX and ordinary formatting are as
they were. Then a class graded through the real pipeline: the honest student keeps 30 points, and
neither the attacker's autograded notebook nor their feedback page carries a script. (Cells'
sources, the instructor's and the student's: ``test_sanitize_cells.py``.)
"""

from __future__ import annotations

import copy
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.api import Gradebook

from ..course.nbgrader_cli import RELEASE
from .hostile_html import (
    ADDED_CELL,
    ATTACK,
    HONEST_TABLE,
    HTML_PAYLOADS,
    LIVE_WHEN_RAW,
    PNG,
    display,
    hostile_notebook,
    live_markup,
    markers,
    page,
    sanitized,
    student_markup,
)


def test_unsanitized_the_page_runs_the_payloads():
    """The control: rendered raw, one output or cell at a time (payload 12 swallows the rest of
    a page), the payloads are live markup that the checker finds."""
    notebook, found = hostile_notebook(), set()
    for cell in notebook.cells:
        for output in cell.get("outputs") or [None]:
            alone = copy.deepcopy(cell)
            if output is not None:
                alone.outputs = [output]
            found |= markers(student_markup(new_notebook(cells=[alone],
                                                         metadata=notebook.metadata)))
    assert found >= LIVE_WHEN_RAW, LIVE_WHEN_RAW - found


def test_sanitized_no_student_markup_is_live():
    notebook = sanitized(hostile_notebook())
    assert student_markup(notebook) == set()
    kinds = {kind for cell in notebook.cells for output in cell.get("outputs", [])
             for kind in output.get("data", {})}
    assert kinds <= {"text/plain", "text/html", "text/markdown", "text/latex", "image/png"}
    assert "widgets" not in notebook.metadata


def test_sanitizing_again_changes_nothing():
    """Feedback sanitizes the autograded notebook a second time: it must be a fixed point."""
    once = sanitized(hostile_notebook())
    assert sanitized(once) == once


def test_an_execution_count_that_is_not_a_number_is_dropped():
    """nbconvert writes the count into the page unescaped (it refuses to render a notebook
    with a text count, but a page made another way would not)."""
    notebook = new_notebook(cells=[new_code_cell("1")])
    notebook.cells[0].execution_count = "<img onerror=x>"  # as a forged kernel reply sets it
    notebook.cells[0].outputs = [new_output("execute_result", data={"text/plain": "1"})]
    notebook.cells[0].outputs[0].execution_count = "<b>"
    cell = sanitized(notebook).cells[0]
    assert cell.execution_count is None and cell.outputs[0].execution_count is None


def test_the_graders_verdict_passes_as_it_is():
    """The grader's box in a test cell (its mark, its coloured border) is not the student's."""
    from sandbox.execute import _grader_output

    box = _grader_output("sigmoid: 2 of 3 points\n  <script>x</script> returned", False)
    cell = new_code_cell("grade()")
    cell.outputs = [copy.deepcopy(box)]
    assert sanitized(new_notebook(cells=[cell])).cells[0].outputs == [box]


def test_a_style_keeps_only_colours_spacing_and_a_border():
    cell = new_code_cell("x")
    cell.outputs = [display({"text/html": "<div style='color: red; position: fixed; inset: 0; "
                             "background-image: url(/api/pwned)'>x</div>"})]
    html = sanitized(new_notebook(cells=[cell])).cells[0].outputs[0].data["text/html"]
    assert html == '<div style="color: red;">x</div>'


def test_removed_markup_shows_as_text():
    """The instructor sees what the student tried, as text."""
    text = page(sanitized(hostile_notebook()))
    assert "&lt;script&gt;window.__pwned=1; document.title=" in text
    assert "the grader removed this output of type application/javascript" in text


def test_plots_text_latex_and_tables_are_kept():
    before = hostile_notebook().cells[1].outputs
    after = sanitized(hostile_notebook()).cells[1].outputs
    for old, new in zip(before[-4:], after[-4:], strict=True):
        if "text/html" not in old.get("data", {}):
            assert new == old
    table = after[-2].data["text/html"]  # re-serialized by bleach, still the same table
    assert table == HONEST_TABLE.replace("<table>", "<table><tbody>").replace(
        "</table>", "</tbody></table>")
    (plot,) = [o for o in after if o.get("data", {}).get("text/plain", "").startswith("<Fig")]
    assert plot.data["image/png"] == PNG
    assert plot.metadata == {"image/png": {"width": 300, "height": 200}}
    injected = after[len(HTML_PAYLOADS) + 3]
    assert injected.data["image/png"] == PNG and injected.metadata == {}  # the image, unsized


# -- the pipeline ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from course.parallel_autograde import autograde_class
    from simulation.exercises import read_assignment
    from simulation.notebooks import fill, read, write

    from ..course.nbgrader_cli import SOURCE, nbgrader, released_course

    course = released_course(tmp_path_factory.mktemp("sanitize"), ["ps1_forward"])
    (plan,) = read_assignment(SOURCE, "ps1_forward")
    for student in ("honest", "attacker"):
        notebook = read(str(RELEASE / "ps1_forward" / plan.notebook))
        for target, solution in plan.solutions.items():
            fill(notebook, target, solution + "\nimport matplotlib.pyplot as plt\n"
                 "plt.plot([0, 1], [1, 0]); plt.show()\n" if target == "relu" else solution)
        if student == "attacker":
            fill(notebook, "sigmoid", ATTACK)
            notebook.cells.append(new_markdown_cell(ADDED_CELL))
        folder = course / "submitted" / student / "ps1_forward"
        folder.mkdir(parents=True)
        write(notebook, str(folder / plan.notebook))
    outcomes = {o.student: o for o in autograde_class(course, "ps1_forward", workers=2,
                                                      progress=None)}
    assert {o.status for o in outcomes.values()} == {"graded"}, outcomes
    done = nbgrader("generate_feedback", "ps1_forward", "--force", cwd=course)
    assert done.returncode == 0, done.stderr[-2000:]
    return course


def _autograded(course, student):
    return nbformat.read(course / "autograded" / student / "ps1_forward" / "forward.ipynb", 4)


def _feedback(course, student):
    return (course / "feedback" / student / "ps1_forward" / "forward.html").read_text()


@pytest.mark.notebooks
def test_scores_are_unchanged(graded):
    with Gradebook(f"sqlite:///{graded / 'gradebook.db'}") as gradebook:
        assert gradebook.find_submission("ps1_forward", "honest").score == 30.0
        assert gradebook.find_submission("ps1_forward", "attacker").score < 30.0


@pytest.mark.notebooks
def test_the_attackers_notebook_and_feedback_carry_no_script(graded):
    notebook = _autograded(graded, "attacker")
    shown = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    assert any("__pwned=1" in json.dumps(o) for o in shown)  # the attack ran, and shows as text
    assert student_markup(notebook) == set()
    feedback_page = _feedback(graded, "attacker")
    assert "__pwned" in feedback_page
    assert live_markup(feedback_page) - live_markup(_feedback(graded, "honest")) == set()
    assert markers(live_markup(feedback_page)) == set()


@pytest.mark.notebooks
def test_the_test_cells_and_the_plot_cell_outputs_were_sanitized(graded):
    """The student's code ran inside locked cells too (the visible checks call sigmoid, the
    instructor's plot cell draws it): their outputs are the student's, and are clean."""
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c
             for c in _autograded(graded, "attacker").cells}
    assert "window.__pwned = 40" in json.dumps(cells["sigmoid_test"].outputs)
    assert "__pwned" in json.dumps(cells["plot_activations"].outputs)
    for name in ("sigmoid_test", "plot_activations"):
        assert student_markup(new_notebook(cells=[cells[name]])) == set()


@pytest.mark.notebooks
def test_the_honest_plot_survives(graded):
    notebook = _autograded(graded, "honest")
    plots = [o for c in notebook.cells for o in c.get("outputs", [])
             if "image/png" in o.get("data", {})]
    assert plots
    assert 'src="data:image/png;base64,' in _feedback(graded, "honest")
    honest_markdown = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    released = nbformat.read(graded / "release" / "ps1_forward" / "forward.ipynb", 4)
    assert honest_markdown == [c.source for c in released.cells if c.cell_type == "markdown"]
