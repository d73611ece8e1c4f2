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
    python -m course.parallel_autograde ps1_forward ps2_backward quiz   # one pool for all three
    python -m course.parallel_autograde ps1_forward --scheduler tcp://10.0.0.5:8786   # on Dask

With ``--scheduler`` the students are graded on a Dask cluster instead of local workers (see
``course.dask_grading`` for what its workers need).

It grades every student with a folder in ``submitted/<student>/<assignment>/`` and ends with a
table of what failed and why. Several assignments share one pool: a worker takes the next
submission whatever its assignment, so no core idles while one assignment's last students are
graded.
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
    """Worker: autograde the (assignment, student) pairs sent on ``connection`` until None,
    answering each with nbgrader's result; ``parent`` is the process id of the process that
    started the worker."""
    os.setpgrp()  # a stuck worker can be killed together with what it started
    die_with_parent(parent)
    limit_memory()
    limit_blas_threads()
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (1, 2):  # kernels inherit these; nbgrader's log is captured per student
        os.dup2(devnull, stream)
    while (task := connection.recv()) is not None:
        assignment, student = task
        connection.send(grade_student(course, assignment, student))


class _Worker:
    """One worker process, its end of the pipe, and the (assignment, student) it is grading."""

    def __init__(self, context: Any, course: Path) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_grade_students,
                                       args=(str(course), child, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.task: tuple[str, str] | None = None
        self.started = 0.0

    def give(self, task: tuple[str, str]) -> None:
        self.task, self.started = task, time.monotonic()
        self.connection.send(task)

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


def _grade_locally(course: Path, tasks: list[tuple[str, str]], workers: int | None,
                   student_timeout: float, bar: ProgressBar) -> dict[tuple[str, str], Outcome]:
    """Grade every (assignment, student) of ``tasks`` with a pool of ``workers`` processes
    (default: one per core), in the order given; the outcome of each task."""
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    count = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    pool = [_Worker(context, course) for _ in range(count)]
    todo = list(reversed(tasks))
    outcomes: dict[tuple[str, str], Outcome] = {}
    many = len({assignment for assignment, _ in tasks}) > 1
    try:
        while len(outcomes) < len(tasks):
            for worker in pool:
                if worker.task is None and todo:
                    worker.give(todo.pop())
            busy = {w.connection: w for w in pool if w.task is not None}
            for ready in multiprocessing.connection.wait(list(busy), timeout=1.0):
                worker = busy[ready]
                task = worker.task
                try:
                    result = ready.recv()
                except (EOFError, OSError):  # the worker died without answering
                    result = {"success": False, "error": "the grading process died", "log": "",
                              "seconds": time.monotonic() - worker.started}
                    worker.kill()
                    pool[pool.index(worker)] = _Worker(context, course)
                outcome = outcome_of(task[1], result)
                outcomes[task] = outcome
                worker.task = None
                which = f"{task[0]} {task[1]}" if many else task[1]
                bar.advance(f"{which} {outcome.status} ({outcome.seconds:.1f} s)")
            for index, worker in enumerate(pool):
                if worker.task and time.monotonic() - worker.started > student_timeout:
                    worker.kill()
                    outcomes[worker.task] = Outcome(
                        worker.task[1], "stopped", time.monotonic() - worker.started,
                        f"grading took longer than {student_timeout:g} s in all and was stopped")
                    bar.advance(f"{worker.task[1]} stopped")
                    pool[index] = _Worker(context, course)
    finally:
        for worker in pool:
            worker.stop()
    return outcomes


def autograde_class(course: Path, assignment: str, students: Sequence[str] | None = None, *,
                    workers: int | None = None, student_timeout: float = 600.0,
                    progress: TextIO | None = sys.stderr, scheduler: Any = None
                    ) -> list[Outcome]:
    """Autograde ``students`` (default: every submitted one) of ``assignment`` in ``course``
    with ``workers`` processes (default: one per core), or on the Dask cluster of
    ``scheduler`` (an address or a ``distributed.Client``) when given. Returns one outcome per
    student, in the order of ``students``; never raises because of what a student submitted."""
    return autograde_assignments(
        course, [assignment], None if students is None else {assignment: students},
        workers=workers, student_timeout=student_timeout, progress=progress,
        scheduler=scheduler)[assignment]


def autograde_assignments(course: Path, assignments: Sequence[str],
                          students: dict[str, Sequence[str]] | None = None, *,
                          workers: int | None = None, student_timeout: float = 600.0,
                          progress: TextIO | None = sys.stderr, scheduler: Any = None
                          ) -> dict[str, list[Outcome]]:
    """Autograde several assignments in one pool: each worker takes the next (assignment,
    student) whatever its assignment, so no core waits while the last students of one
    assignment are graded. ``students``: assignment -> the students to grade (default: every
    submitted one). Returns assignment -> one outcome per student, in order. On Dask
    (``scheduler``), the assignments are sent one after another."""
    course = course.resolve()
    assignments = list(dict.fromkeys(assignments))
    wanted = {a: list(submitted_students(course, a) if students is None or a not in students
                      else students[a]) for a in assignments}
    tasks = list(dict.fromkeys((a, student) for a in assignments for student in wanted[a]))
    if not tasks:
        return {a: [] for a in assignments}
    config = load_config(course)
    allow_concurrent_writers(config.CourseDirectory.db_url)
    if scheduler is not None:
        return {a: autograde_on_dask(course, a, wanted[a], scheduler, student_timeout, progress)
                if wanted[a] else [] for a in assignments}
    bar = ProgressBar(f"autograde {' '.join(a for a in assignments if wanted[a])}",
                      len(tasks), progress)
    try:
        outcomes = _grade_locally(course, tasks, workers, student_timeout, bar)
    finally:
        bar.close()
    return {a: [outcomes[a, student] for student in wanted[a]] for a in assignments}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="+", metavar="assignment",
                        help="one or more assignments, graded in one pool of workers")
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
    graded = autograde_assignments(args.course, args.assignments, workers=args.workers,
                                   student_timeout=args.student_timeout,
                                   scheduler=args.scheduler)
    status = 0
    for assignment, outcomes in graded.items():
        if not outcomes:
            print(f"No submissions of {assignment} in {args.course / 'submitted'}.",
                  file=sys.stderr)
            status = 1
            continue
        if len(graded) > 1:
            print(f"{assignment}:")
        print(failure_table(outcomes))
    return status


if __name__ == "__main__":
    sys.exit(main())
