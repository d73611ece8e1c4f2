"""Cells' sources are sanitized as the instructor wrote them or as a student did
(``sandbox/sanitize.py``): the instructor's cells and an honest answer stay untouched, a forged
locked cell, a markdown script link and an answer with script become text that keeps the
student's words, and no ordinary course text would be changed even as a student's answer.
"""

from __future__ import annotations

import copy
import re

import nbformat
import pytest

from sandbox.sanitize import SanitizeStudentHTML, instructor_cell

from ..course.nbgrader_cli import RELEASE
from .hostile_html import hostile_notebook, sanitized


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
