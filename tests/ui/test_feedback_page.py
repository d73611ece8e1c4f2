"""A student's feedback page, opened offline in Chromium: the math is drawn and long lines wrap.

A ps2 submission with a named mistake is graded through nbgrader and its feedback page is opened
from disk, as a student opens the file ``nbgrader fetch_feedback`` gave them, with every request
that is not for a file refused (offline). The page must ask for nothing; each display formula
must be laid out as math (a fraction's numerator above its denominator, which only a MathML
layout does: TeX source or unsupported markup would sit on one line); no TeX source may show;
and the long message of a failing check must wrap inside the page instead of running off its
right edge.
"""

from __future__ import annotations

import re

import pytest

from ..course.test_feedback import feedback_page, graded_with_feedback
from .conftest import Steps

pytestmark = [pytest.mark.browser, pytest.mark.notebooks]

#: For each fraction of a display formula: whether its numerator lies above its denominator,
#: and its width.
FRACTIONS = """() => [...document.querySelectorAll('math[display="block"] mfrac')].map(f => {
    const [top, bottom] = [...f.children].map(child => child.getBoundingClientRect());
    return {above: top.bottom <= bottom.top + 1, width: f.getBoundingClientRect().width};
})"""
LONG_MESSAGE = "Likely mistake: hidden_delta uses W instead of W.T"


@pytest.fixture
def feedback(tmp_path):
    return feedback_page(graded_with_feedback(tmp_path))


def test_feedback_reads_well_offline(page, feedback):
    refused: list[str] = []

    def offline(route) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    page.set_viewport_size({"width": 900, "height": 900})
    step = Steps(page, "feedback")
    with step("math-offline"):
        page.goto(feedback.as_uri())
        heading = re.compile(r"Exercise \d+ — The output delta")  # numbered as the notebook has it
        page.get_by_text(heading).first.scroll_into_view_if_needed()
        fractions = page.evaluate(FRACTIONS)
        assert len(fractions) >= 5, fractions
        assert all(f["above"] and f["width"] > 0 for f in fractions), fractions
        text = page.locator("body").inner_text()
        assert "\\frac" not in text and "$$" not in text and "\\delta" not in text
        assert refused == []

    with step("long-line-wraps"):
        message = page.locator("div.output_area pre", has_text=LONG_MESSAGE).first
        message.scroll_into_view_if_needed()
        box = message.evaluate("""pre => ({
            overflow: pre.scrollWidth - pre.clientWidth,
            right: pre.getBoundingClientRect().right,
            page: document.documentElement.clientWidth,
            lines: pre.getBoundingClientRect().height
                   / parseFloat(getComputedStyle(pre).lineHeight),
        })""")
        assert box["overflow"] <= 1 and box["right"] <= box["page"], box
        assert box["lines"] >= 3, box  # one long line, wrapped
