"""Regrade an assignment after a grader or a quiz key changed, and report whose score changed.

    python -m course.regrade ps1_forward                # what would change: nothing is written
    python -m course.regrade ps1_forward --apply        # then regrade the affected students
    python -m course.regrade ps1_forward --apply --release-feedback

Every submission in ``submitted/*/ASSIGNMENT/`` is graded again, with the course's current
graders and source notebooks, in a scratch copy of the course (its own gradebook, made by
``nbgrader generate_assignment`` from today's ``source/``), by the same parallel autograde as the
deadline run. Each cell's new score is compared with the gradebook's automatic score, and each
change is reported with the grader's old and new message (the verdicts only the grader writes,
read from the autograded notebooks):

* printed as a table;
* written to ``regrade/ASSIGNMENT.csv`` in the course folder (one row per changed cell);
* shown in the class report (``python -m course.report``), in a section of its own.

Nothing in the course's gradebook, ``autograded/`` or feedback changes without ``--apply``,
which then generates the assignment again from ``source/`` (as ``make release`` does: the
gradebook keeps the hidden tests autograde restores), autogrades the affected students in the
course itself (nbgrader writes the gradebook as at the deadline) and generates their
feedback; ``--release-feedback`` also releases it. Scores an instructor or the attempt policy
set by hand (nbgrader's manual scores) are left as they are and still take precedence.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import html
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from nbgrader.api import Gradebook

from course.class_statistics import cell_messages
from course.grade_on_submit import cell_scores
from course.grading_outcome import failure_table
from course.nbgrader_api import instructor_api, load_config
from course.parallel_autograde import autograde_class, submitted_students
from sandbox.limits import FILE as LIMITS

#: Characters of a grader's message kept in the report.
MESSAGE_CHARS = 400
#: Where the change reports are written, in the course folder.
FOLDER = "regrade"


@dataclass(frozen=True)
class Change:
    """One cell whose score the regrade changes."""

    student: str
    notebook: str
    cell: str
    old: float
    new: float
    delta: float
    old_message: str
    new_message: str


def scores(db_url: str, course_id: str, assignment: str,
           students: Sequence[str]) -> dict[tuple[str, str, str], float]:
    """The automatic score of each (student, notebook, cell) in a gradebook."""
    found = {}
    with Gradebook(db_url, course_id) as gradebook:
        for student in students:
            for key, points in cell_scores(gradebook, assignment, student).items():
                notebook, cell = key.split("/", 1)
                found[student, notebook, cell] = points
    return found


def messages(autograded: Path, assignment: str) -> dict[tuple[str, str, str], str]:
    """The grader's message on each (student, notebook, cell) of the autograded notebooks."""
    found = {}
    for path in sorted(autograded.glob(f"*/{assignment}/*.ipynb")):
        try:
            notebook = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for cell, message in cell_messages(notebook).items():
            found[path.parent.parent.name, path.stem, cell] = _short(message)
    return found


def _short(message: str) -> str:
    message = " ".join(message.split())
    return message if len(message) <= MESSAGE_CHARS else message[:MESSAGE_CHARS - 1] + "…"


def compare(old: dict[tuple[str, str, str], float], new: dict[tuple[str, str, str], float],
            old_messages: dict[tuple[str, str, str], str],
            new_messages: dict[tuple[str, str, str], str]) -> list[Change]:
    """Every cell whose score differs between ``old`` and ``new`` (a cell missing on one side
    counts as 0), sorted by student, notebook and cell."""
    changes = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key, 0.0), new.get(key, 0.0)
        if abs(after - before) > 1e-9:
            changes.append(Change(*key, before, after, after - before,
                                  old_messages.get(key, ""), new_messages.get(key, "")))
    return changes


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def scratch_copy(course: Path, assignment: str, students: Sequence[str], where: Path) -> Path:
    """A copy of the course's config, cell limits, ``source/ASSIGNMENT`` and the students'
    submissions in ``where/course``, with the assignment generated into its own gradebook and
    given the course's deadline."""
    scratch = where / "course"
    (scratch / "source").mkdir(parents=True)
    shutil.copy(course / "nbgrader_config.py", scratch)
    if (course / LIMITS).exists():
        shutil.copy(course / LIMITS, scratch)
    shutil.copytree(course / "source" / assignment, scratch / "source" / assignment)
    for student in students:
        shutil.copytree(course / "submitted" / student / assignment,
                        scratch / "submitted" / student / assignment, symlinks=True)
    result = instructor_api(scratch).generate_assignment(assignment, force=True)
    if not result.get("success"):
        raise RuntimeError(f"generate_assignment {assignment} failed:\n{result.get('log')}")
    config = load_config(course)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as real:
        duedate = real.find_assignment(assignment).duedate
    with Gradebook(_scratch_db(scratch), config.CourseDirectory.course_id) as gradebook:
        gradebook.update_or_create_assignment(assignment, duedate=duedate)
    return scratch


def _scratch_db(scratch: Path) -> str:
    return f"sqlite:///{scratch / 'gradebook.db'}?timeout=120"


