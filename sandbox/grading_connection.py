"""The grader's end of one notebook's grading connection: the socket the kernel's harness
connects to, and the kernel client the grader asks and interrupts the kernel through.

:class:`sandbox.execute.SealedExecute` makes one :class:`GradingConnection` for each notebook
it grades, before the kernel starts. Before the notebook's first cell it starts the kernel's
end of grading (:mod:`sandbox.harness`, sent as source), which connects back to the grader's
socket in the kernel's sockets folder; the grading calls then go through
:class:`sandbox.remote.Kernel`. A second kernel client (shell and control channels only, no
iopub: what the student's code prints during grading calls is not read) starts each grading
statement's execution, interrupts the kernel, and asks it whether it still answers.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import socket
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sandbox import harness, hidden, jail, remote, wire

#: The grader's socket, in the kernel's sockets folder.
SOCKET_NAME = "grading.sock"


class GradingConnection:
    """The grading connection to the kernel of the notebook run in ``cage``.

    ``kernel`` is the connection once the kernel's harness connected (else None); ``tried``
    says whether connecting was tried (it is tried once: a kernel that did not connect then
    is graded without it).
    """

    def __init__(self, cage: jail.Cage) -> None:
        self.cage = cage
        self.kernel: remote.Kernel | None = None
        self.tried = False
        self._blocking: Any = None  # the grader's own client of the kernel, once connected
        self._listener = _listen(Path(cage.runtime, SOCKET_NAME))

    def connect(self, kc: Any, km: Any, log: logging.Logger | logging.LoggerAdapter[Any]
                ) -> remote.Kernel | None:
        """Start the kernel's end of grading through the notebook's client ``kc`` and wait for
        it to connect (30 s); then open the grader's own client of the kernel manager ``km``.
        The kernel has made its sockets by now: its sockets folder is taken back first."""
        self.tried = True
        jail.close_runtime(Path(self.cage.runtime), self.cage.uid)
        code = harness.bootstrap(str(Path(self.cage.runtime, SOCKET_NAME)),
                                 _source(wire), _source(harness))
        kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        self._listener.settimeout(30)
        try:
            sock, _ = self._listener.accept()
        except OSError:
            log.warning("The kernel did not connect to the grader")
            return None
        self._blocking = km.blocking_client()
        # Shell to ask, control to interrupt; no iopub: what the student's code prints during
        # grading calls is not read (nor kept in memory).
        self._blocking.start_channels(iopub=False, stdin=False, hb=False)
        blocking = self._blocking

        def start() -> str:
            return blocking.execute("__grading_harness__.serve()", silent=True,
                                    store_history=False, allow_stdin=False)

        def finished(msg_id: str) -> dict[str, Any] | None:
            while blocking.shell_channel.msg_ready():
                reply = blocking.get_shell_msg(timeout=0)
                if reply["parent_header"].get("msg_id") == msg_id:
                    return reply["content"]
            return None

        def interrupt() -> None:  # what KernelManager does for interrupt_mode "message"
            blocking.control_channel.send(blocking.session.msg("interrupt_request", content={}))

        self.kernel = remote.Kernel(sock, start, finished, interrupt)
        return self.kernel

    def student_object(self, name: str) -> Any:
        """The notebook's object ``name``: a stand-in calling it in the kernel when it is a
        function, else its value."""
        assert self.kernel is not None
        kind, value = self.kernel.describe(name)
        if kind == "missing":
            raise NameError(f"{name} is not defined: run the cell that defines it (and fix any "
                            "error it shows) before this one")
        return self.kernel.function(name) if kind == "function" else value

    def mark_hung(self, calls: Iterable[hidden.GradingCall]) -> None:
        """The functions these grading calls grade ran past a time limit: later diagnosis
        (which helper of another exercise is wrong) does not wait for them again. Their own
        exercises are still graded as usual."""
        if self.kernel is not None:
            self.kernel.hung.update(target for call in calls for target in call.targets)

    def answers(self, seconds: float) -> bool:
        """Whether the kernel runs a trivial request within ``seconds`` (True when there is no
        grading connection to ask through)."""
        if self._blocking is None:
            return True
        msg_id = self._blocking.execute("pass", silent=True, store_history=False)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                reply = self._blocking.get_shell_msg(timeout=0.5)
            except queue.Empty:
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                return True
        return False

    def close(self) -> None:
        """Close the connection, the grader's client of the kernel and the grader's socket."""
        if self.kernel is not None:
            with contextlib.suppress(OSError):
                self.kernel.sock.close()
        if self._blocking is not None:
            self._blocking.stop_channels()
        self._listener.close()


def _source(module: Any) -> str:
    return Path(module.__file__).read_text(encoding="utf-8")


def _listen(path: Path) -> socket.socket:
    """The grader's socket: the grader's file, open to the sandbox user for connecting."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)
    os.chmod(path, 0o666)
    return listener
