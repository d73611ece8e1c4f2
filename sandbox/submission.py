"""What makes a submitted folder unsafe to grade, found without following a link or parsing a
notebook.

A student controls every file of a submission. nbgrader's copies follow symbolic links (a link
to the instructor's source notebook scored full marks and put the solutions into the feedback),
a hard link can name a course file, a FIFO blocks whoever reads it, and a notebook of nested
JSON lists takes gigabytes to parse. :func:`unsafe_reasons` walks a submission folder with
``lstat`` only, bounded in entries and depth, and pre-scans each notebook's bytes; a submission
with a reason is not handed to nbgrader (``course/grade_student.py`` refuses it, and
``sandbox.execute.SealedExecute`` refuses it too when plain ``nbgrader autograde`` runs). An
honest student never has any: ``nbgrader submit`` copies files, and links become their content.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: Largest notebook graded, in bytes.
MAX_NOTEBOOK_BYTES = 64 * 2**20
#: Most JSON lists and objects (``[`` and ``{`` bytes) in a notebook: a real one holds a few
#: thousand; parsed, each costs tens of bytes, and validating it far more.
MAX_NOTEBOOK_CONTAINERS = 500_000
#: Most files and folders a submission may hold, and how deep.
MAX_ENTRIES, MAX_DEPTH = 2_000, 20


def unsafe_reasons(folder: Path) -> list[str]:
    """Why the submission in ``folder`` must not be graded (empty when it may), one line each."""
    reasons: list[str] = []
    try:
        top = os.lstat(folder)
    except OSError as error:
        return [f"the submission folder cannot be read ({error.strerror})"]
    if not stat.S_ISDIR(top.st_mode):
        return ["the submission folder is a link or not a folder"]
    entries = 0
    todo = [(folder, 0)]
    while todo:
        current, depth = todo.pop()
        try:
            names = sorted(os.listdir(current))
        except OSError as error:
            reasons.append(f"{current.name}/ cannot be read ({error.strerror})")
            continue
        for name in names:
            entries += 1
            if entries > MAX_ENTRIES:
                return [*reasons, f"more than {MAX_ENTRIES} files and folders"]
            path = current / name
            shown = path.relative_to(folder).as_posix()
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                reasons.append(f"{shown} is a symbolic link (to {os.readlink(path)!r})")
            elif stat.S_ISDIR(info.st_mode):
                if depth + 1 > MAX_DEPTH:
                    reasons.append(f"{shown}/ is nested more than {MAX_DEPTH} folders deep")
                else:
                    todo.append((path, depth + 1))
            elif not stat.S_ISREG(info.st_mode):
                reasons.append(f"{shown} is not a regular file (a pipe, socket or device)")
            elif info.st_nlink > 1:
                reasons.append(f"{shown} is a hard link (it has {info.st_nlink} names)")
            elif name.endswith(".ipynb"):
                reasons += _notebook_reasons(path, shown, info.st_size)
    return reasons


def _notebook_reasons(path: Path, shown: str, size: int) -> list[str]:
    if size > MAX_NOTEBOOK_BYTES:
        return [f"{shown} is {size / 2**20:.0f} MB, over the {MAX_NOTEBOOK_BYTES // 2**20} MB "
                "a notebook may be"]
    containers = 0
    with open(path, "rb") as notebook:
        while chunk := notebook.read(1 << 20):
            containers += chunk.count(b"[") + chunk.count(b"{")
    if containers > MAX_NOTEBOOK_CONTAINERS:
        return [f"{shown} holds {containers} JSON lists and objects, over the "
                f"{MAX_NOTEBOOK_CONTAINERS} a notebook may have (nested data pasted into it?)"]
    return []
