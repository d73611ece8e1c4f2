"""The feedback page a student fetches: nbgrader's feedback template, readable offline.

``FeedbackExporter`` is the exporter of nbgrader's ``GenerateFeedback``
(``c.GenerateFeedback.exporter_class`` in ``nbgrader_config.py``): nbconvert's ``HTMLExporter``
with the course's template, ``feedback_templates/backprop_feedback``, which extends nbgrader's
own feedback template. Three things differ from stock nbgrader:

* **Math is MathML, made here.** nbgrader's page loads MathJax from a CDN, so a student who
  opens their feedback offline reads raw LaTeX. Here every formula of a markdown cell (``$...$``,
  ``$$...$$``, ``\\begin{...}``) is converted to MathML when the page is made (``latex2mathml``,
  pure Python), and browsers draw MathML themselves (Chromium since 109, Firefox, Safari): the
  page holds no script and requests nothing. The MathML is built as a tree and passes an
  allowlist of MathML tags and attributes (no links, no styles, no handlers) before it is
  written, with its text escaped, so a formula a student wrote cannot carry markup. A formula
  that cannot be converted is shown as its LaTeX source, escaped.
* **Long lines wrap** (outputs only: a check's message, a failure with its shapes, the grader's
  hint), instead of running off the right edge.
* **The table of contents names each test cell by its exercise** (``relu (Score: 2.0 / 2.0)``),
  where nbgrader writes "Test cell" for every one.

nbgrader sets ``HTMLExporter.template_name = "feedback"`` for the feedback it makes (also from
the Formgrader's button); the ``FeedbackExporter`` section of the configuration comes after the
``HTMLExporter`` one, so the course's template wins there too, unless an instructor names
another in ``c.FeedbackExporter``.
"""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path
from typing import Any, ClassVar
from xml.etree.ElementTree import Element, tostring

import nbgrader
from latex2mathml.converter import convert_to_element
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbformat import NotebookNode
from traitlets.config import Config

try:  # Jinja 3
    from jinja2 import pass_context as contextfilter
except ImportError:  # pragma: no cover
    from jinja2 import contextfilter

#: The course's feedback template (a folder of ``TEMPLATES``).
TEMPLATE = "backprop_feedback"
TEMPLATES = Path(__file__).with_name("feedback_templates")
#: nbgrader's templates: ours extends its ``feedback/index.html.j2``.
NBGRADER_TEMPLATES = (Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
                      / "templates")
#: Where nbgrader's feedback template finds the Bootstrap CSS it inlines.
BOOTSTRAP_CSS = (Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "static"
                 / "node_modules" / "bootstrap" / "dist" / "css")

#: MathML elements a formula may hold (MathML Core, plus what latex2mathml writes).
MATHML_TAGS = frozenset({
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
    "mfrac", "msqrt", "mroot", "mstyle", "merror", "mpadded", "mphantom", "menclose",
    "msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts",
    "mprescripts", "none", "mtable", "mtr", "mtd", "mlabeledtr",
})
#: Attributes a MathML element may keep: layout only (no href, style, class, id or handler).
MATHML_ATTRIBUTES = frozenset({
    "display", "displaystyle", "scriptlevel", "mathvariant", "mathsize", "mathcolor",
    "stretchy", "fence", "separator", "form", "lspace", "rspace", "largeop", "movablelimits",
    "symmetric", "minsize", "maxsize", "accent", "accentunder", "linethickness", "notation",
    "columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines", "frame",
    "width", "height", "depth", "voffset", "linebreak", "encoding",
})
#: An attribute value kept: words, numbers, lengths, colours by name or hex.
_SAFE_VALUE = re.compile(r"[\w#.%+\- ]{0,64}")
#: Inside ``\text{...}`` and ``\operatorname{...}`` an escaped underscore is an underscore.
_TEXT_ARGUMENT = re.compile(r"\\(text|operatorname)\{([^{}]*)\}")
#: A line break with a spacing argument (``\\[2mm]``): latex2mathml would print the argument.
_SPACED_BREAK = re.compile(r"\\\\\s*\[[^\]]*\]")


