"""``SanitizeStudentHTML``: no student script reaches an instructor's page.

Autograded notebooks are shown as HTML by nbgrader's Formgrader (on the instructor's Jupyter
server, with its cookies) and turned into feedback pages, and neither page sanitizes what it
shows: a ``text/html`` output with ``<script>`` (or ``<img onerror=...>``), an SVG with script,
an ``application/javascript`` output or a markdown answer with raw HTML would run there. This
preprocessor, built on nbconvert's :class:`~nbconvert.preprocessors.SanitizeHTML` (and so on
bleach, a maintained HTML sanitizer), runs after the notebook is executed
(``c.Autograde.autograde_preprocessors``, after ``sandbox.execute.SealedExecute``) and again
when feedback is made (``c.GenerateFeedback.preprocessors``), so that notebooks graded before it
existed are cleaned too.

Kept as they are:

* plain text, errors and tracebacks (every page escapes them), ``text/latex``, PNG and JPEG
  images (matplotlib's plots), ``application/json``;
* HTML within a small allowlist (bleach's own: links, emphasis, lists, code, quotes; plus
  paragraphs, headings, tables, ``div``/``span``/``pre`` with a class and a style of colours,
  padding, a left border and text layout, ``sub``/``sup``, ...), with links only to ``http``,
  ``https`` and ``mailto`` addresses or relative ones (the grader's verdict box passes as is);
* a student's markdown when nbconvert's renderer (the one Formgrader and feedback use) turns it
  into HTML that the allowlist leaves unchanged: ordinary formatting, LaTeX, code, links;
* cells the instructor wrote: locked cells whose nbgrader checksum matches (nbgrader restored
  them from the gradebook before grading), so nothing here touches a checksum or a score.

Removed or made inert:

* in ``text/html`` outputs: every tag or attribute outside the allowlist is escaped, so it shows
  as text (``<script>``, ``<style>``, ``<iframe>``, ``<svg>``, ``<img>``, ``<form>``...),
  ``on*`` attributes and ``id`` are dropped, and so are ``javascript:`` and ``data:`` links and
  every CSS property but the few above (no ``position``, ``display``, sizes or ``url()``);
* outputs of any other type: ``application/javascript``, ``image/svg+xml``, widget views,
  Mermaid, ...; a display left with nothing says which types were removed;
* a student's markdown (cells and ``text/markdown`` outputs) whose rendering leaves the
  allowlist, including markdown links to ``javascript:`` that hold no tag at all: first its raw
  HTML is escaped (as nbconvert's ``SanitizeHTML`` does); if the rendering is still not clean,
  the answer is shown as its source, in a code block, under a note saying so;
* raw cells a student wrote: sanitized as HTML;
* display metadata beyond numeric ``width``/``height``, ``alt``, ``unconfined``,
  ``needs_background`` and the grader's mark (the HTML template writes ``width`` into a tag
  unquoted, so a crafted width was an ``onload`` handler), a non-integer
  execution count, and the notebook's widget state (which would load a widget renderer).

Images in a student's HTML or markdown are not kept: an ``<img>`` would make the instructor's
browser request any address the student chose.
"""

from __future__ import annotations

from typing import Any

from bleach import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, html5lib_shim
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbformat import NotebookNode
from nbgrader.utils import compute_checksum, is_grade
from traitlets import Any as AnyTrait
from traitlets import Bool, List, Set, Unicode

from sandbox import METADATA_KEY

