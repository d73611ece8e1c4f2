"""Autograde one student's submission in the calling process: the task of a grading worker.

Both ways of grading a class run this same function, so they give the same scores: each local
worker of :mod:`course.parallel_autograde` calls it for one student after another, and on a Dask
cluster (:mod:`course.dask_grading`) it is the task sent for each student.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from nbgrader.api import Gradebook, InvalidEntry

from course.nbgrader_api import instructor_api
from sandbox.submission import unsafe_reasons


class UnsafeSubmission(Exception):
    """A submission that is not graded: links, special files or a notebook too big to parse."""

#: One nbgrader API per course folder in each worker process, made on its first task.
_APIS: dict[str, Any] = {}


def peak_memory_mb() -> tuple[float, float]:
    """The largest resident memory, in MiB, of this process and of the largest of the child
    processes it has waited for (the notebooks' kernels, with the sandbox around them)."""
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes, or KiB
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own / divisor, children / divisor


def register(api: Any, student: str) -> None:
    """Put ``student`` in the gradebook before nbgrader's autograde looks for them. nbgrader
    adds a student it does not know, but two workers grading two assignments of one new student
    at once would both add them, and the second would fail on the gradebook's unique student
    id; here the second finds the row the first added."""
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        try:
            gradebook.update_or_create_student(student)
        except InvalidEntry:  # added by another worker since this one looked
            gradebook.find_student(student)


def grade_student(course: str, assignment: str, student: str) -> dict[str, Any]:
    """Autograde ``submitted/<student>/<assignment>/`` of the course folder ``course`` with
    nbgrader's API.

    Returns nbgrader's result (``success``, ``log``, ``error``) with the ``seconds`` it took and
    the peak memory of this process and its kernels (``worker_mb``, ``kernel_mb``). Never raises
    because of what the student submitted; a submission that
    :func:`sandbox.submission.unsafe_reasons` objects to is not handed to nbgrader at all (it
    scores 0, with the reason). Changes the working folder to ``course``, as nbgrader reads its
    configuration from there."""
    os.chdir(course)
    api = _APIS.get(course)
    if api is None:
        api = _APIS[course] = instructor_api(Path(course))
    start = time.perf_counter()
    folder = Path(course, "submitted", student, assignment)
    plain = all(name and "/" not in name and name not in (".", "..")
                for name in (student, assignment))
    refused = (["the student or assignment name is not a plain folder name"] if not plain
               else unsafe_reasons(folder) if os.path.lexists(folder) else [])
    try:
        if refused:  # never handed to nbgrader, whose copies follow links and parse notebooks
            raise UnsafeSubmission("not graded, the submission is unsafe to read: "
                                   + "; ".join(refused[:5]))
        register(api, student)
        result = dict(api.autograde(assignment, student, force=True, create=True))
    except BaseException as error:  # nbgrader itself broke on this submission
        result = {"success": False, "error": f"{type(error).__name__}: {error}", "log": ""}
    result["seconds"] = time.perf_counter() - start
    result["worker_mb"], result["kernel_mb"] = peak_memory_mb()
    return result