def latex_to_mathml(latex: str, display: bool = False) -> str:
    """``latex`` as a MathML element (a string of markup, safe to put in a page), or its
    source, escaped, in a ``code`` element when it cannot be converted."""
    try:
        tree = convert_to_element(_normalized(latex), display="block" if display else "inline")
    except Exception:  # an unsupported command: show the formula as written
        delimiter = "$$" if display else "$"
        return (f'<code class="tex-source">{html.escape(delimiter + latex + delimiter)}'
                "</code>")
    _clean(tree)
    return tostring(tree, encoding="unicode", short_empty_elements=False)


def _normalized(latex: str) -> str:
    """The few spellings latex2mathml reads otherwise than TeX does, rewritten."""
    latex = _SPACED_BREAK.sub(r"\\\\", latex)

    def argument(match: re.Match[str]) -> str:
        command, text = match.group(1), match.group(2).replace("\\_", "_")
        # An operator name is upright text (latex2mathml splits one holding "_" into letters).
        return f"\\text{{{text}}}" if command == "operatorname" and "_" in text else (
            f"\\{command}{{{text}}}")

    return _TEXT_ARGUMENT.sub(argument, latex)


def _clean(element: Element) -> None:
    """Keep only :data:`MATHML_TAGS` (others become ``mrow``) and :data:`MATHML_ATTRIBUTES`
    with plain values; decode the character references latex2mathml leaves in text, so that
    serialization escapes every character once."""
    if element.tag not in MATHML_TAGS:
        element.tag = "mrow"
    for name, value in list(element.attrib.items()):
        value = html.unescape(value)
        if name in MATHML_ATTRIBUTES and _SAFE_VALUE.fullmatch(value):
            element.set(name, value)
        else:
            del element.attrib[name]
    if element.text:
        element.text = html.unescape(element.text)
    if element.tail:
        element.tail = html.unescape(element.tail)
    for child in element:
        _clean(child)


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, with formulas written as MathML instead of left as TeX
    for MathJax."""

    def inline_math(self, body: str) -> str:
        return latex_to_mathml(body)

    def block_math(self, body: str) -> str:
        return latex_to_mathml(body, display=True)

    def latex_environment(self, name: str, body: str) -> str:
        return latex_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)


#: The exercise a visible check cell checks: ``with visible_checks("relu"):``.
_CHECKED = re.compile(r"""visible_checks\(\s*["']([^"']+)["']""")


def exercise_name(cell: NotebookNode) -> str:
    """What a test cell grades, for the table of contents: the name its visible checks give,
    else its ``grade_id`` without ``_test``, ``_solution`` or ``check_``."""
    found = _CHECKED.search(cell.get("source", "") or "")
    if found:
        return found.group(1)
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "") or "Test cell"
    return re.sub(r"^check_|_(tests?|solution)$", "", grade_id) or grade_id


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTML exporter with the course's feedback template and MathML formulas."""

    #: Settings this exporter needs, unless ``c.FeedbackExporter`` says otherwise.
    course_settings: ClassVar[dict[str, Any]] = {
        "template_name": TEMPLATE,
        "extra_template_basedirs": [str(TEMPLATES), str(NBGRADER_TEMPLATES)],
        "extra_template_paths": [str(NBGRADER_TEMPLATES), str(BOOTSTRAP_CSS)],
        "mathjax_url": "",
    }

    def __init__(self, config: Config | None = None, **kwargs: Any) -> None:
        config = copy.deepcopy(config) if config is not None else Config()
        for name, value in self.course_settings.items():
            if name not in config.FeedbackExporter:
                config.FeedbackExporter[name] = value
        super().__init__(config=config, **kwargs)

    @contextfilter
    def markdown2html(self, context: Any, source: str) -> str:
        """Markdown to HTML as ``HTMLExporter`` renders it, with formulas as MathML."""
        cell = context.get("cell", {})
        renderer = MathMLRenderer(
            escape=False,
            attachments=cell.get("attachments", {}),
            embed_images=self.embed_images,
            path=context.get("resources", {}).get("metadata", {}).get("path", ""),
            anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links,
            **self.lexer_options,
        )
        return MarkdownWithMath(renderer=renderer).render(source)

    def default_filters(self):
        yield from super().default_filters()
        yield ("markdown2html", self.markdown2html)
        yield ("exercise_name", exercise_name)
