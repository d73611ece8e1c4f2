"""A notebook carrying every kind of hostile HTML a student could leave, and how to find live
markup in the page nbconvert makes of a notebook.

The payloads (HTML outputs with script, handlers, ``javascript:`` links, frames, a page-hiding
style; SVG, JavaScript and widget outputs; markdown outputs and cells with raw HTML or script
links; display metadata and an execution count that nbconvert writes into a tag) are each marked
``__pwned=<n>``, so a check can say which one survived. Shared by the tests of
``sandbox/sanitize.py`` (``test_sanitize.py``, ``test_sanitize_cells.py``).
"""

from __future__ import annotations

import copy
import re

from bleach import html5lib_shim
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell
from nbgrader.utils import compute_checksum

from sandbox.sanitize import SanitizeStudentHTML

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
