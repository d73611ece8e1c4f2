"""What the exchange's inbound folder holds, read as hostile: any user of the exchange can write
there, so names, sizes, links and times are checked before anything is read.

Used by the grading service (:mod:`course.serve`); every check uses ``lstat`` only (no link is
followed) and is bounded in the entries it looks at.
"""

from __future__ import annotations

import os
import pwd
import re
import stat
from dataclasses import dataclass
from pathlib import Path

#: A student or assignment name the service accepts (what nbgrader's own ids look like).
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}")
#: Seconds a submission folder must stay unchanged before it is read (submit has finished).
SETTLE_SECONDS = 1.0
#: Seconds after which a folder without nbgrader's submission secret is given up on.
ABANDONED_SECONDS = 60.0
#: Most entries looked at in one submission folder before it is refused.
MAX_ENTRIES = 2_000


@dataclass
class Arrival:
    """A submission folder in the inbound folder that looks like nbgrader's."""

    folder: str
    student: str
    assignment: str
    received: float  # the exchange's record: the folder's latest inode change time


def parse_name(name: str) -> tuple[str, str] | None:
    """(student, assignment) of an inbound folder named ``student+assignment+time[+random]``,
    or None when the name is not one nbgrader's submit makes."""
    parts = name.split("+")
    if len(parts) not in (3, 4) or len(name) > 250:
        return None
    student, assignment = parts[0], parts[1]
    if not (NAME.fullmatch(student) and NAME.fullmatch(assignment)):
        return None
    return student, assignment


def survey(folder: Path, limit_bytes: float) -> tuple[float, int, bool]:
    """(latest inode change time, total bytes, whether complete) of a submission folder, walked
    with ``lstat`` only; past :data:`MAX_ENTRIES` entries or ``limit_bytes`` it stops, and the
    total is then reported as over the limit. Complete: nbgrader's submit has written the
    submission's secret, its last file."""
    latest, total, entries = os.lstat(folder).st_ctime, 0, 0
    todo = [folder]
    while todo and total <= limit_bytes:
        try:
            with os.scandir(todo.pop()) as listing:
                for entry in listing:
                    entries += 1
                    info = entry.stat(follow_symlinks=False)
                    latest, total = max(latest, info.st_ctime), total + info.st_size
                    if entries > MAX_ENTRIES or total > limit_bytes:
                        total = int(limit_bytes) + 1
                        break
                    if stat.S_ISDIR(info.st_mode):
                        todo.append(Path(entry.path))
        except OSError:
            continue  # unreadable: grading refuses it with the reason
    complete = os.path.lexists(folder / "submission_secret.txt")
    return latest, total, complete


def owned_by(path: Path, student: str) -> bool:
    """Whether the user account named ``student`` owns the folder ``path`` (not followed)."""
    try:
        return pwd.getpwuid(os.lstat(path).st_uid).pw_name == student
    except (KeyError, OSError):
        return False
