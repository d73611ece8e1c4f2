"""A kernel stand-in for tests of the grading connection: the kernel's end of grading
(:class:`sandbox.harness.Harness`) serves a namespace in a thread of the test, over a socket
pair, so a student's functions are reached exactly as the sandbox reaches them."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

import numpy as np

from sandbox import harness, remote, wire
from simulation.alternatives.notebook import namespace


class ThreadedKernel:
    """``namespace`` (the student's globals) served by the real harness; ``kernel`` is the
    grader's end (:class:`sandbox.remote.Kernel`), ``threads`` the executions so far, by id."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        grader_end, kernel_end = socket.socketpair()
        self.harness = harness.Harness(kernel_end, wire, namespace)
        self.threads: dict[str, threading.Thread] = {}
        self.kernel = remote.Kernel(grader_end, self.start, self.finished, lambda: None)

    def start(self) -> str:
        """Start one execution; a kernel runs one after another, so the previous one ends
        (reads its "done") first."""
        for thread in self.threads.values():
            thread.join(timeout=5)
        msg_id = str(len(self.threads))
        self.threads[msg_id] = threading.Thread(target=self._serve, daemon=True)
        self.threads[msg_id].start()
        return msg_id

    def _serve(self) -> None:
        with contextlib.suppress(EOFError, OSError):  # the test ended without "done"
            self.harness.serve()

    def finished(self, msg_id: str) -> dict[str, str] | None:
        return None if self.threads[msg_id].is_alive() else {"status": "ok"}

    def function(self, name: str) -> remote.RemoteFunction:
        return self.kernel.function(name)


def kernel_with(source: str, assignment: str | None = None) -> ThreadedKernel:
    """A kernel whose namespace holds ``source`` run after the given code and solutions of
    ``assignment``'s notebook (after ``import numpy as np`` alone when there is none)."""
    names = dict(namespace(assignment)) if assignment else {"np": np}
    exec(source, names)
    return ThreadedKernel(names)