#: Tags a student's HTML may keep: bleach's defaults and harmless layout (no images, media,
#: forms, frames, styles or scripts).
TAGS = sorted({
    *ALLOWED_TAGS, "p", "div", "span", "br", "hr", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "sub", "sup", "del", "s",
    "ins", "u", "small", "mark", "dl", "dt", "dd", "kbd", "samp", "var", "details", "summary",
})
#: Attributes a student's HTML may keep, by tag: no ``on*`` handler, ``src`` or ``id`` (but a
#: heading's, which nbconvert's markdown renderer writes, as it does a link's class), and a
#: ``style`` only of :data:`STYLES` (the grader's own verdict box has a coloured border).
ATTRIBUTES = {
    **ALLOWED_ATTRIBUTES,
    "a": ["href", "title", "class"],
    **{f"h{level}": ["id"] for level in range(1, 7)},
    **{tag: ["class", "style"] for tag in ("div", "span", "pre")},
    **{tag: ["class"] for tag in ("code", "table", "tr")},
    "th": ["colspan", "rowspan", "align"],
    "td": ["colspan", "rowspan", "align"],
    "ol": ["start"],
}
#: CSS properties a ``style`` attribute may keep (checked by bleach's CSS sanitizer): colours,
#: spacing, a left border, text layout. Nothing that places, sizes or hides an element.
STYLES = ["color", "background-color", "border-left", "border-left-color", "padding",
          "white-space", "font-weight", "font-style", "text-align"]
#: Output types shown as they are (every page escapes them, or they are images).
SAFE_OUTPUTS = {"text/plain", "text/latex", "image/png", "image/jpeg", "application/json"}
#: Display metadata a page may read, and what each must be.
_HINTS = {
    "width": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "height": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "unconfined": lambda v: isinstance(v, bool),
    "alt": lambda v: isinstance(v, str),
    "needs_background": lambda v: v in ("light", "dark"),
}
SHOWN_AS_SOURCE = ("*The grader shows this answer as its source: it held HTML or links that an "
                   "instructor's page must not display.*\n\n")
WITHHELD = "*The grader withheld this answer: it could not be displayed safely.*"


class SanitizeStudentHTML(SanitizeHTML):
    """nbconvert's ``SanitizeHTML``, stricter, for notebooks a student's code wrote."""

    # nbconvert's preprocessors are off unless enabled; this one is meant to run when listed.
    enabled = Bool(True).tag(config=True)
    tags = List(Unicode(), default_value=TAGS, help="HTML tags a student's HTML may keep").tag(
        config=True)
    attributes = AnyTrait(default_value=ATTRIBUTES,
                          help="Attributes a student's HTML may keep, by tag").tag(config=True)
    styles = List(Unicode(), default_value=STYLES,
                  help="CSS properties a style attribute may keep").tag(config=True)
    safe_output_keys = Set(default_value=SAFE_OUTPUTS,
                           help="Output types kept without change").tag(config=True)
    sanitized_output_types = Set(default_value={"text/html"},
                                 help="Output types kept once sanitized as HTML").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]
                   ) -> tuple[NotebookNode, dict[str, Any]]:
        # Widget state makes the HTML template load a widget renderer, which draws HTML widgets.
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type == "code":
            # Locked cells too: their source is the instructor's, their outputs are not.
            cell.outputs = [self.sanitize_output(o, is_grade(cell))
                            for o in cell.get("outputs", [])]
            if not _count(cell.get("execution_count")):
                cell.execution_count = None
        elif not instructor_cell(cell):
            if cell.cell_type == "markdown":
                cell.source = self.safe_markdown(cell.source)
            else:
                cell.source = self.sanitize_html_tags(_text(cell.source))
        return cell, resources

    def sanitize_output(self, output: NotebookNode, in_grade_cell: bool = False) -> NotebookNode:
        """One output of a code cell, safe to show."""
        if output.get("output_type") not in ("display_data", "execute_result"):
            return output  # stream and error: text, escaped by every page
        data = output.get("data", {})
        removed = []
        for key in list(data):
            if key in self.safe_output_keys:
                continue
            if key in self.sanitized_output_types:
                data[key] = self.sanitize_html_tags(_text(data[key]))
            elif key == "text/markdown":
                data[key] = self.safe_markdown(_text(data[key]))
            else:
                removed.append(key)
                del data[key]
        if removed:
            self.log.info("Removed %s from a student's output", ", ".join(removed))
        # A grade cell's result is read by nbgrader: leave it as the grader wrote it.
        if removed and not data and not in_grade_cell:
            data["text/plain"] = (f"[the grader removed this output of type "
                                  f"{', '.join(sorted(removed))}]")
        output["metadata"] = _display_metadata(output.get("metadata", {}))
        if "execution_count" in output and not _count(output.execution_count):
            output.execution_count = None
        return output

    def safe_markdown(self, source: str) -> str:
        """``source`` if it renders to HTML the allowlist leaves unchanged; else its raw HTML
        escaped, if that renders clean; else the source shown as a code block."""
        source = _text(source)
        candidates = (
            lambda: source,
            lambda: self.sanitize_html_tags(source),
            lambda: SHOWN_AS_SOURCE + "".join(
                f"    {line}\n" for line in source.replace("\r", "").split("\n")),
        )
        for candidate in candidates:
            markdown = candidate()
            if self.renders_clean(markdown):
                return markdown
        return WITHHELD

    def renders_clean(self, markdown: str) -> bool:
        """Whether nbconvert's markdown renderer makes of ``markdown`` HTML that the sanitizer
        leaves unchanged: the same document, node for node, as the sanitizer's output."""
        html = markdown2html_mistune(markdown)
        return _document(html) == _document(self.sanitize_html_tags(html))


