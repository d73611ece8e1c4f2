"""Autograde a class on a Dask cluster, for classes too large for one machine.

``course.parallel_autograde`` grades on the cores of one machine. With ``--scheduler ADDRESS``
it sends each student's grading to a `Dask distributed <https://distributed.dask.org>`_ cluster
instead: one task per student, each running nbgrader's own autograde
(:func:`course.grade_student.grade_student`, the call the local workers make) on whichever Dask
worker is free. Every worker writes to the course's gradebook, so the class ends in one
gradebook, with the scores local grading gives.

What the workers need:

* this project installed (the same virtual environment, or the same packages and versions),
  and Debian's bubblewrap for the full sandbox;
* the course folder at the same path as on the machine that submits the tasks (a shared file
  system such as NFS), since nbgrader reads ``submitted/`` and writes ``autograded/`` there;
* a gradebook they can all write to: over several machines a PostgreSQL URL in
  ``BACKPROP_GRADEBOOK`` rather than SQLite on a network file system;
* one thread per worker (``dask worker ADDRESS --nthreads 1``): a grading task changes the
  worker's working folder, and two at once in one process would trip over each other.

Each task caps its worker's memory as a local worker does (``BACKPROP_WORKER_MB``, read on the
worker's machine). A task whose student runs past ``student_timeout`` is reported as stopped;
Dask cannot stop a running task, so the worker finishes it in the background, within
nbgrader's limit per cell.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from course.grade_student import grade_student
from course.grading_outcome import Outcome, outcome_of
from course.progress import ProgressBar
from course.worker_limits import limit_blas_threads, limit_memory


def grade_with_memory_cap(course: str, assignment: str, student: str) -> dict[str, Any]:
    """One Dask task: cap the worker's memory and its BLAS threads
    (:mod:`course.worker_limits`), as a local grading worker does, then grade ``student``
    (:func:`course.grade_student.grade_student`). A kernel that floods the grader kills this
    worker alone; its nanny starts a new one."""
    limit_memory()
    limit_blas_threads()
    return grade_student(course, assignment, student)


def autograde_on_dask(course: Path, assignment: str, students: Sequence[str], scheduler: Any,
                      student_timeout: float = 600.0,
                      progress: TextIO | None = sys.stderr) -> list[Any]:
    """Grade ``students`` on the Dask cluster at ``scheduler`` (an address such as
    ``tcp://10.0.0.5:8786``, or a ``distributed.Client``); one outcome per student, in order.

    A task that fails, or whose worker dies, is an outcome with its reason, like in local
    grading; the other students are graded all the same."""
    from distributed import Client, as_completed  # optional: only this mode needs Dask

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = {client.submit(grade_with_memory_cap, str(course), assignment, student,
                                 pure=False): student for student in students}
        outcomes: dict[str, Outcome] = {}
        bar = ProgressBar(f"autograde {assignment} on Dask", len(students), progress)
        started = time.monotonic()
        try:
            pending = as_completed(futures, timeout=student_timeout * len(students))
            for future in pending:
                student = futures[future]
                try:
                    result = future.result()
                except Exception as error:  # the worker died, or the task could not run
                    result = {"success": False, "log": "", "seconds":
                              time.monotonic() - started,
                              "error": f"the Dask task failed: {type(error).__name__}: {error}"}
                outcome = outcome_of(student, result)
                if outcome.seconds > student_timeout:
                    outcome = Outcome(student, "stopped", outcome.seconds,
                                      f"grading took longer than {student_timeout:g} s in all")
                outcomes[student] = outcome
                bar.advance(f"{student} {outcome.status} ({outcome.seconds:.1f} s)")
        except TimeoutError:
            for future, student in futures.items():
                if student not in outcomes:
                    future.cancel()
                    outcomes[student] = Outcome(student, "stopped", time.monotonic() - started,
                                                "the Dask cluster did not grade it in time")
        finally:
            bar.close()
    finally:
        if client is not scheduler:
            client.close()
    return [outcomes[student] for student in students]
