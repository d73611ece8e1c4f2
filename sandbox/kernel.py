"""A Jupyter kernel manager whose kernel runs in the grading sandbox (:mod:`sandbox.jail`).

The kernel talks through Unix sockets (ZeroMQ's ``ipc`` transport) in a private runtime folder,
the only folder besides its scratch copy of the assignment that it shares with the grader: with
no network in the sandbox, TCP on localhost would not reach it. It is interrupted by a message
(``interrupt_request``), since the grader cannot signal a process inside another PID namespace.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import Any as AnyTrait

from sandbox import jail


class SandboxedKernelManager(AsyncKernelManager):
    """Starts its kernel with :func:`sandbox.jail.command`; ``cage`` says where and how."""

    cage = AnyTrait(None, help="The Cage describing this kernel's sandbox.")

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        cage = self.cage
        self.transport = "ipc"
        self.ip = os.path.join(cage.runtime, "kernel")
        self.connection_file = os.path.join(cage.runtime, "kernel.json")
        kw["cwd"] = cage.workdir
        kw["env"] = jail.environment(cage.workdir, cage.runtime)
        kw["stdout"] = subprocess.DEVNULL  # ipykernel's banner; errors still go to stderr
        self.kernel_spec.interrupt_mode = "message"
        command, kw = await super()._async_pre_start_kernel(**kw)
        jail.prepare(Path(cage.runtime), cage.uid)
        return command, kw

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        cage = self.cage
        kernel = super().format_kernel_cmd(extra_arguments)
        return jail.command(kernel, cage.workdir, cage.runtime, cage.limits, cage.mode,
                            cage.uid)
