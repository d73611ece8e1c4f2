"""Run the real nbgrader command line on a scratch copy of the course."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from nbgrader.api import Gradebook

from course.nbgrader_api import load_config
from sandbox.limits import FILE as LIMITS

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "source"
RELEASE = ROOT / "release"
NBGRADER = Path(sys.executable).with_name("nbgrader")
ASSIGNMENTS = sorted(p.name for p in SOURCE.iterdir() if p.is_dir())
#: Where :func:`released_course` keeps what `nbgrader generate_assignment` made, shared by the
#: test run's workers (tests/conftest.py points it into the run's temporary folder).
GENERATED: Path | None = None


def digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, by relative path: equal digests, equal bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def notebooks(folder: Path) -> list[Path]:
    """Every notebook under ``folder``, skipping Jupyter's checkpoints."""
    return sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _environment(env: dict[str, str] | None) -> dict[str, str]:
    """This process's environment with ``env`` added and the venv first on PATH (nbgrader runs
    `alembic` by name when it creates a gradebook)."""
    return {**os.environ, **(env or {}),
            "PATH": f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def nbgrader(*args: str, cwd: Path, timeout: float = 600,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``nbgrader *args`` in ``cwd`` (with ``env`` added to the environment); return the
    finished process (never raises on failure)."""
    return subprocess.run([str(NBGRADER), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=_environment(env))


def start_nbgrader(*commands: list[str], cwd: Path, log: Path,
                   env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start the nbgrader ``commands`` (each a list of arguments) one after another in the
    background, stopping at the first that fails; their output goes into the file ``log`` (a
    file, not a pipe, which could fill up while nobody reads it)."""
    script = " && ".join(shlex.join([str(NBGRADER), *args]) for args in commands)
    with log.open("wb") as out:
        return subprocess.Popen(["/bin/sh", "-c", script], cwd=cwd, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=_environment(env))


def scratch_course(tmp: Path, assignments: list[str] = ASSIGNMENTS) -> Path:
    """A copy of the course's config and source notebooks in ``tmp``, ready for nbgrader."""
    course = tmp / "course"
    (course / "source").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    if (ROOT / LIMITS).exists():  # each cell's time limit (sandbox.limits)
        shutil.copy(ROOT / LIMITS, course)
    for assignment in assignments:
        shutil.copytree(SOURCE / assignment, course / "source" / assignment)
    return course


def released_course(tmp: Path, assignments: list[str] = ASSIGNMENTS) -> Path:
    """:func:`scratch_course` after `nbgrader generate_assignment` of each of ``assignments``:
    its release/ folder and its gradebook (assignments, notebooks, cells and checksums).

    The real command runs once per assignment in a test run (about 2 s of CPU each), for every
    assignment of the course at once; a course of some of them gets a copy of their release/
    folders and of the gradebook with the other assignments removed. Workers share the
    generation through :data:`GENERATED`, one of them generating while the others wait.
    """
    course = scratch_course(tmp, assignments)
    if GENERATED is None:  # outside the suite's conftest: generate in place
        for assignment in assignments:
            done = nbgrader("generate_assignment", assignment, "--force", cwd=course)
            assert done.returncode == 0, done.stderr[-3000:]
        return course
    generated = _generated()
    for assignment in assignments:
        shutil.copytree(generated / "release" / assignment, course / "release" / assignment)
    shutil.copy(generated / "gradebook.db", course / "gradebook.db")
    others = set(ASSIGNMENTS) - set(assignments)
    if others:
        course_id = load_config(course).CourseDirectory.course_id
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id) as gradebook:
            for assignment in sorted(others):
                gradebook.remove_assignment(assignment)
    return course


def _generated() -> Path:
    """A course folder where `nbgrader generate_assignment` ran for every assignment, made once
    per run under :data:`GENERATED` (a lock file keeps two workers from making it at once)."""
    assert GENERATED is not None
    GENERATED.mkdir(parents=True, exist_ok=True)
    done_folder = GENERATED / "course"
    with open(GENERATED / "course.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done_folder.is_dir():
            shutil.rmtree(GENERATED / "making", ignore_errors=True)  # a failed try's
            making = scratch_course(GENERATED / "making", ASSIGNMENTS)
            for assignment in ASSIGNMENTS:
                done = nbgrader("generate_assignment", assignment, "--force", cwd=making)
                assert done.returncode == 0, done.stderr[-3000:]
            making.rename(done_folder)
    return done_folder


PASSES_ALL = "Success! Your notebook passes all the tests."
PASSES_NONE = "Success! The notebook does not pass any tests."


def validate(notebook: Path, *, invert: bool = False) -> tuple[bool, str]:
    """``nbgrader validate`` (``--invert``) on one notebook: whether it succeeded, and its report.

    Plain validate succeeds when every test cell passes; inverted, when none does.
    """
    args = ["validate", *(["--invert"] if invert else []), str(notebook)]
    done = nbgrader(*args, cwd=notebook.parent)
    report = done.stdout + done.stderr
    return (PASSES_NONE if invert else PASSES_ALL) in done.stdout, report


def autograde_solutions(tmp: Path, submissions: dict[str, tuple[str, dict[str, str]]]) -> Path:
    """A scratch course in ``tmp`` where each student of ``submissions`` (student ->
    (assignment, replaced)) handed in the released notebooks filled with the instructor's
    solutions, except the functions in ``replaced`` (function name -> the code the student
    wrote instead, or None to leave the released stub); every assignment generated and
    autograded by the real pipeline. Asserts that each submission graded; returns the course
    folder."""
    from course.parallel_autograde import autograde_assignments
    from simulation.exercises import read_assignment
    from simulation.notebooks import fill, read, write

    assignments = sorted({assignment for assignment, _ in submissions.values()})
    course = released_course(tmp, assignments)
    for student, (assignment, replaced) in submissions.items():
        for plan in read_assignment(SOURCE, assignment):
            notebook = read(str(RELEASE / assignment / plan.notebook))
            for target, solution in plan.solutions.items():
                code = replaced.get(target, solution)
                if code is not None:  # None: the released stub stays
                    fill(notebook, target, code)
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True, exist_ok=True)
            write(notebook, str(folder / plan.notebook))
    graded = autograde_assignments(course, assignments, workers=2, progress=None)
    assert all(o.status == "graded" for outcomes in graded.values() for o in outcomes), graded
    return course
