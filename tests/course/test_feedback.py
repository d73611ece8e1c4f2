"""What a student reads in nbgrader's feedback: the failing check, the message and the named
mistake; never the hidden test code or the grader's internals; a page that reads well offline
(math drawn without any script or download, long lines wrapped, exercises named, no noise)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_output
from nbgrader.api import Gradebook
from traitlets.config import Config

from course.feedback_filter import one_line
from course.feedback_page import (
    MATHML_ATTRIBUTES,
    TEMPLATE,
    FeedbackExporter,
    exercise_name,
    latex_to_mathml,
)
from grading.mistakes import for_exercise
from simulation.notebooks import fill, read, source_as, write

from .nbgrader_cli import RELEASE, nbgrader, released_course

notebooks = pytest.mark.notebooks
ASSIGNMENT = "ps2_backward"


def graded_with_feedback(tmp: Path) -> Path:
    """A scratch course where ada's ps2 submission, whose hidden_delta forgets the transpose
    and whose dense_gradients keeps db 2-D (right dW, wrong db: half of its 4 points), is
    autograded and has its feedback; returns the course folder."""
    course = released_course(tmp, [ASSIGNMENT])
    submitted = course / "submitted" / "ada" / ASSIGNMENT
    shutil.copytree(RELEASE / ASSIGNMENT, submitted)
    notebook = read(submitted / "backward.ipynb")
    fill(notebook, "hidden_delta", source_as(MISTAKE.function, "hidden_delta"))
    fill(notebook, "dense_gradients", source_as(HALF_RIGHT.function, "dense_gradients"))
    write(notebook, submitted / "backward.ipynb")
    for step in ("autograde", "generate_feedback"):
        done = nbgrader(step, ASSIGNMENT, "--force", cwd=course)
        assert done.returncode == 0, done.stderr[-3000:]
    return course


def feedback_page(course: Path) -> Path:
    return course / "feedback" / "ada" / ASSIGNMENT / "backward.html"


MISTAKE = next(m for m in for_exercise("backward.hidden_delta") if m.key == "missing_transpose")
HALF_RIGHT = next(m for m in for_exercise("backward.dense_gradients") if m.key == "db_kept_2d")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The graded course, its feedback page and the gradebook's scores."""
    course = graded_with_feedback(tmp_path_factory.mktemp("feedback"))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {grade.name: grade.score for grade in gradebook.find_submission_notebook(
            "backward", ASSIGNMENT, "ada").grades}
    return course, feedback_page(course).read_text(), scores


@pytest.fixture(scope="module")
def feedback_html(graded):
    _, html, scores = graded
    return html, MISTAKE, scores


@notebooks
def test_feedback_names_the_mistake_and_its_hint(feedback_html):
    html, mistake, _ = feedback_html
    assert f"Likely mistake: {mistake.name}." in html
    assert "Hint: W_next maps this layer" in html


@notebooks
def test_a_half_right_answer_earns_half_and_its_feedback_lists_the_parts(feedback_html):
    html, _, scores = feedback_html
    assert scores["dense_gradients_test"] == 2.0
    assert scores["hidden_delta_test"] == 0.0
    assert "backward.dense_gradients: 2 of 4 points" in html
    assert "✓ dW = A_prev.T @ delta (2 points)" in html
    assert "✗ db = delta summed over the batch (2 points): " in html
    assert "Likely mistake: dense_gradients returns db of shape (1, n_out)" in html


@notebooks
def test_feedback_hides_hidden_tests_and_grader_internals(feedback_html):
    html, _, _ = feedback_html
    for secret in ("BEGIN HIDDEN TESTS", "from grading", "grade(&quot;backward.", "grading/checks",
                   "grade_parts(", "SCORED_IN_PARTS.add", "reference.", "site-packages"):
        assert secret not in html, f"feedback reveals {secret!r}"


def _test_cells(html: str) -> dict[str, object]:
    """Each test cell of a feedback page, by grade_id: the page from its anchor to the next
    cell."""
    soup = BeautifulSoup(html, "html.parser")
    cells = {}
    for anchor in soup.select('a[name$="_test"]'):
        cell = anchor.find_parent("div", class_="code_cell")
        cells[anchor["name"]] = cell
    return cells


@notebooks
def test_long_output_lines_wrap(feedback_html):
    html, _, _ = feedback_html
    head = BeautifulSoup(html, "html.parser").find("head")
    style = " ".join(tag.string or "" for tag in head.find_all("style"))
    rules = re.findall(r"div\.output_area pre[^{}]*\{([^}]*)\}", style)
    assert any("white-space: pre-wrap" in rule and "overflow-wrap: anywhere" in rule
               for rule in rules), rules


@notebooks
def test_feedback_shows_a_checks_message_without_its_exception_name(feedback_html):
    html, _, _ = feedback_html
    assert "NotYet:" not in html
    not_yet = ("✗ sigmoid_grad: not implemented yet. Write it in the cell above, run that cell, "
               "then run this one again.")
    assert f"<pre>\n{not_yet}</pre>" in html


@notebooks
def test_table_of_contents_names_each_exercise(feedback_html):
    html, _, _ = feedback_html
    toc = BeautifulSoup(html, "html.parser").find(id="toc")
    entries = [" ".join(item.get_text().split()) for item in toc.find_all("li")]
    assert "dense_gradients (Score: 2.0 / 4.0)" in entries
    assert "hidden_delta (Score: 0.0 / 4.0)" in entries
    assert not any(entry.startswith("Test cell") for entry in entries), entries
    assert "Comment on sigmoid_grad" in entries  # nbgrader's "No response." on a stub


