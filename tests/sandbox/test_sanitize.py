"""Student HTML never runs in an instructor's page (``sandbox/sanitize.py``).

A notebook carries one payload of every kind a student could leave (HTML outputs with script,
handlers, ``javascript:`` links, frames, a page-hiding style; SVG, JavaScript and widget
outputs; markdown outputs and cells with raw HTML or script links; display metadata and an
execution count that nbconvert writes into a tag), each marked ``__pwned=<n>``. Rendered by
nbconvert's HTML template (the one under both nbgrader's feedback and Formgrader pages), the
raw notebook shows each payload as live markup; sanitized, none survives, while plots, text,
LaTeX, ordinary formatting and the instructor's cells are as they were. Then a class graded
through the real pipeline: the honest student keeps 30 points, and neither the attacker's
autograded notebook nor their feedback page carries a script.
"""

from __future__ import annotations

import copy
import json
import re

import nbformat
import pytest
from bleach import html5lib_shim
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell
from nbgrader.api import Gradebook
from nbgrader.utils import compute_checksum

from sandbox.sanitize import SanitizeStudentHTML, instructor_cell

from ..course.nbgrader_cli import RELEASE

#: A 1x1 PNG, standing for a matplotlib plot.
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5Er"
       "kJggg==")

#: Payloads of text/html outputs, by marker number.
HTML_PAYLOADS = {
    1: "<script>window.__pwned=1; document.title='pwned'; fetch('/api/pwned/1')</script>",
    2: "<img src=x onerror=\"window.__pwned=2; alert('pwned'); fetch('/api/pwned/2')\">",
    3: "<a href='javascript:window.__pwned=3'>click</a>",
    4: "<iframe srcdoc='<script>parent.__pwned=4</script>'></iframe>",
    5: "<style>body {display: none} /* __pwned=5 */</style>",
    6: "<svg><script>window.__pwned=6</script></svg>",
    7: "<a href='&#106;ava&#x09;script:window.__pwned=7'>encoded</a>",
    8: "<form action='javascript:window.__pwned=8'><button>go</button></form>",
    9: "<details open ontoggle='window.__pwned=9'>hint</details>",
    10: "<object data='javascript:window.__pwned=10'></object>",
    11: "<div style='position:fixed;inset:0;background:white' onmouseover='window.__pwned=11'>"
        "cover</div>",
    12: "<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=12>",
    13: "<base href='javascript:window.__pwned=13//'>",
    14: "<meta http-equiv='refresh' content='0;url=javascript:window.__pwned=14'>",
    15: "<noscript><p title='</noscript><img src=x onerror=window.__pwned=15>'></noscript>",
}
#: Payloads that nbconvert's page shows as live markup when the notebook is not sanitized (a
#: control: the checker sees them). The others are inert there already (12 and 15 are emptied
#: by nbconvert's own parse, SVG goes into an <img>, the widget state is not rendered by the
#: classic template), but would not be elsewhere, so they are removed all the same.
LIVE_WHEN_RAW = {*(set(HTML_PAYLOADS) - {12, 15}), 21, 22, 23, 30, 31, 32, 34, 35}

HONEST_MARKDOWN = ("My answer: **bold**, *italic*, `a < b` in code, $a^2 < b$ and\n\n"
                   "$$\\sigma(z) = \\frac{1}{1 + e^{-z}}$$\n\n- one\n- two\n\n"
                   "> a quote, [NumPy's docs](https://numpy.org/doc/) & more\n\n"
                   "| a | b |\n|---|---|\n| 1 | 2 |\n")
INSTRUCTOR_MARKDOWN = ("## Read me\n\n<details><summary>Hint</summary>Use `np.where`.</details>\n"
                       "<img src='figure.png' width=200>\n")
HONEST_TABLE = "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>"


def _nbgrader(cell, **flags):
    cell.metadata["nbgrader"] = {"grade": False, "solution": False, "locked": False,
                                 "schema_version": 3, **flags}
    return cell


def _instructor(cell, grade_id):
    """A locked cell as nbgrader leaves it after restoring it: its checksum matches."""
    _nbgrader(cell, locked=True, grade_id=grade_id)
    cell.metadata.nbgrader["checksum"] = compute_checksum(cell)
    return cell


def display(data, metadata=None):
    return new_output("display_data", data=data, metadata=metadata or {})


