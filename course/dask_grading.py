"""Autograde a class on a Dask cluster, for classes too large for one machine.

``course.parallel_autograde`` grades on the cores of one machine. With ``--scheduler ADDRESS``
it sends each student's grading to a `Dask distributed <https://distributed.dask.org>`_ cluster
instead: one task per student, each running nbgrader's own autograde (the same call the local
workers make) on whichever Dask worker is free. Every worker writes to the course's gradebook,
so the class ends in one gradebook, with the scores local grading gives.

What the workers need:

* this project installed (the same virtual environment, or the same packages and versions),
  and Debian's bubblewrap for the full sandbox;
* the course folder at the same path as on the machine that submits the tasks (a shared file
  system such as NFS), since nbgrader reads ``submitted/`` and writes ``autograded/`` there;
* a gradebook they can all write to: over several machines a PostgreSQL URL in
  ``BACKPROP_GRADEBOOK`` rather than SQLite on a network file system;
* one thread per worker (``dask worker ADDRESS --nthreads 1``): a grading task changes the
  worker's working folder, and two at once in one process would trip over each other.

A task whose student runs past ``student_timeout`` is reported as stopped; Dask cannot stop a
running task, so the worker finishes it in the background, within nbgrader's limit per cell.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from course.nbgrader_api import instructor_api
from course.progress import ProgressBar

#: One nbgrader API per course folder in each worker process, made on its first task.
_APIS: dict[str, Any] = {}


def peak_memory_mb() -> tuple[float, float]:
    """The largest resident memory, in MiB, of this process and of the largest of the child
    processes it has waited for (the notebooks' kernels, with the sandbox around them)."""
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes, or KiB
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own / divisor, children / divisor


def grade_student(course: str, assignment: str, student: str) -> dict[str, Any]:
    """Autograde one student's submission with nbgrader's API, in the process that calls it.

    Returns nbgrader's result (``success``, ``log``, ``error``) with ``seconds`` it took and the
    peak memory of this process and its kernels (``worker_mb``, ``kernel_mb``). Never raises
    because of what the student submitted."""
    os.chdir(course)
    api = _APIS.get(course)
    if api is None:
        api = _APIS[course] = instructor_api(Path(course))
    start = time.perf_counter()
    try:
        result = dict(api.autograde(assignment, student, force=True, create=True))
    except BaseException as error:  # nbgrader itself broke on this submission
        result = {"success": False, "error": f"{type(error).__name__}: {error}", "log": ""}
    result["seconds"] = time.perf_counter() - start
    result["worker_mb"], result["kernel_mb"] = peak_memory_mb()
    return result


def autograde_on_dask(course: Path, assignment: str, students: Sequence[str], scheduler: Any,
                      student_timeout: float = 600.0,
                      progress: TextIO | None = sys.stderr) -> list[Any]:
    """Grade ``students`` on the Dask cluster at ``scheduler`` (an address such as
    ``tcp://10.0.0.5:8786``, or a ``distributed.Client``); one outcome per student, in order.

    A task that fails, or whose worker dies, is an outcome with its reason, like in local
    grading; the other students are graded all the same."""
    from distributed import Client, as_completed  # optional: only this mode needs Dask

    from course.parallel_autograde import Outcome, outcome_of

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = {client.submit(grade_student, str(course), assignment, student, pure=False):
                   student for student in students}
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
