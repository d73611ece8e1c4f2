"""A Jupyter kernel manager whose kernel runs in the grading sandbox (:mod:`sandbox.jail`).

The kernel talks through Unix sockets (ZeroMQ's ``ipc`` transport) in a private runtime folder,
the only folder besides its scratch copy of the assignment that it shares with the grader: with
no network in the sandbox, TCP on localhost would not reach it. It is interrupted by a message
(``interrupt_request``), since the grader cannot signal a process inside another PID namespace.

The kernel is the student's: it may send anything on its sockets. Every socket the grader opens
to it refuses a message part over :data:`MAX_PART_BYTES` (ZeroMQ drops the connection before
the part is in memory), and :class:`BoundedSession` parses only what is small enough to parse
safely: a message whose content would cost too much (over :data:`MAX_CONTENT_BYTES`, or more
than :data:`MAX_CONTAINERS` lists and objects, which JSON grows about 30-fold) arrives as a
short note of its type instead, so the cell sees "a message was cut", never gigabytes.
"""

from __future__ import annotations

import os
import subprocess
from hmac import compare_digest
from pathlib import Path
from typing import Any

import zmq
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.jsonutil import extract_dates
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.session import Session
from traitlets import Any as AnyTrait

from sandbox import jail

#: Largest message part ZeroMQ hands the grader, in bytes.
MAX_PART_BYTES = 64 * 2**20
#: Largest content the grader parses, in bytes: far above what a cell may keep
#: (``SealedExecute.output_bytes``).
MAX_CONTENT_BYTES = 4 * 2**20
#: Most lists and objects (``[`` and ``{`` bytes) a parsed part may hold.
MAX_CONTAINERS = 100_000
#: Largest header, parent header or metadata part, in bytes.
MAX_HEADER_BYTES = 64 * 2**10
#: Most parts a message may have (a signature, four parts, and a few buffers).
MAX_PARTS = 16


def bound(context: zmq.Context) -> zmq.Context:
    """``context`` with every socket it makes from now on refusing parts over the limit."""
    context.setsockopt(zmq.MAXMSGSIZE, MAX_PART_BYTES)
    return context


def _too_costly(part: bytes, limit: int) -> bool:
    return len(part) > limit or part.count(b"[") + part.count(b"{") > MAX_CONTAINERS


def _note(msg_type: str, size: int) -> dict[str, Any]:
    """What stands for a message of ``msg_type`` whose ``size``-byte content was not parsed."""
    text = f"[a {msg_type} message of {size} bytes from the notebook was too large to read]"
    if msg_type == "stream":
        return {"name": "stdout", "text": text + "\n"}
    if msg_type in ("display_data", "update_display_data", "execute_result"):
        return {"data": {"text/plain": text}, "metadata": {}, "transient": {},
                "execution_count": None}
    if msg_type == "error":
        return {"ename": "MessageTooLarge", "evalue": text, "traceback": [text]}
    if msg_type == "execute_reply":
        return {"status": "error", "ename": "MessageTooLarge", "evalue": text, "traceback": [],
                "execution_count": None}
    if msg_type == "status":
        return {"execution_state": "busy"}
    return {}


class BoundedSession(Session):
    """A Jupyter session that checks a kernel's message before it parses any of it."""

    def deserialize(self, msg_list: list[Any], content: bool = True, copy: bool = True
                    ) -> dict[str, Any]:
        parts = [bytes(part.bytes) if hasattr(part, "bytes") else bytes(part)
                 for part in msg_list[:MAX_PARTS + 1]]
        if not 5 <= len(parts) <= MAX_PARTS:
            raise ValueError(f"a kernel message with {len(msg_list)} parts")
        if self.auth is not None:
            if not compare_digest(parts[0], self.sign(parts[1:5])):
                raise ValueError("a kernel message with an invalid signature")
        if any(_too_costly(part, MAX_HEADER_BYTES) for part in parts[1:4]):
            raise ValueError("a kernel message with an oversized header")
        header = extract_dates(self.unpack(parts[1]))
        if not isinstance(header, dict) or not isinstance(header.get("msg_type"), str):
            raise ValueError("a kernel message without a type")
        message = {"header": header, "msg_id": header.get("msg_id"),
                   "msg_type": header["msg_type"],
                   "parent_header": extract_dates(self.unpack(parts[2])),
                   "metadata": self.unpack(parts[3]), "buffers": []}
        if not content:
            message["content"] = parts[4]
        elif _too_costly(parts[4], MAX_CONTENT_BYTES):
            message["content"] = _note(header["msg_type"], len(parts[4]))
        else:
            message["content"] = self.unpack(parts[4])
        return message


def bounded_session(session: Session, parent: Any) -> BoundedSession:
    """A :class:`BoundedSession` with ``session``'s key and signature scheme."""
    return BoundedSession(parent=parent, key=session.key,
                          signature_scheme=session.signature_scheme, username=session.username)


class SandboxedKernelManager(AsyncKernelManager):
    """Starts its kernel with :func:`sandbox.jail.command`; ``cage`` says where and how."""

    cage = AnyTrait(None, help="The Cage describing this kernel's sandbox.")

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        cage = self.cage
        self.transport = "ipc"
        self.ip = os.path.join(cage.runtime, "kernel")
        self.connection_file = os.path.join(cage.runtime, "kernel.json")
        kw["cwd"] = cage.workdir if cage.mode == "process" else cage.runtime
        bound(self.context)
        self.session = bounded_session(self.session, self)
        kw["env"] = jail.environment(cage.workdir, cage.runtime, cage.mode, cage.student)
        kw["stdout"] = subprocess.DEVNULL  # ipykernel's banner; errors still go to stderr
        self.kernel_spec.interrupt_mode = "message"
        command, kw = await super()._async_pre_start_kernel(**kw)
        jail.open_runtime(Path(cage.runtime), cage.uid)
        return command, kw

    def client(self, **kwargs: Any) -> Any:
        client = super().client(**kwargs)
        bound(client.context)
        return client

    def blocking_client(self) -> BlockingKernelClient:
        client = super().blocking_client()
        client.session = bounded_session(self.session, client)
        bound(client.context)
        return client

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        cage = self.cage
        kernel = super().format_kernel_cmd(extra_arguments)
        return jail.command(kernel, cage.workdir, cage.runtime, cage.limits, cage.mode,
                            cage.uid, cage.submission, cage.student)
