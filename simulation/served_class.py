"""A scratch course with the grading service (:mod:`course.serve`) and students who submit
through the exchange: what the service's tests and its latency benchmark run.

    course = ServedClass.create(tmp / "run", ["ps1_forward"], ["c.CourseServe.max_attempts = 2"])
    service = course.start_service(workers=2)
    folder = course.submit("student001", "ps1_forward")                   # every answer right
    course.submit("student002", "ps1_forward", {"sigmoid": WRONG})        # one exercise wrong
    pages = course.wait_for_feedback("student001", "ps1_forward", folder, timeout=300)
"""

from __future__ import annotations

import datetime
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.abc.exchange import ExchangeError

from course.nbgrader_api import load_config
from course.serve_journal import Journal
from sandbox.limits import FILE as LIMITS
from simulation.exercises import read_assignment
from simulation.notebooks import fill, read, write
from simulation.semester import release
from simulation.students import fetch, fetch_feedback, make_home, submit

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class ServedClass:
    """A course folder, its exchange and the students' homes, under one working folder."""

    workdir: Path
    course: Path
    exchange: Path
    course_id: str

    @classmethod
    def create(cls, workdir: Path, assignments: Sequence[str], config_lines: Sequence[str] = (),
               students: Sequence[str] = ()) -> ServedClass:
        """Copy the course's config (plus ``config_lines``) and sources into ``workdir/course``,
        generate and release ``assignments`` with a deadline a week away; the exchange is
        ``workdir/exchange`` (``BACKPROP_EXCHANGE`` is set for this process and its children)."""
        course = (workdir / "course").resolve()
        (course / "source").mkdir(parents=True)
        config = (ROOT / "nbgrader_config.py").read_text(encoding="utf-8")
        (course / "nbgrader_config.py").write_text(config + "\n" + "\n".join(config_lines) + "\n",
                                                   encoding="utf-8")
        if (ROOT / LIMITS).exists():
            shutil.copy(ROOT / LIMITS, course)
        for assignment in assignments:
            shutil.copytree(ROOT / "source" / assignment, course / "source" / assignment)
        exchange = (workdir / "exchange").resolve()
        exchange.mkdir(parents=True)
        os.environ["BACKPROP_EXCHANGE"] = str(exchange)
        os.environ.pop("BACKPROP_GRADEBOOK", None)
        deadline = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=7)
        release(course, assignments, list(students), {a: deadline for a in assignments})
        course_id = load_config(course).CourseDirectory.course_id
        return cls(workdir.resolve(), course, exchange, course_id)

    @property
    def inbound(self) -> Path:
        return self.exchange / self.course_id / "inbound"

    def home(self, student: str) -> Path:
        """The student's home, with their nbgrader settings."""
        return make_home(self.workdir / "homes", student, self.exchange, self.course_id)

    def answer(self, student: str, assignment: str, replaced: dict[str, str] | None = None
               ) -> Path:
        """``student`` fetches ``assignment`` (once) and fills in the instructor's solutions
        except the functions in ``replaced`` (name -> code); returns their home."""
        home = self.home(student)
        if not (home / assignment).is_dir():
            fetch(home, student, assignment)
        for plan in read_assignment(self.course / "source", assignment):
            notebook = read(str(self.course / "release" / assignment / plan.notebook))
            for target, solution in plan.solutions.items():
                fill(notebook, target, (replaced or {}).get(target, solution))
            write(notebook, str(home / assignment / plan.notebook))
        return home

    def submit(self, student: str, assignment: str, replaced: dict[str, str] | None = None
               ) -> str:
        """:meth:`answer`, then ``nbgrader submit``; returns the new inbound folder."""
        home = self.answer(student, assignment, replaced)
        before = set(os.listdir(self.inbound))
        submit(home, student, assignment)
        (new,) = set(os.listdir(self.inbound)) - before
        return new

    def submit_by_hand(self, student: str, assignment: str, timestamp: str,
                       make: Callable[[Path], None]) -> str:
        """What a hostile student can do without nbgrader's submit: write a folder straight
        into the inbound folder (``make(folder)`` fills it), claiming ``timestamp``; the
        student's own cache gets a matching record, so ``fetch_feedback`` looks for its
        feedback. Returns the inbound folder's name."""
        name = f"{student}+{assignment}+{timestamp}"
        secret = secrets.token_hex(64)
        cache = self.home(student) / ".nbgrader_cache" / self.course_id / name
        staging = self.workdir / "staging" / name
        for folder in (cache, staging):
            folder.mkdir(parents=True)
            (folder / "timestamp.txt").write_text(timestamp)
            (folder / "submission_secret.txt").write_text(secret)
        for plan in read_assignment(self.course / "source", assignment):
            shutil.copy(self.course / "release" / assignment / plan.notebook, cache)
        make(staging)
        folder = f"{name}+{secrets.token_urlsafe(9)}"
        os.rename(staging, self.inbound / folder)  # appears whole, as a hostile writer may
        return folder

    def start_service(self, workers: int = 2, log_name: str = "serve.log"
                      ) -> subprocess.Popen[bytes]:
        """Start ``python -m course.serve`` on the course, its log in ``workdir/log_name``."""
        with (self.workdir / log_name).open("ab") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "course.serve", "--course", str(self.course),
                 "--workers", str(workers)], cwd=self.course, stdin=subprocess.DEVNULL,
                stdout=log, stderr=log, env={**os.environ, "PATH": _path()})

    def stop_service(self, service: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
        """Stop the service with ``sig`` and wait for it."""
        if service.poll() is None:
            service.send_signal(sig)
        service.wait(60)

    def journal(self) -> Journal:
        """What the service's journal says now."""
        return Journal.open(self.course / "serve" / "journal.jsonl")

    def done(self, folder: str) -> dict | None:
        """The journal's ``done`` line of an inbound folder, or None."""
        entry = self.journal().entries.get(folder)
        return entry.done if entry else None

    def feedback(self, student: str, assignment: str, folder: str) -> list[Path]:
        """Fetch ``student``'s feedback now; the pages of the submission ``folder`` (an empty
        list while there are none)."""
        stamp = folder.split("+")[2]
        try:
            fetched = fetch_feedback(self.home(student), student, assignment)
        except ExchangeError:  # nothing released to anyone yet
            return []
        return [p for p in fetched if p.parent.name == stamp]

    def wait_for_feedback(self, student: str, assignment: str, folder: str,
                          timeout: float, poll: float = 1.0) -> list[Path]:
        """Fetch ``student``'s feedback every ``poll`` seconds until the pages of the
        submission ``folder`` arrive (or ``timeout`` seconds pass: then an empty list)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pages = self.feedback(student, assignment, folder)
            if pages:
                return pages
            time.sleep(poll)
        return []

    def score(self, student: str, assignment: str) -> float | None:
        """The student's score in the gradebook, or None without a submission."""
        config = load_config(self.course)
        with Gradebook(config.CourseDirectory.db_url, self.course_id) as gradebook:
            try:
                return gradebook.find_submission(assignment, student).score
            except MissingEntry:
                return None


def _path() -> str:
    """PATH with this Python's scripts first (nbgrader runs ``alembic`` by name)."""
    return f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