def hostile_notebook():
    """One cell or output per payload, beside the honest content that must be kept."""
    solution = _nbgrader(new_code_cell("def sigmoid(z): ...", execution_count=3),
                         solution=True, grade_id="sigmoid_solution")
    solution.outputs = [
        *(display({"text/html": html, "text/plain": "<HTML>"}) for html in
          HTML_PAYLOADS.values()),
        display({"image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg' "
                 "onload='window.__pwned=20'><script>window.__pwned=20</script></svg>",
                 "text/plain": "<SVG>"}),
        display({"application/javascript": "window.__pwned=21"}),
        display({"text/markdown": "<img src=x onerror='window.__pwned=22'> and "
                 "[x](javascript:window.__pwned=22)", "text/plain": "<Markdown>"}),
        display({"image/png": PNG, "text/plain": "<Image>"},
                {"image/png": {"width": "64 onload=window.__pwned=23;fetch('/api/pwned/23')"}}),
        display({"application/vnd.jupyter.widget-view+json": {
            "model_id": "m1", "version_major": 2, "version_minor": 0}, "text/plain": "W"}),
        # The honest part: a plot, text, LaTeX, a table, printed text with markup characters.
        display({"image/png": PNG, "text/plain": "<Figure size 640x480 with 1 Axes>"},
                {"image/png": {"width": 300, "height": 200}}),
        new_output("execute_result", data={"text/plain": "0.5", "text/latex": "$\\sigma(0)$"},
                   execution_count=3),
        display({"text/html": HONEST_TABLE, "text/plain": "table"}),
        new_output("stream", name="stdout", text="a < b & <script>not markup</script>\n"),
    ]
    test = _instructor(new_code_cell("with visible_checks('sigmoid'):\n    sigmoid(0)",
                                     execution_count=4), "sigmoid_test")
    test.metadata.nbgrader.update(grade=True, points=3)
    test.metadata.nbgrader["checksum"] = compute_checksum(test)
    test.outputs = [new_output("stream", name="stdout", text="✓ sigmoid\n")]
    plot = _instructor(new_code_cell("plot_activations()"), "plot_activations")
    plot.outputs = [display({"text/html": "<script>window.__pwned=34</script>"}),
                    new_output("execute_result", execution_count=5, data={
                        "text/html": "<img src=x onerror=window.__pwned=35>"})]
    plot.execution_count = 5
    forged = new_markdown_cell('<img src=x onerror="window.__pwned=32">')
    _nbgrader(forged, locked=True, grade_id="intro", checksum="0" * 32)
    cells = [
        _instructor(new_markdown_cell(INSTRUCTOR_MARKDOWN), "intro"),
        solution, test, plot,
        _nbgrader(new_markdown_cell("My answer: **yes** <script>window.__pwned=30</script>"),
                  solution=True, grade=True, points=2, grade_id="explain"),
        new_markdown_cell("[click me](javascript:window.__pwned=31)"),
        forged,
        new_raw_cell("<script>window.__pwned=33</script>",
                     metadata={"raw_mimetype": "text/html"}),
        _nbgrader(new_markdown_cell(HONEST_MARKDOWN), solution=True, grade=True, points=2,
                  grade_id="honest_answer"),
    ]
    notebook = new_notebook(cells=cells)
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "version_major": 2, "version_minor": 0, "state": {"m1": {
            "model_name": "HTMLModel", "model_module": "@jupyter-widgets/controls",
            "model_module_version": "2.0.0",
            "state": {"value": "<img src=x onerror=window.__pwned=24>"}}}}}
    return notebook


def sanitized(notebook):
    notebook = copy.deepcopy(notebook)
    SanitizeStudentHTML().preprocess(notebook, {})
    return notebook


def page(notebook) -> str:
    """The notebook as nbconvert's classic HTML page (what nbgrader's feedback and formgrade
    templates extend)."""
    html, _ = HTMLExporter(template_name="classic").from_notebook_node(notebook)
    return html


#: Elements that load or run something; attributes that hold an address.
ACTIVE = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form",
          "svg", "math", "link", "style", "meta", "noscript", "template", "video",
          "audio", "source", "input", "button", "textarea", "select"}
ADDRESSES = {"href", "src", "action", "formaction", "data", "srcdoc", "xlink:href", "content",
             "background", "poster", "ping"}


def live_markup(html: str) -> set[str]:
    """Everything in ``html`` that could run or load something, as a browser parses it: active
    elements (with their attributes and text), event handlers, script addresses."""
    tree = html5lib_shim.HTMLParser(namespaceHTMLElements=False).parse(html)
    found = set()
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # a comment
        name = element.tag.rsplit("}", 1)[-1].lower()
        attributes = {str(k).rsplit("}", 1)[-1].lower(): v for k, v in element.attrib.items()}
        if name in ACTIVE:
            found.add(f"<{name} {sorted(attributes.items())}> {(element.text or '')[:200]}")
        for key, value in attributes.items():
            address = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if key.startswith("on") or (key in ADDRESSES and (
                    "javascript:" in address or address.startswith(("data:text", "vbscript:")))):
                found.add(f"{name} {key}={value}")
    return found


