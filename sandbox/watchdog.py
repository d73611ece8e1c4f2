"""The watchdog thread that runs beside a notebook being graded: it kills a fork bomb's
processes, and deletes what the kernel wrote into the grader's sockets folder.

:class:`sandbox.execute.SealedExecute` starts :func:`stop_bombs` in a thread of its own when a
notebook's kernel starts, and stops it (and waits for it) before the grading connection closes.
The thread touches nothing of the run but the kernel's processes, the sockets folder, and the two
incidents it may note once in the run's :class:`sandbox.grading_record.GradingRecord`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from pathlib import Path

from sandbox import jail
from sandbox.grading_connection import GradingConnection
from sandbox.grading_record import GradingRecord


def stop_bombs(done: threading.Event, processes: int, record: GradingRecord,
               connection: GradingConnection) -> None:
    """Until ``done`` is set, every half second: when the kernel's children pass a quarter of
    its limit of ``processes`` (a fork bomb, not a helper process or two), kill them all; when
    the kernel wrote into its sockets folder (it can, under a grader that is not root, once the
    grader tried to connect and took the folder back), delete what it wrote."""
    cage = connection.cage
    uid, runtime = cage.uid, Path(cage.runtime)
    watch_runtime = uid < 0 and cage.mode == "bubblewrap"
    while (uid >= 0 or watch_runtime) and not done.wait(0.5):
        if uid >= 0 and len(jail.strays(uid)) > processes // 4:
            if jail.reap(uid):
                record.note_once("fork bomb", f"the notebook started more than "
                                 f"{processes // 4} processes at once (a fork bomb?); they "
                                 "were killed")
        if watch_runtime and connection.tried:
            written = jail.intruders(runtime)
            for path in written:
                with contextlib.suppress(OSError):
                    os.chmod(runtime, 0o755)
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink()
            if written:
                record.note_once("runtime writes", "the notebook wrote into the grader's "
                                 "sockets folder; what it wrote was deleted")
