"""Look over a class's submissions before grading, and say what is wrong with each.

nbgrader grades what it can and logs the rest as tracebacks; an instructor wants one line per
problem, by student. This module reads (never writes) ``submitted/<student>/<assignment>/`` and
compares each submission with the assignment's source notebooks:

* a notebook that is not valid JSON, missing, or renamed (an unknown notebook where the
  expected one is missing);
* extra files (kept, not graded);
* graded cells deleted (those score 0) or duplicated (nbgrader cannot grade the notebook);
* a graded cell whose type was changed, or a changed kernel (nbgrader puts both back);
* a notebook over :data:`LARGE_BYTES` (graded; usually big outputs or pasted data);
* a timestamp after the deadline (nbgrader applies the course's late penalty);
* a submission unsafe to read (:func:`sandbox.submission.unsafe_reasons`: a symbolic or hard
  link, a pipe or device, a notebook too big to parse), reported and then left unread: it is
  not graded either.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nbgrader.utils import parse_utc

from sandbox.submission import unsafe_reasons

LARGE_BYTES = 20 * 1024 * 1024
IGNORED_FILES = {"timestamp.txt", "submission_secret.txt"}


@dataclass(frozen=True)
class Finding:
    """One problem with one student's submission. ``blocks`` is True when nbgrader cannot
    grade the notebook at all (its score is then 0)."""

    student: str
    kind: str
    message: str
    blocks: bool = False


@dataclass(frozen=True)
class ExpectedNotebook:
    """What a submitted notebook should look like: its graded cells' ids and types, its kernel."""

    name: str
    cell_types: dict[str, str]
    kernel: str


def expected_notebooks(course: Path, assignment: str) -> list[ExpectedNotebook]:
    """The notebooks of ``assignment`` in the course's ``source/``, with their graded cells."""
    expected = []
    for path in sorted((course / "source" / assignment).glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cell_types = {
            cell["metadata"]["nbgrader"]["grade_id"]: cell["cell_type"]
            for cell in notebook["cells"]
            if _is_graded(cell.get("metadata", {}).get("nbgrader", {}))
        }
        kernel = notebook.get("metadata", {}).get("kernelspec", {}).get("name", "")
        expected.append(ExpectedNotebook(path.name, cell_types, kernel))
    return expected


def _is_graded(meta: dict) -> bool:
    return bool(meta.get("grade") or meta.get("solution") or meta.get("task"))


def check_submission(folder: Path, student: str, expected: list[ExpectedNotebook],
                     duedate: datetime | None = None) -> list[Finding]:
    """Every problem with the submission in ``folder``, in a fixed order."""
    if not folder.is_dir():
        return [Finding(student, "no_submission", "nothing was submitted", blocks=True)]
    unsafe = unsafe_reasons(folder)
    if unsafe:  # read nothing more of it: it is not graded either
        return [Finding(student, "unsafe", "not graded, unsafe to read: " + "; ".join(unsafe[:5]),
                        blocks=True)]
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                   if p.is_file() and ".ipynb_checkpoints" not in p.parts)
    names = {e.name for e in expected}
    unknown_notebooks = [f for f in files if f.endswith(".ipynb") and f not in names]
    findings, reported = [], set()
    for notebook in expected:
        path = folder / notebook.name
        if not path.is_file():
            if unknown_notebooks:
                reported.update(unknown_notebooks)
                findings.append(Finding(
                    student, "renamed",
                    f"{notebook.name} is missing; {', '.join(unknown_notebooks)} was submitted "
                    f"instead (renamed?). Copy it to {notebook.name} and autograde again to grade "
                    "it", blocks=True))
            else:
                findings.append(Finding(student, "missing", f"{notebook.name} is missing",
                                        blocks=True))
            continue
        findings += _check_notebook(path, student, notebook)
    extra = [f for f in files if f not in names and f not in IGNORED_FILES
             and f not in reported]
    if extra:
        findings.append(Finding(student, "extra_files",
                                f"extra files, not graded: {', '.join(extra)}"))
    late = _lateness(folder, duedate)
    if late:
        findings.append(Finding(student, "late", late))
    return findings


def _check_notebook(path: Path, student: str, expected: ExpectedNotebook) -> list[Finding]:
    findings = []
    size = path.stat().st_size
    if size > LARGE_BYTES:
        findings.append(Finding(student, "large", f"{path.name} is {size / 2**20:.0f} MB "
                                "(large outputs or pasted data?); graded anyway"))
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
        if not isinstance(cells, list):
            raise TypeError("cells is not a list")
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
        return [*findings, Finding(student, "not_json", f"{path.name} is not a readable "
                                   f"notebook ({type(error).__name__}: {error}); nothing could "
                                   "be graded", blocks=True)]
    graded = [(c.get("metadata", {}).get("nbgrader", {}), c.get("cell_type")) for c in cells
              if isinstance(c, dict)]
    ids = Counter(meta.get("grade_id") for meta, _ in graded if _is_graded(meta))
    duplicated = sorted(i for i, n in ids.items() if n > 1 and i in expected.cell_types)
    if duplicated:
        findings.append(Finding(student, "duplicated_cells",
                                f"graded cells appear more than once: {', '.join(duplicated)}; "
                                "nbgrader cannot grade the notebook", blocks=True))
    deleted = [i for i in expected.cell_types if i not in ids]
    if deleted:
        findings.append(Finding(student, "deleted_cells",
                                f"graded cells were deleted: {', '.join(deleted)}; they score 0"))
    changed = sorted({meta.get("grade_id") for meta, kind in graded
                      if meta.get("grade_id") in expected.cell_types
                      and kind != expected.cell_types[meta["grade_id"]]})
    if changed:
        findings.append(Finding(student, "cell_type",
                                f"cell type changed in {', '.join(changed)}; nbgrader restores it"))
    kernel = notebook.get("metadata", {}).get("kernelspec", {}).get("name", "")
    if expected.kernel and kernel != expected.kernel:
        findings.append(Finding(student, "kernel", f"kernel changed to {kernel or 'none'!r}; "
                                f"graded with {expected.kernel!r}"))
    return findings


def _lateness(folder: Path, duedate: datetime | None) -> str:
    stamp = folder / "timestamp.txt"
    if duedate is None or not stamp.is_file():
        return ""
    try:
        submitted = parse_utc(stamp.read_text(encoding="utf-8").strip())
    except (ValueError, OverflowError):
        return f"timestamp.txt is unreadable: {stamp.read_text(errors='replace')[:40]!r}"
    late = (submitted - parse_utc(duedate)).total_seconds()
    if late <= 0:
        return ""
    hours = late / 3600
    return (f"submitted {hours:.1f} h after the deadline; nbgrader applies the late penalty"
            if hours < 48 else f"submitted {hours / 24:.1f} days after the deadline; nbgrader "
            "applies the late penalty")


def check_class(course: Path, assignment: str, students: list[str],
                duedate: datetime | None = None) -> list[Finding]:
    """:func:`check_submission` for every student of ``students``."""
    expected = expected_notebooks(course, assignment)
    return [finding for student in students for finding in check_submission(
        course / "submitted" / student / assignment, student, expected, duedate)]
