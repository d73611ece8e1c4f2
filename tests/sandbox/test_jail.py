"""The sandbox's command and its process sweeps, without a notebook."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox import jail

ROOT = Path(__file__).resolve().parents[2]


def test_asking_for_bubblewrap_where_it_cannot_run_is_an_error(monkeypatch):
    monkeypatch.setattr(jail, "bubblewrap_works", lambda: False)
    with pytest.raises(RuntimeError, match="bubblewrap"):
        jail.choose_mode("bubblewrap")
    assert jail.choose_mode("auto") == "process"
    with pytest.raises(ValueError):
        jail.choose_mode("docker")


def test_the_sandbox_sees_no_course_folder(tmp_path):
    work, run = tmp_path / "work", tmp_path / "run"
    command = jail.command(["python", "-m", "ipykernel_launcher"], str(work), str(run),
                           jail.Limits(), "bubblewrap", uid=62001)
    binds = {command[i + 2] for i, part in enumerate(command) if part.endswith("bind")}
    for folder in binds:
        inside_course = folder == str(ROOT) or folder.startswith(str(ROOT) + os.sep)
        assert not inside_course or folder.startswith(str(ROOT / ".venv")), folder
    assert str(work) in binds and str(run) in binds
    assert "--unshare-net" in command and "--clearenv" in command
    assert "NBGRADER_EXECUTION" not in command


@pytest.mark.skipif(not jail.bubblewrap_works(), reason="needs bubblewrap")
def test_inside_the_sandbox_the_course_is_not_there(tmp_path):
    work, run = tmp_path / "work", tmp_path / "run"
    work.mkdir()
    run.mkdir()
    uid = jail.sandbox_uid()
    jail.prepare(tmp_path, uid)
    probe = ("import os, sys\n"
             f"print(os.path.exists({str(ROOT / 'source')!r}), os.path.exists("
             f"{str(ROOT / 'reference')!r}), os.getuid() != 0 or {uid} < 0)\n"
             "try:\n    import reference\n    print('imported')\nexcept ImportError:\n"
             "    print('no reference')\n")
    command = jail.command([sys.executable, "-c", probe], str(work), str(run), jail.Limits(),
                           "bubblewrap", uid)
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["False", "False", "True", "no", "reference"], done.stderr


@pytest.mark.skipif(os.getuid() != 0, reason="telling the sandbox's processes apart needs root")
def test_reap_kills_the_kernels_children_and_keeps_the_kernel():
    uid = jail.FIRST_UID + jail.UID_COUNT  # no grading running now can share this uid

    def as_sandbox_user():
        os.setgid(uid)
        os.setuid(uid)

    # a stand-in for a kernel that started three processes (sh becomes the last sleep)
    kernel = subprocess.Popen(["/bin/sh", "-c", "sleep 60 & sleep 60 & sleep 60 & exec sleep 60"],
                              preexec_fn=as_sandbox_user)
    try:
        for _ in range(100):
            if len(jail.strays(uid)) == 3:
                break
            time.sleep(0.05)
        assert len(jail.strays(uid)) == 3
        assert jail.reap(uid) == 3
        assert kernel.poll() is None, "the kernel itself must survive"
        assert jail.reap(uid, everything=True) == 1
        kernel.wait(timeout=10)
    finally:
        kernel.kill()