def instructor_cell(cell: NotebookNode) -> bool:
    """A locked cell whose source is the instructor's: nbgrader checked its checksum against
    the gradebook (and restored the source if it differed) before grading, and kept its
    ``grade_id`` only because the gradebook knows it."""
    nbgrader = cell.metadata.get("nbgrader", {})
    if not (nbgrader.get("locked") and nbgrader.get("grade_id")) or nbgrader.get("solution"):
        return False
    try:
        return nbgrader.get("checksum") == compute_checksum(cell)
    except (KeyError, TypeError, ValueError):
        return False


def _document(html: str) -> list[tuple[Any, ...]]:
    """``html`` parsed as a browser would (html5lib, the parser bleach itself uses): its nodes
    in order, with attributes, text joined and character references decoded."""
    tree = html5lib_shim.HTMLParser(namespaceHTMLElements=False).parseFragment(html)
    nodes: list[tuple[Any, ...]] = []
    for token in html5lib_shim.getTreeWalker("etree")(tree):
        kind = token["type"]
        if kind in ("Characters", "SpaceCharacters"):
            if nodes and nodes[-1][0] == "text":
                nodes[-1] = ("text", nodes[-1][1] + token["data"])
            else:
                nodes.append(("text", token["data"]))
        elif kind in ("StartTag", "EmptyTag"):
            attributes = sorted(token["data"].items(), key=repr)
            nodes.append(("start", token.get("namespace"), token["name"], attributes))
        elif kind == "EndTag":
            nodes.append(("end", token.get("namespace"), token["name"]))
        else:  # comments, doctypes, anything else
            nodes.append((kind, token.get("name"), token.get("data")))
    return nodes


def _display_metadata(metadata: Any) -> dict[str, Any]:
    """The display hints a page may use, each of its expected type, and the grader's mark on
    its own outputs (which ``SealedExecute`` strips from every output of the kernel); nothing
    else."""
    if not isinstance(metadata, dict):
        return {}
    kept: dict[str, Any] = {}
    for key, value in metadata.items():
        if key == METADATA_KEY and isinstance(value, str):
            kept[key] = value
        elif isinstance(value, dict) and "/" in key:  # hints for one mimetype
            hints = {k: v for k, v in value.items() if k in _HINTS and _HINTS[k](v)}
            if hints:
                kept[key] = hints
        elif key in _HINTS and _HINTS[key](value):
            kept[key] = value
    return kept


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: Any) -> str:
    """A notebook string field (a list of lines in raw JSON) as one string."""
    if isinstance(value, list):
        return "".join(str(line) for line in value)
    return value if isinstance(value, str) else str(value)
