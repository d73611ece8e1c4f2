"""``SafeCollect``: nbgrader's collect, which never follows a link out of a submission and
never takes a submission time the student wrote on trust.

Selected in ``nbgrader_config.py`` (``c.ExchangeFactory.collect``). Stock collect copies each
inbound submission with ``shutil.copytree``, which follows symbolic links: a link to the
instructor's source notebook became the student's notebook (full marks, solutions in the
feedback). Here:

* a symbolic link is copied as a link, never followed (its target is not read), and a hard
  link (a file with more than one name, which may be a course file) or a pipe or device is not
  copied: a dangling link named like it stands in its place. Either way the submission keeps
  the evidence, and grading refuses it with the reason (:mod:`sandbox.submission`);
* the submission time nbgrader uses (``timestamp.txt``) is the later of the time the student's
  ``timestamp.txt`` claims and the exchange's own record: the latest inode change time
  (``st_ctime``) of the inbound folder's entries, which no user can set back. A student can
  make themselves later, never earlier; a claim earlier than the record by more than
  :data:`SKEW` is logged as a warning naming the student.
"""

from __future__ import annotations

import datetime
import os
import shutil
import stat
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import parse_utc

#: How far a claimed submission time may lie before the exchange's record without a warning.
SKEW = datetime.timedelta(minutes=5)
#: The target of the link that stands for a hard-linked file that was not copied.
HARD_LINK_MARK = "refused: a hard link in the exchange"


class SafeCollect(ExchangeCollect):
    """nbgrader's collect with link-safe copies and a submission time the student cannot
    move earlier."""

    def do_copy(self, src: str, dest: str, log: object = None) -> None:
        source = Path(src)
        shutil.copytree(source, dest, symlinks=True, copy_function=_copy_unless_linked)
        claimed = _read_time(source / "timestamp.txt")
        recorded = _exchange_time(source)
        trusted = max(t for t in (claimed, recorded) if t is not None) if (
            claimed or recorded) else None
        if claimed is not None and recorded is not None and claimed < recorded - SKEW:
            self.log.warning("%s claims it was submitted at %s, but the exchange received it at "
                             "%s: the exchange's time is used", source.name, claimed, recorded)
        if trusted is not None:
            stamp = Path(dest, "timestamp.txt")
            if stamp.is_symlink():
                stamp.unlink()
            utc = trusted.replace(tzinfo=datetime.timezone.utc)
            stamp.write_text(utc.strftime(self.timestamp_format), encoding="utf-8")


def _copy_unless_linked(src: str, dst: str) -> None:
    """Copy a regular file with one name; for a hard link or a pipe or device, leave a dangling
    link that says what was refused."""
    info = os.lstat(src)
    if not stat.S_ISREG(info.st_mode):
        os.symlink("refused: not a regular file", dst)
    elif info.st_nlink > 1:
        os.symlink(HARD_LINK_MARK, dst)
    else:
        shutil.copy2(src, dst, follow_symlinks=False)


def _read_time(path: Path) -> datetime.datetime | None:
    """The time a ``timestamp.txt`` claims (a regular file only; naive UTC), or None."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 200:
            return None
        return parse_utc(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError, OverflowError):
        return None


def _exchange_time(folder: Path) -> datetime.datetime | None:
    """The latest inode change time of ``folder`` and the entries in it (links not followed)."""
    times = []
    for path in [folder, *folder.rglob("*")]:
        try:
            times.append(os.lstat(path).st_ctime)
        except OSError:
            continue
    if not times:
        return None
    latest = datetime.datetime.fromtimestamp(max(times), datetime.timezone.utc)
    return latest.replace(tzinfo=None)  # naive UTC, as nbgrader's parse_utc gives
