"""How much memory a grading worker needs when the submission is hostile.

    .venv/bin/python bench/hostile_memory.py

The grader reads what the student's kernel sends (messages, outputs, replies on the grading
socket) and the submitted notebook itself; each of those once took a worker to gigabytes. This
benchmark grades, for each hostile input, a class of one in a fresh worker process (so the peak
belongs to that input alone) with the course's own configuration and the bubblewrap sandbox, and
prints the worker's peak resident memory (``ru_maxrss``) against the ceiling the README states:
1 GiB per worker. An honest submission is the baseline. Inputs:

* ``honest``: the instructor's solution;
* ``nested_notebook``: a 39 MB notebook of nested JSON lists (refused before it is parsed);
* ``error_flood``, ``huge_iopub_message``, ``huge_grading_reply``: the attacks of
  :data:`simulation.hostile.MEMORY_ATTACKS` (errors past the output cap, forged 39 MB kernel
  messages, forged 39 MB and 18 MB grading replies);
* ``output_flood``: 36 MB printed in one cell;
* ``many_parts``: :data:`simulation.hostile.WORKER_LIMIT_ATTACKS`, one kernel message of 96 parts
  of 60 MiB. Nothing the grader reads bounds it: the worker's memory limit
  (``BACKPROP_WORKER_MB``, :func:`course.worker_limits.limit_memory`, as a grading worker
  has) does, so its ceiling is that limit, not 1 GiB. It takes minutes to grade.

Takes about a minute on two cores without ``many_parts``. Prints ``NOT met`` beside an input
over its ceiling; asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from course.grade_student import grade_student
from course.worker_limits import WORKER_MB, limit_memory
from simulation.exercises import read_assignment
from simulation.hostile import MEMORY_ATTACKS, WORKER_LIMIT_ATTACKS, nested_lists_notebook
from simulation.notebooks import fill, read, write

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "ps1_forward"
CEILING_MB = 1024
OUTPUT_FLOOD = """
for i in range(300_000):
    print("flood " * 20)
"""


def make_course(folder: Path) -> Path:
    """A course folder with problem set 1 generated into its gradebook."""
    course = folder / "course"
    (course / "source").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    nbgrader = Path(sys.executable).with_name("nbgrader")
    subprocess.run([str(nbgrader), "generate_assignment", ASSIGNMENT, "--force"], cwd=course,
                   check=True, capture_output=True,
                   env={**os.environ, "PATH": f"{nbgrader.parent}:{os.environ['PATH']}"})
    return course


def submit(course: Path, student: str) -> None:
    """Write ``student``'s hostile (or honest) submission into ``submitted/``."""
    (plan,) = read_assignment(ROOT / "source", ASSIGNMENT)
    released = ROOT / "release" / ASSIGNMENT / plan.notebook
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    if student == "nested_notebook":
        nested_lists_notebook(released, folder / plan.notebook)
        return
    notebook = read(str(released))
    cells = {"honest": plan.solutions, "output_flood": {"sigmoid": OUTPUT_FLOOD}}.get(
        student, {"sigmoid": {**MEMORY_ATTACKS, **WORKER_LIMIT_ATTACKS}.get(student, "")})
    for target, source in cells.items():
        fill(notebook, target, source)
    write(notebook, str(folder / plan.notebook))


def _grade(course: str, student: str, answer: multiprocessing.Queue) -> None:
    limit_memory()  # as a grading worker of course.parallel_autograde
    answer.put(grade_student(course, ASSIGNMENT, student))


def measure(course: Path, student: str) -> dict:
    """Grade ``student`` in a fresh process; nbgrader's result with its peak memory."""
    answer: multiprocessing.Queue = multiprocessing.get_context("fork").Queue()
    worker = multiprocessing.get_context("fork").Process(
        target=_grade, args=(str(course), student, answer))
    worker.start()
    deadline = time.monotonic() + 900
    while True:
        try:
            result = answer.get(timeout=1)
            break
        except queue.Empty:
            if not worker.is_alive() or time.monotonic() > deadline:
                result = {"success": False, "worker_mb": float("nan"),
                          "kernel_mb": float("nan")}  # the worker died: the limit held
                break
    worker.join(60)
    return result


def main() -> None:
    inputs = ["honest", "nested_notebook", *MEMORY_ATTACKS, "output_flood",
              *WORKER_LIMIT_ATTACKS]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", nargs="+", choices=inputs, default=inputs)
    students = parser.parse_args().inputs
    print(f"load average {os.getloadavg()[0]:.2f}; ceiling {CEILING_MB} MiB per worker")
    os.environ.setdefault("BACKPROP_CELL_TIMEOUT", "10")
    with tempfile.TemporaryDirectory(prefix="hostile-memory-") as folder:
        course = make_course(Path(folder))
        for student in students:
            submit(course, student)
        print(f"{'input':<22}{'graded':>8}{'seconds':>9}{'worker MiB':>12}{'kernel MiB':>12}")
        for student in students:
            start = time.perf_counter()
            result = measure(course, student)
            seconds = time.perf_counter() - start
            ceiling = WORKER_MB if student in WORKER_LIMIT_ATTACKS else CEILING_MB
            verdict = "" if not result["worker_mb"] > ceiling else "  NOT met"
            print(f"{student:<22}{'yes' if result['success'] else 'no':>8}{seconds:>9.1f}"
                  f"{result['worker_mb']:>12.0f}{result['kernel_mb']:>12.0f}{verdict}")


if __name__ == "__main__":
    main()