@notebooks
def test_math_is_mathml_with_nothing_to_download(feedback_html):
    html, _, _ = feedback_html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find_all("script") == []  # no MathJax, from a CDN or anywhere
    assert "cdn" not in html.lower()
    assert not [tag for tag in soup.find_all(src=True) if not tag["src"].startswith("data:")]
    # Exercise 2's formula of the output delta, as MathML and not as TeX.
    assert len(soup.find_all("math", attrs={"display": "block"})) >= 5
    assert soup.find("mfrac") is not None
    text = soup.get_text()
    assert "\\frac" not in text and "$$" not in text and "\\delta" not in text


@notebooks
def test_a_test_cells_value_is_not_shown_and_scores_stay(graded, tmp_path):
    """A notebook graded the stock nbgrader way holds the points a grade_parts cell returned as
    the cell's value (Out[n]: 2.0): feedback shows no such value, and the gradebook's scores."""
    course, html, scores = graded
    for cell in _test_cells(html).values():
        assert not cell.select(".output_execute_result"), cell
        assert "Out[" not in cell.get_text()
    copy = tmp_path / "course"
    shutil.copytree(course, copy)
    (copy / "feedback").rename(copy / "feedback-before")
    autograded = copy / "autograded" / "ada" / ASSIGNMENT / "backward.ipynb"
    autograded.chmod(0o644)
    notebook = nbformat.read(autograded, as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "dense_gradients_test":
            cell.outputs.append(new_output("execute_result", data={"text/plain": "2.0"},
                                           execution_count=cell.execution_count))
    nbformat.write(notebook, autograded)
    done = nbgrader("generate_feedback", ASSIGNMENT, "--force", cwd=copy)
    assert done.returncode == 0, done.stderr[-3000:]
    stock = feedback_page(copy).read_text()
    cell = _test_cells(stock)["dense_gradients_test"]
    assert "Out[" not in cell.get_text() and not cell.select(".output_execute_result")
    assert "backward.dense_gradients: 2 of 4 points" in cell.get_text()
    assert "dense_gradients (Score: 2.0 / 4.0)" in " ".join(
        BeautifulSoup(stock, "html.parser").find(id="toc").get_text().split())
    assert scores["dense_gradients_test"] == 2.0


# Without nbgrader: the pieces the feedback page is made of.

@pytest.mark.parametrize("latex", [
    r"\href{javascript:alert(1)}{x}",
    r"\style{background:url(https://example.com/x)}{x}",
    r"\mbox{<img src=x onerror=alert(1)>}",
    r"\text{</math><script>alert(1)</script>}",
    r"\color{red\" onmouseover=\"alert(1)}{x}",
])
def test_a_formula_cannot_carry_markup(latex):
    soup = BeautifulSoup(latex_to_mathml(latex), "html.parser")
    tags = soup.find_all(True)
    assert tags[0].name in ("math", "code")
    assert not soup.find_all(["script", "img", "a", "style"])
    for tag in tags:
        allowed = {"class"} if tag.name == "code" else MATHML_ATTRIBUTES
        assert set(tag.attrs) <= allowed, tag
        assert not any("alert" in value or "url(" in value
                       for value in map(str, tag.attrs.values())), tag


def test_formulas_of_the_notebooks_become_mathml():
    leaky = latex_to_mathml(r"\operatorname{leaky\_relu}(z) = \begin{cases} z & z > 0 \\[2mm]"
                            r" \text{slope}\cdot z & z \le 0 \end{cases}", display=True)
    assert leaky.startswith('<math display="block">')
    assert "<mtext>leaky_relu</mtext>" in leaky and "2mm" not in leaky
    assert "<mtable>" in leaky
    assert "<mtext>relative_error</mtext>" in latex_to_mathml(r"\text{relative\_error}(a, n)")
    assert latex_to_mathml("a < b") == (
        '<math display="inline"><mrow><mi>a</mi><mo>&lt;</mo><mi>b</mi></mrow></math>')


def test_errors_of_checks_show_their_message_and_others_their_name():
    check = {"ename": "NotYet", "evalue": "✗ relu: not implemented yet.",
             "traceback": ["✗ relu: not implemented yet."]}
    assert one_line(check) == "✗ relu: not implemented yet."
    error = {"ename": "NameError", "evalue": "name 'relu' is not defined",
             "traceback": ["\x1b[0;31mNameError\x1b[0m Traceback", "----> 3 relu(z)"]}
    assert one_line(error) == "NameError: name 'relu' is not defined"


def test_exercise_names_come_from_the_visible_checks_or_the_grade_id():
    def cell(source, grade_id):
        return {"source": source, "metadata": {"nbgrader": {"grade_id": grade_id}}}

    assert exercise_name(cell('with visible_checks("relu"):\n    pass', "relu_test")) == "relu"
    assert exercise_name(cell("", "check_q07")) == "q07"
    assert exercise_name(cell("def f(): ...", "dense_gradients_solution")) == "dense_gradients"


def test_the_course_template_wins_over_nbgraders_choice():
    """nbgrader (its command and the Formgrader's button) sets HTMLExporter.template_name to
    its own feedback template; the course's exporter keeps the course's, unless configured."""
    config = Config()
    config.HTMLExporter.template_name = "feedback"
    exporter = FeedbackExporter(config=config)
    assert exporter.template_name == TEMPLATE and exporter.mathjax_url == ""
    config.FeedbackExporter.template_name = "lab"
    assert FeedbackExporter(config=config).template_name == "lab"
