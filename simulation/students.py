"""Students' side of the course, through nbgrader's exchange: fetch, submit, fetch feedback.

Each simulated student has a home folder with the ``nbgrader_config.py`` a JupyterHub admin would
give them (the course id, the shared exchange, a private cache), so the same home also works
with the command line::

    cd homes/student001
    nbgrader fetch_assignment ps1_forward
    nbgrader submit ps1_forward --student=student001
    nbgrader fetch_feedback ps1_forward --student=student001

The functions below run the exchange classes behind those commands in-process (the commands
spend seconds starting up; a class of hundreds would wait minutes for nothing).
"""

from __future__ import annotations

import os
from pathlib import Path

from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default import (
    ExchangeFetchAssignment,
    ExchangeFetchFeedback,
    ExchangeSubmit,
)
from nbgrader.utils import parse_utc

from course.nbgrader_api import load_config

STUDENT_CONFIG = """\
# nbgrader settings of one student of the backpropagation course.
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {course_id!r}
c.Exchange.root = {exchange!r}
c.Exchange.cache = {cache!r}
c.Exchange.assignment_dir = {home!r}
"""


def make_home(homes: Path, student: str, exchange: Path, course_id: str) -> Path:
    """Create ``homes/<student>/`` with the student's ``nbgrader_config.py``; return it."""
    home = (homes / student).resolve()
    home.mkdir(parents=True, exist_ok=True)
    (home / "nbgrader_config.py").write_text(STUDENT_CONFIG.format(
        course_id=course_id, exchange=str(exchange.resolve()), cache=str(home / ".nbgrader_cache"),
        home=str(home)))
    return home


def _run(exchange_class: type, home: Path, student: str, assignment: str) -> None:
    config = load_config(home)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    coursedir.student_id = student
    step = exchange_class(coursedir=coursedir, authenticator=Authenticator(config=config),
                          config=config)
    step.start()


def fetch(home: Path, student: str, assignment: str) -> Path:
    """``nbgrader fetch_assignment``: copy the released assignment into the home; its folder."""
    _run(ExchangeFetchAssignment, home, student, assignment)
    return home / assignment


def submit(home: Path, student: str, assignment: str) -> None:
    """``nbgrader submit --student=<student>``: hand in ``home/<assignment>/``."""
    _run(ExchangeSubmit, home, student, assignment)


def fetch_feedback(home: Path, student: str, assignment: str) -> list[Path]:
    """``nbgrader fetch_feedback``: the feedback pages now in ``home/<assignment>/feedback/``."""
    _run(ExchangeFetchFeedback, home, student, assignment)
    return sorted((home / assignment / "feedback").rglob("*.html"))


def set_submission_time(exchange: Path, course_id: str, student: str, assignment: str,
                        when: str) -> Path:
    """Make ``student``'s latest submission look handed in at ``when`` (an nbgrader timestamp,
    e.g. ``2026-11-24 13:00:00.000000 UTC``). The simulated class submits within seconds; this
    stands in for a student who submits a day late. Renames the inbound folder and rewrites its
    timestamp.txt, the two places nbgrader reads the time from; returns the new folder."""
    inbound = exchange / course_id / "inbound"
    prefix = f"{student}+{assignment}+"
    folders = sorted((p for p in inbound.iterdir() if p.name.startswith(prefix)),
                     key=lambda p: parse_utc(p.name.split("+")[2]))
    if not folders:
        raise FileNotFoundError(f"{student} has not submitted {assignment}")
    latest = folders[-1]
    parts = latest.name.split("+")
    parts[2] = when
    moved = latest.with_name("+".join(parts))
    os.rename(latest, moved)
    stamp = moved / "timestamp.txt"
    os.chmod(stamp, 0o644)
    stamp.write_text(when)
    return moved
