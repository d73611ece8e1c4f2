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
import resource
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from course.dask_grading import autograde_on_dask
from course.grade_student import grade_student
from course.nbgrader_api import allow_concurrent_writers, load_config
from course.progress import ProgressBar

#: Lines of nbgrader's log that say an error happened but not which.
GENERIC_ERRORS = ("There was an error processing", "Traceback", "Please see the",
                  "Removing failed assignment")

#: What nbgrader's log or exception says (any of the patterns) -> the reason an instructor reads.
KNOWN_REASONS = (
    (("DeadKernelError", "Kernel died"),
     "the notebook's kernel died while a cell ran (os._exit, a crash or too much memory); "
     "nothing could be graded"),
    (("stopped answering after a cell was interrupted",),
     "the kernel stopped answering after a cell was interrupted at its time limit (a fork bomb, "
     "or code that ignores interrupts); nothing could be graded"),
    (("Timeout waiting for IOPub output",),
     "a cell went on after it was interrupted at the time limit (a fork bomb, or a loop that "
     "catches KeyboardInterrupt); nothing could be graded"),
    (("NotJSONError",), "the notebook is not valid JSON (a damaged or truncated file)"),
    (("UnsafeSubmission: ",), ""),  # its own message is the reason
    (("would run student code as root",),
     "not graded: the 'process' sandbox mode would run student code as root (grade as an "
     "ordinary user, or with bubblewrap)"),
    (("student code cannot be confined here",),
     "not graded: bubblewrap cannot run here (install Debian's bubblewrap, or choose the weaker "
     "mode by name with BACKPROP_SANDBOX=process)"),
    (("No notebooks found", "No notebooks were matched"),
     "no notebook of the assignment in the submission (missing or renamed)"),
    (("old version of the nbgrader metadata",),
     "nbgrader rejected the notebook's grading metadata (a graded cell duplicated or its "
     "metadata edited)"),
)


@dataclass(frozen=True)
class Outcome:
    """How grading one student's submission went: ``status`` is "graded", "failed" (nbgrader
    could not grade it; its score stays 0) or "stopped" (past the time limit). ``worker_mb``
    and ``kernel_mb``: the peak resident memory, so far, of the process that graded it and of
    the largest kernel that process ran (0 when unknown)."""

    student: str
    status: str
    seconds: float
    reason: str = ""
    log: str = ""
    worker_mb: float = 0.0
    kernel_mb: float = 0.0


def submitted_students(course: Path, assignment: str) -> list[str]:
    """Students with a submission folder for ``assignment``, sorted."""
    submitted = course / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir())


def reason_from_log(log: str, error: str = "") -> str:
    """Why nbgrader could not grade a submission, in one line, from its log and exception."""
    for patterns, reason in KNOWN_REASONS:
        if any(pattern in log or pattern in error for pattern in patterns):
            return reason or error.split(patterns[0], 1)[-1].strip()
    for line in log.splitlines():
        if "ERROR]" in line:
            message = line.split("ERROR]", 1)[1].strip()
            if message and not message.startswith(GENERIC_ERRORS):
                return message
    lines = [line.strip() for line in error.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "nbgrader could not grade this submission (no reason given)"


#: The address space a grading worker may use, in MiB (``BACKPROP_WORKER_MB``; 0: no limit).
#: A worker needs under 1 GiB of it; the limit stops a kernel that sends the grader more than
#: it can hold (a ZeroMQ message of many parts, each under the size limit of one part): the
#: worker dies, that student is reported, and a new worker grades the rest.
WORKER_MB = 4096


def limit_memory(megabytes: int | None = None) -> None:
    """Cap this process's address space at ``megabytes`` (default: ``BACKPROP_WORKER_MB``, else
    :data:`WORKER_MB`; 0 or less: no cap). Never raises the existing cap."""
    if megabytes is None:
        try:
            megabytes = int(os.environ.get("BACKPROP_WORKER_MB", WORKER_MB))
        except ValueError:
            megabytes = WORKER_MB
    if megabytes <= 0:
        return
    wanted = megabytes * 2**20
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    for existing in (soft, hard):
        if existing != resource.RLIM_INFINITY:
            wanted = min(wanted, existing)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def _grade_students(course: str, connection: multiprocessing.connection.Connection) -> None:
    """Worker: autograde the (assignment, student) pairs sent on ``connection`` until None."""
    os.setpgrp()  # a stuck worker can be killed together with what it started
    _die_with_parent()
    limit_memory()
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (1, 2):  # kernels inherit these; nbgrader's log is captured per student
        os.dup2(devnull, stream)
    while (task := connection.recv()) is not None:
        assignment, student = task
        connection.send((student, grade_student(course, assignment, student)))


def _die_with_parent() -> None:
    """Linux: have the kernel kill this worker when the process that started it ends, however
    it ends (killed included), so no worker grades on unwatched; elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the parent was already gone
        os._exit(1)


class _Worker:
    """One worker process, its end of the pipe, and the student it is grading."""

    def __init__(self, context: Any, course: Path) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_grade_students, args=(str(course), child),
                                       daemon=True)
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


def outcome_of(student: str, result: dict[str, Any]) -> Outcome:
    """The outcome of one student from what :func:`course.grade_student.grade_student`
    returned (nbgrader's result, with the seconds and memory it took)."""
    log = str(result.get("log") or "")
    seconds = float(result.get("seconds", 0.0))
    memory = {"worker_mb": float(result.get("worker_mb", 0.0)),
              "kernel_mb": float(result.get("kernel_mb", 0.0))}
    if result.get("success"):
        return Outcome(student, "graded", seconds, log=log, **memory)
    return Outcome(student, "failed", seconds, reason_from_log(log, str(result.get("error", ""))),
                   log=log, **memory)


def failure_table(outcomes: Sequence[Outcome]) -> str:
    """A plain-text table of the students who were not graded, and why."""
    failed = [o for o in outcomes if o.status != "graded"]
    if not failed:
        return f"All {len(outcomes)} submissions were graded."
    width = max(len("student"), *(len(o.student) for o in failed))
    lines = [f"{len(failed)} of {len(outcomes)} submissions could not be graded (score 0):",
             f"  {'student':<{width}}  {'status':<7}  reason"]
    lines += [f"  {o.student:<{width}}  {o.status:<7}  {o.reason}" for o in failed]
    return "\n".join(lines)


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
