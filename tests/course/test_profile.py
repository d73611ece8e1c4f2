"""A student's misconceptions across the course: every catalogued mistake and wrong quiz answer
on record, linked to the section of the notebook that explains it, shown in the feedback of
each assignment ("you also made this mistake in ps1_forward") and in the class report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_output

from course.profile import (
    class_profiles,
    common,
    feedback_html,
    option_of,
    repeated,
    report_section,
    sections,
    student_profile,
)
from grading.mistakes import for_exercise
from sandbox import METADATA_KEY
from simulation.notebooks import fill, read, source_as, write

from .nbgrader_cli import RELEASE, nbgrader, released_course

PS1, PS2 = "ps1_forward", "ps2_backward"
SLOPE1 = next(m for m in for_exercise("forward.leaky_relu") if m.key == "ignores_slope")
SLOPE2 = next(m for m in for_exercise("backward.leaky_relu_grad") if m.key == "ignores_slope")
ONCE = next(m for m in for_exercise("forward.relu"))


def autograded(course: Path, student: str, assignment: str, notebook: str,
               cells: dict[str, list], answers: dict[str, str] | None = None,
               outputs: str = "") -> None:
    """An autograded notebook: the released one, with ``answers`` (quiz answer cell -> source)
    and the grader's record naming ``cells`` (test cell -> catalogued mistakes; quiz check
    cells lose their points)."""
    nb = read(str(RELEASE / assignment / f"{notebook}.ipynb"))
    for cell in nb.cells:
        name = cell.metadata.get("nbgrader", {}).get("grade_id")
        if answers and name in answers:
            cell.source = answers[name]
        if outputs and cell.cell_type == "code":
            cell.outputs = [new_output("stream", name="stdout", text=outputs)]
    nb.metadata[METADATA_KEY] = {"cells": {
        name: {"points": 0.0, "max_points": 2.0,
               "mistakes": [{"id": m.id, "name": m.name} for m in mistakes]}
        for name, mistakes in cells.items()}}
    folder = course / "autograded" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    write(nb, str(folder / f"{notebook}.ipynb"))


@pytest.fixture
def course(tmp_path):
    """ada ignores the slope of leaky ReLU in ps1 and again in ps2, and picks B on Q7 of the
    quiz; bob made a relu mistake in ps1 only, answered Q4 with a wrong number and left Q1."""
    autograded(tmp_path, "ada", PS1, "forward", {"leaky_relu_test": [SLOPE1]},
               outputs="Likely mistake: forged by a print\n")
    autograded(tmp_path, "ada", PS2, "backward", {"leaky_relu_grad_test": [SLOPE2]})
    autograded(tmp_path, "ada", "quiz", "quiz", {"check_q07": []},
               {"answer_q07": 'answer_q07 = "b"  # softmax'})
    autograded(tmp_path, "bob", PS1, "forward", {"relu_test": [ONCE], "leaky_relu_test": []})
    autograded(tmp_path, "bob", "quiz", "quiz", {"check_q04": [], "check_q01": []},
               {"answer_q04": "answer_q04 = 0.5", "answer_q01": "answer_q01 = None"})
    return tmp_path


def test_a_repeated_mistake_is_one_misconception_in_two_assignments(course):
    profile = student_profile(course / "autograded", "ada", RELEASE)
    assert [(m.assignment, m.id) for m in profile] == [
        (PS1, SLOPE1.id), (PS2, SLOPE2.id), ("quiz", "quiz:q07:B")]
    again = repeated(profile)
    assert list(again) == ["ignores_slope"]
    assert {m.assignment for m in again["ignores_slope"]} == {PS1, PS2}
    assert "forged" not in repr(profile)  # the record counts, never the outputs' text


def test_each_misconception_links_to_the_heading_that_explains_it(course):
    ps1 = sections(RELEASE, PS1)
    assert ps1["leaky_relu_test"].title.startswith("Exercise 4 — leaky_relu(z, slope=0.01)")
    assert ps1["leaky_relu_test"].anchor == "md_leaky_relu"
    profile = {m.assignment: m for m in student_profile(course / "autograded", "ada", RELEASE)}
    assert profile["quiz"].section.title == "Question 7: Softmax with cross-entropy"
    assert profile["quiz"].name == "Question 7: Softmax with cross-entropy: answered B"


def test_quiz_answers_read_as_literals_and_wrong_numbers_have_no_option(course):
    bob = student_profile(course / "autograded", "bob", RELEASE)
    quiz = [m for m in bob if m.assignment == "quiz"]
    assert [(m.id, m.name.split(": ")[-1]) for m in quiz] == [("quiz:q04", "a wrong value")]
    assert option_of(["c", "A"]) == "AC" and option_of(" a, c ") == "AC"
    assert option_of(3.5) is None and option_of("<script>") is None and option_of("") is None


def test_garbage_in_an_answer_cell_or_a_record_is_tolerated(course):
    autograded(course, "cy", "quiz", "quiz", {"check_q02": [], "check_q03": []},
               {"answer_q02": "answer_q02 = __import__('os').system('x')",
                "answer_q03": "answer_q03 = (" * 400})
    broken = course / "autograded" / "cy" / PS1
    broken.mkdir(parents=True)
    (broken / "forward.ipynb").write_text(json.dumps({
        "cells": "no", "metadata": {METADATA_KEY: {"cells": {"x": {"mistakes": [1, {"id": 2}]},
                                                           "y": "z"}}}}))
    (broken / "big.ipynb").write_bytes(b" " * 25_000_000)
    (broken / "deep.ipynb").write_text("[" * 200_000 + "]" * 200_000)  # too deep for json
    assert student_profile(course / "autograded", "cy", RELEASE) == []


def test_the_feedback_of_each_assignment_names_the_other(course):
    profile = student_profile(course / "autograded", "ada", RELEASE)
    ps1 = BeautifulSoup(feedback_html(profile, PS1, "forward"), "html.parser")
    ps2 = BeautifulSoup(feedback_html(profile, PS2, "backward"), "html.parser")
    assert "you also made this mistake in ps2_backward" in ps1.get_text()
    assert "you also made this mistake in ps1_forward" in ps2.get_text()
    links = {a.get_text(): a["href"] for a in ps2.find_all("a")}
    assert links["Exercise 4 — leaky_relu(z, slope=0.01) (2 points)"] == (
        "../ps1_forward/forward.html#section-md_leaky_relu")
    assert any(href == "#section-md_part1" or href.endswith("backward.html#section-md_part1")
               for href in links.values())
    assert "Question 7" in ps1.get_text()  # the rest of the record, with its section
    assert feedback_html(student_profile(course / "autograded", "bob", RELEASE)[:1],
                         PS1, "forward") == ""  # nothing elsewhere: no section


def test_the_report_lists_common_misconceptions_with_their_students_escaped(course):
    autograded(course, "<img src=x onerror=alert(1)>", PS1, "forward",
               {"leaky_relu_test": [SLOPE1]})
    students = sorted(p.name for p in (course / "autograded").iterdir())
    profiles = class_profiles(course / "autograded", RELEASE, students)
    key, _, holders = common(profiles)[0]
    assert key == "ignores_slope" and "ada" in holders and len(holders) == 2
    page = report_section(profiles)
    assert "<img" not in page and "&lt;img src=x" in page
    assert "(ps1_forward/forward.ipynb: " in page and "href" not in page  # read offline


# --- the real pipeline: autograde and feedback by nbgrader -----------------------------------

def _submit(course: Path, assignment: str, notebook: str, functions: dict[str, str]) -> None:
    folder = course / "submitted" / "ada" / assignment
    shutil.copytree(RELEASE / assignment, folder)
    nb = read(str(folder / f"{notebook}.ipynb"))
    for function, source in functions.items():
        fill(nb, function, source)
    write(nb, str(folder / f"{notebook}.ipynb"))


#: A wrong relu no catalogued mistake names: its failure leaves a fingerprint in the record.
DOUBLED_RELU = "import numpy as np\n\ndef relu(z):\n    return 2 * np.maximum(0, z)\n"


@pytest.mark.notebooks
def test_a_mistake_repeated_in_ps1_and_ps2_is_named_in_both_feedbacks(tmp_path):
    course = released_course(tmp_path, [PS1, PS2])
    with (course / "nbgrader_config.py").open("a") as config:
        config.write('\nc.GenerateFeedback.preprocessors.insert(\n'
                     '    -1, "course.feedback_filter.CourseProfile")\n')
    _submit(course, PS1, "forward", {"leaky_relu": source_as(SLOPE1.function, "leaky_relu"),
                                     "relu": DOUBLED_RELU})
    _submit(course, PS2, "backward",
            {"leaky_relu_grad": source_as(SLOPE2.function, "leaky_relu_grad")})

    def run(*args: str) -> None:
        done = nbgrader(*args, "--force", cwd=course)
        assert done.returncode == 0, done.stderr[-3000:]

    run("autograde", PS1)
    graded = read(str(course / "autograded" / "ada" / PS1 / "forward.ipynb"))
    record = graded.metadata[METADATA_KEY]["cells"]
    assert record["leaky_relu_test"]["mistakes"] == [{"id": SLOPE1.id, "name": SLOPE1.name}]
    assert "probes" not in record["leaky_relu_test"]  # a catalogued mistake needs none
    assert set(record["relu_test"]["probes"]) == {"forward.relu"}  # unexplained: fingerprinted
    run("generate_feedback", PS1)
    page = course / "feedback" / "ada" / PS1 / "forward.html"
    assert "also made this mistake" not in page.read_text()  # ps2 is not graded yet
    run("autograde", PS2)
    run("generate_feedback", PS2)
    run("generate_feedback", PS1)  # again, once ps2 is graded
    for assignment, notebook, other in ((PS1, "forward", PS2), (PS2, "backward", PS1)):
        html = (course / "feedback" / "ada" / assignment / f"{notebook}.html").read_text()
        soup = BeautifulSoup(html, "html.parser")
        section = soup.find(id="misconceptions")
        assert section is not None, assignment
        assert f"you also made this mistake in {other}" in section.get_text()
        assert (SLOPE1.name if assignment == PS1 else SLOPE2.name) in section.get_text()
        anchor = "section-md_leaky_relu" if assignment == PS1 else "section-md_part1"
        assert soup.find(id=anchor) is not None  # the link inside the page lands
