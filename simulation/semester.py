"""The whole course run for a simulated class: what ``make demo`` does.

In a fresh working folder (default ``demo/``), with its own exchange and gradebook:

1. the instructor generates the assignments from ``source/``, sets their deadlines, adds the
   class roster to the gradebook and releases the assignments through the exchange;
2. every simulated student (``simulation.simulate``) fetches each assignment into their home,
   writes their answers and submits through the exchange; one submits a day late;
3. the instructor collects, looks over the submissions (``course.preflight``), autogrades the
   class in parallel (``course.parallel_autograde``), generates and releases feedback (the
   students fetch it), exports the grades to CSV and writes the class report;
4. a summary table says how the class did and where to look.

Every step is nbgrader's own code: the API and exchange classes behind the ``nbgrader``
commands, and the ``nbgrader export`` command itself.

    python -m simulation.semester --students 30 --seed 7 --workdir demo
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TextIO

from nbgrader.api import Gradebook

from course.class_statistics import grading_records
from course.grading_outcome import Outcome, failure_table
from course.nbgrader_api import instructor_api, load_config
from course.parallel_autograde import autograde_class
from course.preflight import Finding, check_class
from course.report import write_report
from sandbox.limits import FILE as LIMITS
from simulation.simulate import (
    SPECIAL,
    StudentPlan,
    make_roster,
    plan_class,
    save_plans,
    write_submission,
)
from simulation.students import fetch, fetch_feedback, make_home, set_submission_time, submit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ASSIGNMENTS = ("ps1_forward", "ps2_backward", "quiz")
#: How late the "late" student hands in: 27 hours, two started days (20% with the course rule).
LATENESS = timedelta(hours=27)
TIMESTAMP = "%Y-%m-%d %H:%M:%S.%f %Z"


@dataclass
class SemesterResult:
    """Where everything the run made is, and what happened."""

    course: Path
    exchange: Path
    homes: Path
    plans: list[StudentPlan]
    duedates: dict[str, datetime]
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # assignment -> findings
    outcomes: dict[str, list[Outcome]] = field(default_factory=dict)  # assignment -> outcomes
    grades_csv: Path | None = None
    report: Path | None = None
    feedback_fetched: int = 0


class _Steps:
    """Prints each step's name and how long it took."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream

    def run(self, title: str, action: Callable[[], Any]) -> Any:
        start = time.monotonic()
        if self.stream:
            print(f"==> {title}", file=self.stream, flush=True)
        result = action()
        if self.stream:
            print(f"    done in {time.monotonic() - start:.1f} s", file=self.stream, flush=True)
        return result


def _check(result: dict[str, Any], what: str) -> None:
    if not result.get("success"):
        raise RuntimeError(f"{what} failed:\n{result.get('log', '')}\n{result.get('error', '')}")


def set_up_course(workdir: Path, assignments: Sequence[str], cell_timeout: int) -> Path:
    """A fresh course folder in ``workdir/course`` (config and source notebooks), with the
    exchange in ``workdir/exchange``; the environment points nbgrader at them."""
    if workdir.exists():
        shutil.rmtree(workdir)
    course = workdir / "course"
    (course / "source").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    if (ROOT / LIMITS).exists():  # each cell's time limit (sandbox.limits)
        shutil.copy(ROOT / LIMITS, course)
    for assignment in assignments:
        shutil.copytree(ROOT / "source" / assignment, course / "source" / assignment)
    os.environ["BACKPROP_EXCHANGE"] = str((workdir / "exchange").resolve())
    os.environ["BACKPROP_CELL_TIMEOUT"] = str(cell_timeout)
    os.environ.pop("BACKPROP_GRADEBOOK", None)
    (workdir / "exchange").mkdir()
    return course.resolve()


def release(course: Path, assignments: Sequence[str], students: Sequence[str],
            duedates: dict[str, datetime]) -> None:
    """Generate, set deadlines, add the roster, and release every assignment."""
    api = instructor_api(course)
    for assignment in assignments:
        _check(api.generate_assignment(assignment, force=True), f"generate {assignment}")
    config = load_config(course)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gradebook:
        for assignment in assignments:
            gradebook.update_or_create_assignment(assignment, duedate=duedates[assignment])
        for student in students:
            gradebook.update_or_create_student(student, first_name="Student",
                                               last_name=student.removeprefix("student"))
    for assignment in assignments:
        _check(api.release_assignment(assignment), f"release {assignment}")


def students_submit(course: Path, exchange: Path, homes: Path,
                    planned: list[tuple[Any, StudentPlan]], duedates: dict[str, datetime]) -> None:
    """Each student fetches, answers and submits each assignment; the late one is moved past
    the deadline."""
    course_id = load_config(course).CourseDirectory.course_id
    for notebook_plan, plan in planned:
        home = make_home(homes, plan.student, exchange, course_id)
        folder = fetch(home, plan.student, plan.assignment)
        write_submission(notebook_plan, home, plan, folder)
        submit(home, plan.student, plan.assignment)
        if plan.profile == "late":
            when = (duedates[plan.assignment] + LATENESS).strftime(TIMESTAMP)
            set_submission_time(exchange, course_id, plan.student, plan.assignment, when)


def collect_and_grade(course: Path, assignment: str, students: Sequence[str],
                      duedate: datetime, workers: int | None,
                      progress: TextIO | None, scheduler: str | None = None
                      ) -> tuple[list[Finding], list[Outcome]]:
    """Collect the submissions, look them over, autograde them in parallel."""
    _check(instructor_api(course).collect(assignment), f"collect {assignment}")
    findings = check_class(course, assignment, list(students), duedate)
    outcomes = autograde_class(course, assignment, workers=workers, progress=progress,
                               scheduler=scheduler)
    return findings, outcomes