def regrade(course: Path, assignment: str, workers: int | None = None,
            progress: bool = True) -> list[Change]:
    """Grade every submission of ``assignment`` again in a scratch copy of ``course``; return
    what changed against the course's gradebook. Writes nothing in ``course``."""
    course = course.resolve()
    config = load_config(course)
    db_url, course_id = config.CourseDirectory.db_url, config.CourseDirectory.course_id
    students = submitted_students(course, assignment)
    old = scores(db_url, course_id, assignment, students)
    old_messages = messages(course / "autograded", assignment)
    with tempfile.TemporaryDirectory(prefix="regrade-") as where:
        scratch = scratch_copy(course, assignment, students, Path(where))
        # The course's own secret: every student meets the hidden inputs they met before.
        secret = str(config.SealedExecute.get("secret_file", "") or "off")
        with _environment(BACKPROP_GRADEBOOK=_scratch_db(scratch), BACKPROP_SECRET=secret):
            outcomes = autograde_class(scratch, assignment, students, workers=workers,
                                       progress=sys.stderr if progress else None)
        if any(o.status != "graded" for o in outcomes):
            print(failure_table(outcomes), file=sys.stderr)
        new = scores(_scratch_db(scratch), course_id, assignment, students)
        new_messages = messages(scratch / "autograded", assignment)
    return compare(old, new, old_messages, new_messages)


def apply(course: Path, assignment: str, students: Sequence[str], workers: int | None = None,
          release: bool = False) -> None:
    """Generate ``assignment`` again from ``source/`` (the gradebook's copy of the hidden tests
    is what autograde restores), autograde ``students`` in the course itself, and generate (and
    with ``release``, release) their feedback."""
    api = instructor_api(course)
    generated = api.generate_assignment(assignment, force=True)
    if not generated.get("success"):
        raise RuntimeError(f"generate_assignment {assignment} failed:\n{generated.get('log')}")
    outcomes = autograde_class(course, assignment, students, workers=workers)
    print(failure_table(outcomes))
    for student in students:
        api.generate_feedback(assignment, student)
        if release:
            api.release_feedback(assignment, student)


def write_csv(changes: Sequence[Change], path: Path) -> Path:
    """One row per changed cell, with the columns of :class:`Change`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, [f.name for f in fields(Change)])
        writer.writeheader()
        writer.writerows(asdict(c) for c in changes)
    return path


def read_csv(path: Path) -> list[Change]:
    """The changes a :func:`write_csv` file holds."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [Change(r["student"], r["notebook"], r["cell"], float(r["old"]), float(r["new"]),
                       float(r["delta"]), r["old_message"], r["new_message"])
                for r in csv.DictReader(handle)]


def table(changes: Sequence[Change]) -> str:
    """The changes as plain text: who, which cell, old -> new, and the two messages."""
    if not changes:
        return "No score changes."
    students = sorted({c.student for c in changes})
    lines = [f"{len(changes)} cells of {len(students)} students change:"]
    for c in changes:
        lines.append(f"  {c.student}  {c.notebook}/{c.cell}  {c.old:g} -> {c.new:g} "
                     f"({c.delta:+g})")
        lines.append(f"      was: {c.old_message or '(no message)'}")
        lines.append(f"      now: {c.new_message or '(no message)'}")
    return "\n".join(lines)


def report_section(course: Path) -> str:
    """The class report's section on regrades: one table per ``regrade/*.csv`` (empty string
    when there is none)."""
    parts = []
    for path in sorted((course / FOLDER).glob("*.csv")):
        changes = read_csv(path)
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in (
                c.student, f"{c.notebook}/{c.cell}", f"{c.old:g}", f"{c.new:g}",
                f"{c.delta:+g}", c.old_message, c.new_message)) + "</tr>" for c in changes)
        header = "".join(f"<th>{h}</th>" for h in ("student", "cell", "old", "new", "change",
                                                     "old message", "new message"))
        summary = (f"{len(changes)} cells of {len({c.student for c in changes})} students "
                   "changed" if changes else "no score changed")
        parts.append(f"<h3>{html.escape(path.stem)}</h3><p>{summary}.</p>"
                     + (f"<table><tr>{header}</tr>{rows}</table>" if changes else ""))
    if not parts:
        return ""
    return ("<h2>Regrades</h2><p>What the latest <code>python -m course.regrade</code> of each "
            "assignment found: the cells whose score changes, with the grader's old and new "
            "message.</p>" + "".join(parts))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("--course", type=Path, default=Path.cwd())
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--apply", action="store_true",
                        help="regrade the affected students in the course's gradebook")
    parser.add_argument("--release-feedback", action="store_true",
                        help="with --apply: release the affected students' new feedback")
    args = parser.parse_args(argv)
    course = args.course.resolve()
    if not submitted_students(course, args.assignment):
        print(f"No submissions of {args.assignment} in {course / 'submitted'}.", file=sys.stderr)
        return 1
    changes = regrade(course, args.assignment, args.workers)
    print(table(changes))
    print(f"written: {write_csv(changes, course / FOLDER / f'{args.assignment}.csv')}")
    affected = sorted({c.student for c in changes})
    if args.apply and affected:
        apply(course, args.assignment, affected, args.workers, args.release_feedback)
        print(f"applied: {len(affected)} students regraded in the gradebook")
    elif affected:
        print("Nothing was written to the gradebook; run again with --apply to do so.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
