"""The whole course run (what `make demo` does) on a small simulated class: release, fetch,
submit, collect, autograde in parallel, feedback, grades and report, each student scored as
the simulator intended."""

from __future__ import annotations

import csv

import pytest

from course.late_penalty import PercentPerDayLate
from simulation.semester import run_semester, summary
from simulation.simulate import SPECIAL, UNGRADABLE

from .nbgrader_cli import digest

pytestmark = pytest.mark.notebooks

ASSIGNMENTS = ["ps1_forward", "quiz"]
STUDENTS = 2 * len(SPECIAL)  # the smallest class with one student of every special kind



@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("cycle") / "run"
    result = run_semester(workdir, ASSIGNMENTS, STUDENTS, seed=3, workers=2, cell_timeout=10,
                       progress=None)
    return result


def _grades(result):
    with result.grades_csv.open() as handle:
        return {(row["student_id"], row["assignment"]): row for row in csv.DictReader(handle)}


def test_every_student_scores_what_the_simulator_intended(cycle):
    grades = _grades(cycle)
    assert len(grades) == STUDENTS * len(ASSIGNMENTS)
    for plan in cycle.plans:
        row = grades[plan.student, plan.assignment]
        assert float(row["raw_score"]) == pytest.approx(plan.intended_score), plan


def test_the_late_student_loses_the_late_penalty(cycle):
    grades = _grades(cycle)
    late = [p for p in cycle.plans if p.profile == "late"]
    assert late
    for plan in late:
        row = grades[plan.student, plan.assignment]
        expected = PercentPerDayLate().late_submission_penalty(
            plan.student, plan.intended_score, 27 * 3600)
        assert float(row["late_submission_penalty"]) == pytest.approx(expected)
        assert float(row["score"]) == pytest.approx(plan.intended_score - expected)
    on_time = [row for (student, _), row in grades.items()
               if student not in {p.student for p in late}]
    assert all(float(row["late_submission_penalty"]) == 0.0 for row in on_time)


def test_ungradable_submissions_are_reported_and_the_rest_graded(cycle):
    for assignment, outcomes in cycle.outcomes.items():
        failed = {o.student: o.reason for o in outcomes if o.status != "graded"}
        hostile = {p.student: p.profile for p in cycle.plans
                   if p.assignment == assignment and p.profile in UNGRADABLE}
        assert set(failed) == set(hostile), assignment
        reasons = {hostile[s]: failed[s] for s in failed}
        assert "not valid JSON" in reasons["broken_file"]
        assert "kernel died" in reasons["kernel_killer"]
        assert "missing or renamed" in reasons["renamed"]
        kinds = {(f.student, f.kind) for f in cycle.findings[assignment]}
        assert {(s, "renamed") for s, p in hostile.items() if p == "renamed"} <= kinds


def test_students_received_feedback_that_hides_the_hidden_tests(cycle):
    pages = sorted(cycle.homes.glob("*/*/feedback/*/*.html"))
    graded = sum(1 for outcomes in cycle.outcomes.values() for o in outcomes
                 if o.status == "graded")
    assert len(pages) == graded == cycle.feedback_fetched
    for page in pages:
        text = page.read_text()
        assert "BEGIN HIDDEN TESTS" not in text and "grade_parts(" not in text


def test_the_report_has_every_plot_and_section(cycle):
    folder = cycle.report.parent
    assert {p.name for p in folder.glob("*.png")} == {
        "scores.png", "exercises.png", "quiz.png", "mistakes.png"}
    page = cycle.report.read_text()
    for section in ("Scores", "Exercises", "Quiz questions", "Common mistakes",
                    "Submissions that need a look"):
        assert f"<h2>{section}</h2>" in page


def test_the_summary_says_where_to_look(cycle):
    text = summary(cycle)
    assert str(cycle.report) in text and str(cycle.grades_csv) in text
    assert "could not be graded" in text


def test_submissions_in_the_exchange_are_never_modified(cycle):
    """Collect, autograde and feedback only read what students handed in: after the whole run,
    every file of every submission in the exchange is, byte for byte, the student's own copy
    that `nbgrader submit` took (but for the two files submit adds: timestamp.txt, which the late
    student's run also moves past the deadline on purpose, and submission_secret.txt)."""
    inbound = cycle.exchange / "backprop" / "inbound"
    folders = sorted(inbound.iterdir())
    assert len(folders) == len(cycle.plans)
    for folder in folders:
        student, assignment = folder.name.split("+")[:2]
        handed = digest(folder)
        del handed["timestamp.txt"], handed["submission_secret.txt"]
        own = digest(cycle.homes / student / assignment)
        assert handed and handed.items() <= own.items(), folder.name
