"""``SanitizeStudentHTML``: nothing a student wrote or displayed runs in an instructor's browser.

The Formgrader and the feedback pages show autograded notebooks as HTML on the instructor's
Jupyter server. A ``text/html`` output with a ``<script>`` or an ``onerror=`` attribute, an SVG
with script, a ``application/javascript`` output or raw HTML in a markdown answer would run
there, with the instructor's session. This preprocessor builds on nbconvert's ``SanitizeHTML``
(the maintained ``bleach`` sanitizer, not a pattern of ours) and runs in
``Autograde.autograde_preprocessors`` right after the sandbox's execute step, so what is stored
in ``autograded/`` is already clean, and again in ``GenerateFeedback.preprocessors`` for
notebooks graded before it.

Kept: plain text, LaTeX, JSON, PNG and JPEG images (matplotlib's plots), and HTML and markdown
outputs reduced to bleach's safe tags and attributes (no script, no event handler, no
``javascript:`` link, no iframe or style element). Removed: every other output type
(JavaScript, SVG, widgets). Markdown and raw cells are sanitized unless they are the
instructor's locked cells (nbgrader puts those back from the source before grading).
"""

from __future__ import annotations

from typing import Any

from nbconvert.preprocessors.sanitize import ALLOWED_TAGS, SanitizeHTML
from nbformat import NotebookNode
from traitlets import Bool, List, Unicode

#: Layout tags kept besides bleach's defaults (tables as pandas prints them, the grader's box):
#: none can run code, and no attribute of theirs is kept.
LAYOUT_TAGS = ["div", "span", "p", "pre", "br", "hr", "table", "thead", "tbody", "tr", "th",
               "td", "h1", "h2", "h3", "h4"]


class SanitizeStudentHTML(SanitizeHTML):
    """nbconvert's sanitizer on every output and on every cell a student could write."""

    enabled = Bool(True, help="On wherever it is listed (nbconvert's are off by default)."
                   ).tag(config=True)
    tags = List(Unicode(), default_value=sorted(set(ALLOWED_TAGS) | set(LAYOUT_TAGS)),
                help="HTML tags kept (bleach's defaults and plain layout).").tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        grading = cell.metadata.get("nbgrader", {})
        if cell.cell_type in ("markdown", "raw"):
            if grading.get("locked") and not grading.get("solution"):
                return cell, resources
            cell.source = self.sanitize_html_tags(cell.source)
            return cell, resources
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                data = output.get("data") or {}
                for key, value in list(data.items()):
                    if isinstance(value, list):
                        data[key] = "".join(value)
            cell.outputs = self.sanitize_code_outputs(cell.get("outputs", []))
        return cell, resources