def hand_back_feedback(course: Path, homes: Path, assignment: str,
                       students: Sequence[str]) -> int:
    """Generate and release feedback; every student fetches theirs. Returns how many pages
    students received."""
    api = instructor_api(course)
    _check(api.generate_feedback(assignment), f"generate feedback for {assignment}")
    _check(api.release_feedback(assignment), f"release feedback for {assignment}")
    return sum(len(fetch_feedback(homes / student, student, assignment)) for student in students
               if (homes / student).is_dir())


def export_grades(course: Path) -> Path:
    """``nbgrader export``: every student's score per assignment, in ``grades.csv``."""
    nbgrader = Path(sys.executable).with_name("nbgrader")
    env = {**os.environ, "PATH": f"{nbgrader.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([str(nbgrader), "export", "--to", "grades.csv"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader export failed:\n{done.stderr[-3000:]}")
    return course / "grades.csv"


def run_semester(workdir: Path, assignments: Sequence[str] = DEFAULT_ASSIGNMENTS,
              students: int = 30, seed: int = 7, workers: int | None = None,
              cell_timeout: int = 15, progress: TextIO | None = sys.stderr,
              scheduler: str | None = None) -> SemesterResult:
    """Run the whole course for a simulated class; see the module docstring."""
    steps = _Steps(progress)
    guarantee = SPECIAL if students >= 2 * len(SPECIAL) else ()
    roster = make_roster(students, seed, guarantee)
    ids = [student for student, _ in roster]
    course = set_up_course(workdir, assignments, cell_timeout)
    exchange, homes = workdir.resolve() / "exchange", workdir.resolve() / "homes"
    deadline = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)
    duedates = {assignment: deadline for assignment in assignments}
    steps.run(f"instructor: generate and release {', '.join(assignments)}",
              lambda: release(course, assignments, ids, duedates))
    planned = plan_class(course / "source", list(assignments), roster, seed)
    plans = [plan for _, plan in planned]
    save_plans(plans, workdir / "class.json")
    steps.run(f"{students} students: fetch, answer, submit",
              lambda: students_submit(course, exchange, homes, planned, duedates))
    result = SemesterResult(course, exchange, homes, plans, duedates)
    where = f"on Dask at {scheduler}" if scheduler else f"{workers or os.cpu_count()} workers"
    for assignment in assignments:
        result.findings[assignment], result.outcomes[assignment] = steps.run(
            f"instructor: collect and autograde {assignment} ({where})",
            lambda a=assignment: collect_and_grade(course, a, ids, duedates[a], workers, progress,
                                                   scheduler))
        result.feedback_fetched += steps.run(
            f"instructor: feedback for {assignment}; students fetch it",
            lambda a=assignment: hand_back_feedback(course, homes, a, ids))
    result.grades_csv = steps.run("instructor: export grades", lambda: export_grades(course))
    result.report = steps.run("instructor: class report", lambda: write_report(
        course, list(assignments), result.findings, result.outcomes))
    return result


def summary(result: SemesterResult) -> str:
    """How the class did per assignment, what could not be graded, and where to look."""
    with result.grades_csv.open() as handle:
        rows = list(csv.DictReader(handle))
    lines = ["", "assignment          students  mean score  max  late  not graded"]
    for assignment, outcomes in result.outcomes.items():
        mine = [r for r in rows if r["assignment"] == assignment]
        scores = [float(r["score"]) for r in mine]
        late = sum(1 for r in mine if float(r["late_submission_penalty"] or 0) > 0)
        failed = sum(1 for o in outcomes if o.status != "graded")
        lines.append(f"{assignment:<18}  {len(mine):>8}  {sum(scores) / len(scores):>10.1f}  "
                     f"{float(mine[0]['max_score']):>3.0f}  {late:>4}  {failed:>10}")
    for assignment, outcomes in result.outcomes.items():
        lines += ["", f"{assignment}: {failure_table(outcomes)}"]
        problems = result.findings[assignment]
        if problems:
            lines.append(f"{assignment}: what the look-over found:")
            lines += [f"  {f.student}: {f.message}" for f in problems]
    modes: Counter[str] = Counter()
    for assignment in result.outcomes:
        modes += grading_records(result.course / "autograded", assignment)[0]
    lines += ["", "graded in the sandbox: " + ", ".join(
        f"{count} notebooks in the {mode} mode" for mode, count in modes.items()) +
        " (the report lists what it stopped or cut)"]
    lines += ["", f"grades:   {result.grades_csv}", f"report:   {result.report}",
              f"feedback: {result.feedback_fetched} pages fetched by students into "
              f"{result.homes}/<student>/<assignment>/feedback/"]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the course for a simulated class.")
    parser.add_argument("--workdir", type=Path, default=ROOT / "demo",
                        help="where the course, exchange and homes are made (emptied first)")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--assignments", nargs="+", default=list(DEFAULT_ASSIGNMENTS))
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    parser.add_argument("--scheduler", default=None,
                        help="autograde on the Dask cluster with this scheduler address")
    parser.add_argument("--cell-timeout", type=int, default=15,
                        help="seconds a cell may run while grading (default 15)")
    args = parser.parse_args(argv)
    start = time.monotonic()
    result = run_semester(args.workdir, args.assignments, args.students, args.seed, args.workers,
                       args.cell_timeout, scheduler=args.scheduler)
    print(summary(result))
    print(f"\nThe whole run took {time.monotonic() - start:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
