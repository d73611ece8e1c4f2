"""Autograde a whole class across worker processes, into one gradebook.

``nbgrader autograde ps1_forward`` grades one student after another, and stops at the first
submission it cannot process: the students after it are not graded at all. This command runs
nbgrader's own autograde (:meth:`nbgrader.apps.NbGraderAPI.autograde`, the code behind the
command) for one student at a time in each of several worker processes (default: one per core):

* every worker writes to the same gradebook; a SQLite gradebook is switched to write-ahead
  logging first and the course's URL carries a busy timeout, so writers take turns instead of
  failing with "database is locked";
* a student whose autograde fails (a notebook that is not JSON, a kernel that dies...) is
  recorded with the reason from nbgrader's log, and the worker goes on with the next student;
* a student whose grading runs past ``--student-timeout`` seconds in all (nbgrader already
  stops each cell after the course's cell timeout) has their worker killed and replaced;
* the scores are those sequential ``nbgrader autograde`` gives: the same code grades each
  student, and no student's grading depends on another's.

Run from the course folder::

    python -m course.parallel_autograde ps1_forward --workers 2
    python -m course.parallel_autograde ps1_forward --scheduler tcp://10.0.0.5:8786   # on Dask

With ``--scheduler`` the students are graded on a Dask cluster instead of local workers (see
``course.dask_grading`` for what its workers need).

It grades every student with a folder in ``submitted/<student>/<assignment>/`` and ends with a
table of what failed and why.
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from course.dask_grading import autograde_on_dask
from course.grade_student import grade_student
from course.grading_outcome import Outcome, failure_table, outcome_of
from course.nbgrader_api import allow_concurrent_writers, load_config
from course.progress import ProgressBar
from course.worker_limits import die_with_parent, limit_blas_threads, limit_memory


def submitted_students(course: Path, assignment: str) -> list[str]:
    """Students with a submission folder for ``assignment``, sorted."""
    submitted = course / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir())


def _grade_students(course: str, connection: multiprocessing.connection.Connection,
                    parent: int) -> None:
    """Worker: autograde the (assignment, student) pairs sent on ``connection`` until None;
    ``parent`` is the process id of the process that started the worker."""
    os.setpgrp()  # a stuck worker can be killed together with what it started
    die_with_parent(parent)
    limit_memory()
    limit_blas_threads()
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (1, 2):  # kernels inherit these; nbgrader's log is captured per student
        os.dup2(devnull, stream)
    while (task := connection.recv()) is not None:
        assignment, student = task
        connection.send((student, grade_student(course, assignment, student)))


class _Worker:
    """One worker process, its end of the pipe, and the student it is grading."""

    def __init__(self, context: Any, course: Path) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_grade_students,
                                       args=(str(course), child, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.student: str | None = None
        self.started = 0.0

    def give(self, assignment: str, student: str) -> None:
        self.student, self.started = student, time.monotonic()
        self.connection.send((assignment, student))

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            self.process.kill()
        self.process.join(5)

    def stop(self) -> None:
        try:
            self.connection.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(30)
        if self.process.is_alive():
            self.kill()


def autograde_class(course: Path, assignment: str, students: Sequence[str] | None = None, *,
                    workers: int | None = None, student_timeout: float = 600.0,
                    progress: TextIO | None = sys.stderr, scheduler: Any = None
                    ) -> list[Outcome]:
    """Autograde ``students`` (default: every submitted one) of ``assignment`` in ``course``
    with ``workers`` processes (default: one per core), or on the Dask cluster of
    ``scheduler`` (an address or a ``distributed.Client``) when given. Returns one outcome per
    student, in the order of ``students``; never raises because of what a student submitted."""
    course = course.resolve()
    students = list(submitted_students(course, assignment) if students is None else students)
    if not students:
        return []
    config = load_config(course)
    allow_concurrent_writers(config.CourseDirectory.db_url)
    if scheduler is not None:
        return autograde_on_dask(course, assignment, students, scheduler, student_timeout,
                                 progress)
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    count = max(1, min(workers or os.cpu_count() or 1, len(students)))
    pool = [_Worker(context, course) for _ in range(count)]
    todo = list(reversed(students))
    outcomes: dict[str, Outcome] = {}
    bar = ProgressBar(f"autograde {assignment}", len(students), progress)
    try:
        while len(outcomes) < len(students):
            for worker in pool:
                if worker.student is None and todo:
                    worker.give(assignment, todo.pop())
            busy = {w.connection: w for w in pool if w.student is not None}
            for ready in multiprocessing.connection.wait(list(busy), timeout=1.0):
                worker = busy[ready]
                try:
                    student, result = ready.recv()
                except (EOFError, OSError):  # the worker died without answering
                    student = worker.student
                    result = {"success": False, "error": "the grading process died", "log": "",
                              "seconds": time.monotonic() - worker.started}
                    worker.kill()
                    pool[pool.index(worker)] = _Worker(context, course)
                outcome = outcome_of(student, result)
                outcomes[student] = outcome
                worker.student = None
                bar.advance(f"{student} {outcome.status} ({outcome.seconds:.1f} s)")
            for index, worker in enumerate(pool):
                if worker.student and time.monotonic() - worker.started > student_timeout:
                    worker.kill()
                    outcomes[worker.student] = Outcome(
                        worker.student, "stopped", time.monotonic() - worker.started,
                        f"grading took longer than {student_timeout:g} s in all and was stopped")
                    bar.advance(f"{worker.student} stopped")
                    pool[index] = _Worker(context, course)
    finally:
        for worker in pool:
            worker.stop()
        bar.close()
    return [outcomes[student] for student in students]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("--course", type=Path, default=Path.cwd(),
                        help="the course folder, with nbgrader_config.py (default: here)")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes (default: one per core)")
    parser.add_argument("--student-timeout", type=float, default=600.0,
                        help="seconds one student's grading may take in all (default 600)")
    parser.add_argument("--scheduler", default=None,
                        help="grade on the Dask cluster with this scheduler address "
                             "(e.g. tcp://10.0.0.5:8786) instead of local workers")
    args = parser.parse_args(argv)
    outcomes = autograde_class(args.course, args.assignment, workers=args.workers,
                               student_timeout=args.student_timeout, scheduler=args.scheduler)
    if not outcomes:
        print(f"No submissions of {args.assignment} in {args.course / 'submitted'}.",
              file=sys.stderr)
        return 1
    print(failure_table(outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
