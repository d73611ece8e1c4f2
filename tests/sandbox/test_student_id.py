"""The kernel learns whose submission it runs (BACKPROP_STUDENT, for the quiz's per-student
numbers), and the id, a folder name the student chose, opens no hole: it is one argument of
bwrap's ``--setenv``, never an option or shell code, and an id with control characters or
over 100 characters is not passed at all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import jail

needs_bubblewrap = pytest.mark.skipif(not jail.bubblewrap_works(), reason="needs bubblewrap")

HOSTILE = [
    "--bind / /host",
    "--bind",
    "x --ro-bind / /mnt --setenv LD_PRELOAD /tmp/evil.so",
    "$(touch /tmp/pwned)",
    "`id`; rm -rf ~",
    "a'b\"c",
    "-- /bin/sh",
]
REFUSED = ["line\nbreak", "nul\x00byte", "esc\x1b[31m", "tab\tbed", "x" * 101, "",
           "sep\u2028line", "del\x7f"]


def _command(student: str, tmp_path: Path) -> list[str]:
    return jail.command(["python", "-m", "ipykernel_launcher"], str(tmp_path / "work"),
                        str(tmp_path / "run"), jail.Limits(), "bubblewrap", uid=62001,
                        submission=str(tmp_path), student=student)


@pytest.mark.parametrize("student", ["alice", "李雷", "x" * 100, *HOSTILE])
def test_an_id_is_one_argument_of_setenv(student, tmp_path):
    command = _command(student, tmp_path)
    plain = _command("", tmp_path)
    at = command.index(jail.STUDENT_VARIABLE)
    assert command[at - 1] == "--setenv" and command[at + 1] == student
    assert command[:at - 1] + command[at + 2:] == plain  # nothing else changed
    assert command.index("--") > at  # among bwrap's options, before the confined command


@pytest.mark.parametrize("student", REFUSED)
def test_an_id_with_control_characters_or_too_long_is_not_passed(student, tmp_path):
    assert jail.student_id(student) is None
    assert jail.STUDENT_VARIABLE not in _command(student, tmp_path)
    assert jail.STUDENT_VARIABLE not in jail.environment("/w", "/r", "process", student)


def test_the_process_mode_passes_the_id_in_the_kernels_environment():
    assert jail.environment("/w", "/r", "process", "alice")[jail.STUDENT_VARIABLE] == "alice"
    assert jail.STUDENT_VARIABLE not in jail.environment("/w", "/r", "process")


@needs_bubblewrap
@pytest.mark.parametrize("student", [*HOSTILE[:3], "$(touch /tmp/pwned)"])
def test_inside_the_sandbox_a_hostile_id_is_only_a_value(student, tmp_path):
    submission, run = tmp_path / "submission", tmp_path / "run"
    submission.mkdir()
    (run / "matplotlib").mkdir(parents=True)
    uid = jail.sandbox_uid()
    jail.open_runtime(run, uid)
    probe = ("import os\n"
             "print(repr(os.environ.get('BACKPROP_STUDENT')))\n"
             "print(sorted(k for k in os.environ if k not in ('HOME', 'PATH', 'LANG', "
             "'MPLCONFIGDIR', 'XDG_CACHE_HOME', 'MPLBACKEND', 'PYTHONDONTWRITEBYTECODE', "
             "'OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'PWD', "
             "'BACKPROP_STUDENT')))\n"
             "print(os.path.exists('/host'), os.path.exists('/mnt/etc'), "
             "os.path.exists('/tmp/pwned'))\n")
    command = jail.command([sys.executable, "-c", probe], str(tmp_path / "work"), str(run),
                           jail.Limits(), "bubblewrap", uid, str(submission), student)
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    lines = done.stdout.splitlines()
    assert lines[0] == repr(student), done.stderr
    assert lines[1] == "[]"  # no other variable (no LD_PRELOAD) was set
    assert lines[2].split()[0] == "False" and lines[2].split()[2] == "False"
    assert not Path("/tmp/pwned").exists()
