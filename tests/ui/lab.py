"""A real JupyterLab server and Debian's Chromium, started for the browser tests.

The server is the project's own ``jupyter lab`` (with nbgrader's extensions, as students and
instructors get it) on a free localhost port with a random token, its settings, workspaces and
runtime files in a private folder so that nothing on the machine leaks in. The browser is
Playwright's Chromium driver pointed at the system Chromium, since browsers cannot be downloaded
here.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

JUPYTER = Path(sys.executable).with_name("jupyter")
#: The student's Jupyter configuration, as `make lab` adds it to JUPYTER_CONFIG_PATH: nbgrader's
#: instructor tools off, no news pop-up, notebooks open unchanged.
STUDENT_CONFIG = Path(__file__).resolve().parents[2] / "jupyter_student_config"
CHROMIUM = Path(os.environ.get("BACKPROP_CHROMIUM", "/usr/bin/chromium"))
#: Chromium as a test browser (Playwright adds --headless): no sandbox of its own (the tests may
#: run as root), no GPU, no network traffic of its own.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
MISSING_CHROMIUM = (
    "Chromium was not found at {path}. The browser tests drive Debian's Chromium: run "
    "`make system` (it runs `apt-get install chromium`), or point BACKPROP_CHROMIUM at a "
    "Chromium binary."
)
#: Lab settings for a quiet test session: no news or update pop-ups over the notebook (a
#: student's session gets none: its configuration must keep them away itself).
QUIET_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False,
    },
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LabServer:
    """``jupyter lab`` serving ``root`` (also its working folder, where nbgrader looks for
    ``nbgrader_config.py``), with its own settings and runtime files under ``private``.
    ``student=True`` starts it as `make lab` does for a student: with :data:`STUDENT_CONFIG` on
    Jupyter's configuration path, and without the test's quiet settings.

    Use as a context manager; ``url(path)`` gives an address with the token.
    """

    def __init__(self, root: Path, private: Path, env: dict[str, str] | None = None,
                 start_timeout: float = 90, student: bool = False) -> None:
        self.root = root
        self.private = private
        self.env = env or {}
        self.student = student
        self.start_timeout = start_timeout
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.log = private / "lab.log"
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, path: str = "lab") -> str:
        """The address of ``path`` on this server, token included."""
        separator = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}{separator}token={self.token}"

    def __enter__(self) -> LabServer:
        settings = self.private / "settings"
        settings.mkdir(parents=True, exist_ok=True)
        for name, values in ({} if self.student else QUIET_SETTINGS).items():
            target = settings / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))
        env = {
            **os.environ, **self.env,
            "PATH": f"{JUPYTER.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "JUPYTER_CONFIG_DIR": str(self.private / "config"),
            "JUPYTER_RUNTIME_DIR": str(self.private / "runtime"),
            "IPYTHONDIR": str(self.private / "ipython"),
        }
        env.pop("JUPYTER_CONFIG_PATH", None)
        if self.student:
            env["JUPYTER_CONFIG_PATH"] = str(STUDENT_CONFIG)
        command = [
            str(JUPYTER), "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
            f"--port={self.port}", f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={self.private / 'workspaces'}",
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=self.root, env=env, stdout=log,
                                            stderr=subprocess.STDOUT)
        self._wait_until_up()
        return self

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.process.returncode}:\n"
                                   f"{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=5):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.25)
        self.__exit__()
        raise RuntimeError(f"jupyter lab did not answer within {self.start_timeout:.0f} s:\n"
                           f"{self.log.read_text()[-3000:]}")

    def __exit__(self, *_: Any) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # the server shuts its kernels down on SIGTERM
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def chromium_or_fail(path: Path = CHROMIUM) -> Path:
    """The Chromium binary at ``path``, or an error that says how to install it (the browser
    tests fail on it rather than being skipped)."""
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise FileNotFoundError(MISSING_CHROMIUM.format(path=path))
    return path