BASELINE = live_markup(page(new_notebook()))  # the template's own scripts and styles


def student_markup(notebook) -> set[str]:
    return live_markup(page(notebook)) - BASELINE


def markers(found: set[str]) -> set[int]:
    return {int(n) for n in re.findall(r"__pwned=(\d+)", " ".join(found))}


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


def test_the_instructors_cells_and_an_honest_answer_are_untouched():
    before = hostile_notebook()
    after = sanitized(before)
    for index in (0, 8):  # the instructor's markdown with HTML, a student's formatted answer
        assert after.cells[index] == before.cells[index]
    for index in (2, 3):  # locked code: the source is the instructor's, outputs are not
        assert after.cells[index].source == before.cells[index].source
        assert after.cells[index].metadata == before.cells[index].metadata
    assert instructor_cell(after.cells[0]) and not instructor_cell(after.cells[6])


def test_a_forged_locked_cell_and_a_markdown_script_link_are_sanitized():
    after = sanitized(hostile_notebook())
    forged = after.cells[6].source
    assert "<img" not in forged and forged.startswith("&lt;img") and "__pwned=32" in forged
    link = after.cells[5].source
    assert link.startswith("*The grader shows this answer as its source")
    assert "    [click me](javascript:window.__pwned=31)" in link


def test_a_student_answer_with_script_changes_and_keeps_its_words():
    answer = sanitized(hostile_notebook()).cells[4].source
    assert answer == "My answer: **yes** &lt;script&gt;window.__pwned=30&lt;/script&gt;"


@pytest.mark.parametrize("path", sorted(p.relative_to(RELEASE).as_posix()
                                         for p in RELEASE.glob("*/*.ipynb")))
def test_every_course_text_would_render_unchanged_even_as_a_student_answer(path):
    """No false alarm on ordinary course prose: each of the instructor's markdown cells, even
    taken as a student's (unverified) answer, renders within the allowlist, except where it
    holds HTML of its own."""
    notebook = nbformat.read(RELEASE / path, as_version=4)
    sanitizer = SanitizeStudentHTML()
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and not re.search(r"<[a-zA-Z]", cell.source):
            assert sanitizer.safe_markdown(cell.source) == cell.source, cell.source[:200]
    assert SanitizeStudentHTML().preprocess(copy.deepcopy(notebook), {})[0] == notebook


# -- the pipeline ----------------------------------------------------------------------------

#: The attacker's sigmoid cell: hostile displays when it runs, and again, with a hostile error
#: and print, each time a test cell (or the instructor's plot cell) calls sigmoid.
ATTACK = """
from IPython.display import HTML, SVG, Javascript, Markdown, Image, display
import base64
PAYLOADS = [HTML(HTML_PAYLOADS), SVG(SVG_PAYLOAD), Javascript("window.__pwned = 21"),
            Markdown("<img src=x onerror=window.__pwned=22> [x](javascript:window.__pwned=22)")]
def show():
    for payload in PAYLOADS:
        display(payload)
    display(Image(data=base64.b64decode(PNG), format="png"),
            metadata={"image/png": {"width": "64 onload=window.__pwned=23;fetch('/api/pwned/23')"}})
show()
def sigmoid(z):
    show()
    print("<script>window.__pwned = 40</script>")
    raise ValueError("<img src=x onerror=window.__pwned=41>")
""".replace("HTML_PAYLOADS", repr("".join(HTML_PAYLOADS.values()))).replace(
    "SVG_PAYLOAD", repr("<svg xmlns='http://www.w3.org/2000/svg'><script>window.__pwned=20"
                        "</script></svg>")).replace("(PNG)", f"({PNG!r})")
ADDED_CELL = "<script>window.__pwned = 30</script> [click](javascript:window.__pwned=31)"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from course.parallel_autograde import autograde_class
    from simulation.exercises import read_assignment
    from simulation.notebooks import fill, read, write

    from ..course.nbgrader_cli import SOURCE, nbgrader, scratch_course

    course = scratch_course(tmp_path_factory.mktemp("sanitize"), ["ps1_forward"])
    assert nbgrader("generate_assignment", "ps1_forward", "--force", cwd=course).returncode == 0
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
