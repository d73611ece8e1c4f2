"""The README's commands, run as they are written, for a class of two: the instructor's and the
students' halves of the cycle through the real `nbgrader` command line and the exchange."""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import pytest

from simulation.exercises import read_assignment
from simulation.simulate import StudentPlan, write_submission
from simulation.students import make_home

from .nbgrader_cli import SOURCE, nbgrader, scratch_course

pytestmark = pytest.mark.notebooks


def _ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def course_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("commands")
    course = scratch_course(tmp, ["ps1_forward"])
    env = {"BACKPROP_EXCHANGE": str(tmp / "exchange"), "BACKPROP_CELL_TIMEOUT": "10"}
    (tmp / "exchange").mkdir()
    (course / "roster.csv").write_text("id,first_name,last_name,email\n"
                                       "ada,Ada,L,ada@example.org\nbob,Bob,K,bob@example.org\n")

    def instructor(*args):
        return _ok(nbgrader(*args, cwd=course, env=env))

    instructor("generate_assignment", "ps1_forward", "--force")
    instructor("db", "assignment", "add", "ps1_forward", "--duedate=2099-12-04 17:00:00 UTC")
    instructor("db", "student", "import", "roster.csv")
    instructor("release_assignment", "ps1_forward")
    plan = read_assignment(SOURCE, "ps1_forward")[0]
    for student, choice in (("ada", "correct"), ("bob", "blank")):
        home = make_home(tmp / "homes", student, tmp / "exchange", "backprop")
        _ok(nbgrader("fetch_assignment", "ps1_forward", cwd=home, env=env))
        answers = StudentPlan(student, "typical", "ps1_forward",
                              {e.target: choice for e in plan.exercises})
        write_submission(plan, home, answers, home / "ps1_forward")
        _ok(nbgrader("submit", "ps1_forward", f"--student={student}", cwd=home, env=env))
    instructor("collect", "ps1_forward")
    graded = _ok(subprocess.run(
        [sys.executable, "-m", "course.parallel_autograde", "ps1_forward", "--workers", "2"],
        cwd=course, capture_output=True, text=True, timeout=600,
        env={**os.environ, **env}))
    instructor("generate_feedback", "ps1_forward")
    instructor("release_feedback", "ps1_forward")
    for student in ("ada", "bob"):
        _ok(nbgrader("fetch_feedback", "ps1_forward", f"--student={student}",
                     cwd=tmp / "homes" / student, env=env))
    instructor("export", "--to", "grades.csv")
    report = _ok(subprocess.run([sys.executable, "-m", "course.report", "ps1_forward"],
                                cwd=course, capture_output=True, text=True, timeout=300))
    return course, tmp / "homes", graded.stdout, report.stdout


def test_the_grades_csv_has_each_students_score(course_run):
    course, *_ = course_run
    with (course / "grades.csv").open() as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert float(rows["ada"]["score"]) == 30.0
    assert float(rows["bob"]["score"]) == 0.0
    assert rows["ada"]["first_name"] == "Ada"


def test_parallel_autograde_reports_every_submission_graded(course_run):
    _, _, graded, _ = course_run
    assert "All 2 submissions were graded." in graded


def test_students_fetch_their_own_feedback(course_run):
    _, homes, _, _ = course_run
    for student in ("ada", "bob"):
        pages = list((homes / student / "ps1_forward" / "feedback").rglob("forward.html"))
        assert len(pages) == 1
    assert "sigmoid" in pages[0].read_text()


def test_the_report_command_writes_the_page(course_run):
    course, _, _, report = course_run
    assert report.strip() == str(course / "report" / "index.html")
    assert (course / "report" / "scores.png").stat().st_size > 1000

