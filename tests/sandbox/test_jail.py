"""The sandbox's command and its process sweeps, without a notebook: what a process started by
:func:`sandbox.jail.command` can see, which privileges it has, and what runs before it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox import jail

ROOT = Path(__file__).resolve().parents[2]

#: Modules the start-up or the kernel's launch would import if the student's folder were on
#: their path; each is planted in the submission and records it if it is ever imported.
SHADOWS = ("resource", "os", "site", "sitecustomize", "usercustomize", "encodings",
           "ipykernel_launcher", "runpy", "codecs", "io", "abc", "stat", "posixpath",
           "genericpath", "shutil", "subprocess", "json", "types", "zmq", "numpy")
PLANT = ("import os as _os\n"
         "open(_os.path.join('/tmp', 'imported-' + __name__), 'w').write(str(_os.getuid()))\n")

needs_bubblewrap = pytest.mark.skipif(not jail.bubblewrap_works(), reason="needs bubblewrap")


def test_asking_for_a_sandbox_where_none_can_run_is_an_error(monkeypatch):
    monkeypatch.setattr(jail, "bubblewrap_works", lambda: False)
    for mode in ("auto", "bubblewrap"):
        with pytest.raises(RuntimeError, match="BACKPROP_SANDBOX=process"):
            jail.choose_mode(mode)
    with pytest.raises(ValueError):
        jail.choose_mode("docker")


def test_the_process_mode_is_chosen_by_name_only_and_never_as_root(monkeypatch):
    monkeypatch.setattr(jail.os, "getuid", lambda: 0)
    with pytest.raises(RuntimeError, match="as root"):
        jail.choose_mode("process")
    monkeypatch.setattr(jail.os, "getuid", lambda: 1000)
    assert jail.choose_mode("process") == "process"


def test_the_sandbox_sees_no_course_folder(tmp_path):
    work, run = tmp_path / "work", tmp_path / "run"
    command = jail.command(["python", "-m", "ipykernel_launcher"], str(work), str(run),
                           jail.Limits(), "bubblewrap", uid=62001, submission=str(tmp_path))
    binds = {command[i + 1] for i, part in enumerate(command) if part.endswith("bind")}
    for folder in binds:
        inside_course = folder == str(ROOT) or folder.startswith(str(ROOT) + os.sep)
        assert not inside_course or folder.startswith(str(ROOT / ".venv")), folder
    assert str(run) in binds and str(work) not in binds  # the work folder is a tmpfs
    assert "--unshare-net" in command and "--clearenv" in command
    assert command[command.index("--cap-drop") + 1] == "ALL"
    assert "NBGRADER_EXECUTION" not in command
    assert ["python", "-I", "-B", "-m", "ipykernel_launcher"] == command[-5:]


def test_the_sandbox_user_is_never_root(tmp_path):
    with pytest.raises(ValueError):
        jail.command(["python", "-c", "pass"], str(tmp_path), str(tmp_path), jail.Limits(),
                     "bubblewrap", uid=0, submission=str(tmp_path))


def _run_inside(tmp_path: Path, probe: str, uid: int, limits: jail.Limits | None = None
                ) -> subprocess.CompletedProcess:
    """Run ``probe`` with the kernel's Python in a sandbox whose submission is ``tmp_path /
    'submission'``."""
    run = tmp_path / "run"
    run.mkdir(exist_ok=True)
    (run / "matplotlib").mkdir(exist_ok=True)
    jail.open_runtime(run, uid)
    command = jail.command([sys.executable, "-c", probe], str(tmp_path / "work"), str(run),
                           limits or jail.Limits(), "bubblewrap", uid,
                           str(tmp_path / "submission"))
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


@needs_bubblewrap
def test_inside_the_sandbox_the_course_is_not_there(tmp_path):
    (tmp_path / "submission").mkdir()
    probe = ("import os\n"
             f"print(os.path.exists({str(ROOT / 'source')!r}), os.path.exists("
             f"{str(ROOT / 'reference')!r}))\n"
             "try:\n    import reference\n    print('imported')\nexcept ImportError:\n"
             "    print('no reference')\n")
    done = _run_inside(tmp_path, probe, jail.sandbox_uid())
    assert done.stdout.split() == ["False", "False", "no", "reference"], done.stderr


@needs_bubblewrap
def test_inside_the_sandbox_there_is_no_privilege(tmp_path):
    """No capability in any set, no-new-privileges, never user 0, and a working folder that is
    a size-limited nosuid,nodev tmpfs holding the student's files (links kept as links)."""
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "data.txt").write_text("the student's file")
    (submission / "link").symlink_to("/etc/hostname")
    probe = (
        "import os\n"
        "status = dict(l.split(':', 1) for l in open('/proc/self/status') if ':' in l)\n"
        "for key in ('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs', 'Uid'):\n"
        "    print(key, status[key].split()[0])\n"
        "mounts = [l.split() for l in open('/proc/self/mountinfo')]\n"
        "for m in mounts:\n"
        "    if m[4] in (os.getcwd(), '/tmp'):\n"
        "        print('mount', m[4] == '/tmp', 'nosuid' in m[5], 'nodev' in m[5],"
        " m[m.index('-') + 1])\n"
        "print('file', open('data.txt').read().replace(' ', '_'), os.stat('data.txt').st_uid "
        "== os.getuid(), os.path.islink('link'))\n"
    )
    uid = jail.sandbox_uid()
    done = _run_inside(tmp_path, probe, uid)
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert int(lines[key], 16) == 0, (key, done.stdout, done.stderr)
    assert lines["NoNewPrivs"] == "1"
    assert int(lines["Uid"]) != 0
    mounts = [line for line in done.stdout.splitlines() if line.startswith("mount")]
    assert sorted(mounts) == ["mount False True True tmpfs", "mount True True True tmpfs"]
    assert lines["file"] == "the_student's_file True True"


@needs_bubblewrap
def test_the_working_folder_is_size_limited(tmp_path):
    (tmp_path / "submission").mkdir()
    probe = ("import errno\n"
             "try:\n"
             "    with open('big', 'wb') as f:\n"
             "        for _ in range(64):\n"
             "            f.write(bytes(2**20))\n"
             "    print('wrote 64 MiB')\n"
             "except OSError as e:\n"
             "    print('full' if e.errno == errno.ENOSPC else e)\n")
    done = _run_inside(tmp_path, probe, jail.sandbox_uid(), jail.Limits(work_mb=8))
    assert done.stdout.strip() == "full", done.stderr


@needs_bubblewrap
def test_nothing_in_the_submission_runs_before_or_during_start_up(tmp_path):
    """Modules named like those the start-up and the interpreter's launch import, planted
    beside the notebook (with a .pth file), are never imported: the interpreter starts with
    -I, and the start-up before it is made of system programs."""
    submission = tmp_path / "submission"
    submission.mkdir()
    for name in SHADOWS:
        (submission / f"{name}.py").write_text(PLANT)
    (submission / "evil.pth").write_text("import resource\n")
    (submission / "ipykernel_launcher").mkdir()
    (submission / "ipykernel_launcher" / "__main__.py").write_text(PLANT)
    probe = ("import os, json, resource, subprocess, numpy\n"
             "print(sorted(f for f in os.listdir('/tmp') if f.startswith('imported-')))\n"
             "print(resource.getrlimit(resource.RLIMIT_AS)[0])\n")
    done = _run_inside(tmp_path, probe, jail.sandbox_uid())
    lines = done.stdout.splitlines()
    assert lines[0] == "[]", done.stdout + done.stderr
    assert int(lines[1]) == jail.Limits().memory_mb * 2**20


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
