"""Grading run by an ordinary user, not root: the same class, the same sandbox guarantees.

Instructors on a shared server grade as themselves. This suite makes such a grader: a user id
of its own (not in the range root hands to sandboxes), which runs ``python -m
course.parallel_autograde`` through the command line on a course folder it owns. The Python
installation may lie under ``/root`` (closed to other users here); the grader then runs in a
private mount namespace in which only ``/root/.pyenv`` is visible under ``/root``, so it can start
Python and nothing else of root's home. Without root (or without ``unshare``) these tests skip.

Bubblewrap then confines each kernel in a user namespace of its own (no capability; the kernel
runs as the grader's user mapped inside). The explicitly chosen ``process`` mode grades too, and
says in the report that its confinement is weaker.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from course.report import write_report
from sandbox import METADATA_KEY, jail
from simulation.exercises import read_assignment
from simulation.notebooks import fill, read, write

from ..course.nbgrader_cli import RELEASE, ROOT, SOURCE, released_course
from .attackers import ATTACKS, SECRETS, SHADOW_FILES

pytestmark = [pytest.mark.notebooks, pytest.mark.skipif(
    os.getuid() != 0 or shutil.which("unshare") is None or shutil.which("setpriv") is None,
    reason="making an ordinary user's grader needs root, unshare and setpriv")]

ASSIGNMENT = "ps1_forward"
#: The ordinary grader's user and group id: below the sandbox range, in no group.
GRADER_UID = jail.FIRST_UID - 7

#: Run by ``sh`` in a private mount namespace as root: show ``/root`` as an empty folder but for
#: the Python installations under it, then become the ordinary user and run the command.
AS_USER = """\
set -e
uid="$1"; keep="$2"; shift 2
for folder in /root/.pyenv /root/.local/share/uv; do
    if [ -d "$folder" ]; then mkdir -p "$keep$folder"; mount --bind "$folder" "$keep$folder"; fi
done
mount -t tmpfs -o mode=0755,size=1m tmpfs /root
for folder in /root/.pyenv /root/.local/share/uv; do
    if [ -d "$keep$folder" ]; then mkdir -p "$folder"; mount --move "$keep$folder" "$folder"; fi
done
exec setpriv --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all --bounding-set=-all \
    -- "$@"
"""


def as_ordinary_user(command: list[str], cwd: Path, env: dict[str, str], timeout: float
                     ) -> subprocess.CompletedProcess[str]:
    """Run ``command`` as the ordinary grader in ``cwd``."""
    with tempfile.TemporaryDirectory(prefix="keep-") as keep:
        return subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", AS_USER, "as-user",
             str(GRADER_UID), keep, *command],
            cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def _class(course: Path, students: dict[str, dict[str, str]],
           extra_files: dict[str, dict[str, str]]) -> None:
    (plan,) = read_assignment(SOURCE, ASSIGNMENT)
    for student, cells in students.items():
        notebook = read(str(RELEASE / ASSIGNMENT / plan.notebook))
        for target, source in cells.items():
            fill(notebook, target, source)
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        write(notebook, str(folder / plan.notebook))
        for name, text in extra_files.get(student, {}).items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)


def _grade_as_user(course: Path, sandbox: str) -> subprocess.CompletedProcess[str]:
    for path in [course, *course.rglob("*")]:
        os.lchown(path, GRADER_UID, GRADER_UID)
    home = course.parent / "home"
    home.mkdir(exist_ok=True)
    os.chown(home, GRADER_UID, GRADER_UID)
    env = {"HOME": str(home), "USER": "grader", "LOGNAME": "grader", "LANG": "C.UTF-8",
           "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "BACKPROP_SANDBOX": sandbox,
           "BACKPROP_CELL_TIMEOUT": "20", "PYTHONPATH": str(ROOT)}
    return as_ordinary_user([sys.executable, "-m", "course.parallel_autograde", ASSIGNMENT,
                             "--workers", "2"], course, env, timeout=600)


@pytest.fixture
def course() -> Iterator[Path]:
    """A course folder the ordinary grader can own (pytest's own folders are root's only)."""
    folder = Path(tempfile.mkdtemp(prefix="ordinary-grader-"))
    os.chmod(folder, 0o755)
    course = released_course(folder, [ASSIGNMENT])
    try:
        yield course
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _score(course: Path, student: str) -> float:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return gradebook.find_submission(ASSIGNMENT, student).score


def _autograded(course: Path, student: str) -> dict:
    return json.loads((course / "autograded" / student / ASSIGNMENT / "forward.ipynb")
                      .read_text())


def test_an_ordinary_users_grader_confines_students_in_bubblewrap(course):
    (plan,) = read_assignment(SOURCE, ASSIGNMENT)
    code = {"course": str(course), "root": str(ROOT), "port": 9}
    _class(course, {
        "honest": plan.solutions,
        "numpy_patched": {"sigmoid": ATTACKS["numpy_patched"]},
        "reads_course_files": {"sigmoid": ATTACKS["reads_course_files"].format(**code)},
        "writes_gradebook_and_others": {
            "sigmoid": ATTACKS["writes_gradebook_and_others"].format(**code)},
        "shadows_start_up": {"sigmoid": ATTACKS["shadows_start_up"]},
        "fills_sockets_folder": {"sigmoid": ATTACKS["fills_sockets_folder"]},
    }, {"shadows_start_up": SHADOW_FILES})
    done = _grade_as_user(course, "auto")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "All 6 submissions were graded" in done.stdout, done.stdout
    assert _score(course, "honest") == 30.0
    incidents = _autograded(course, "fills_sockets_folder")["metadata"][METADATA_KEY]
    assert any("sockets folder" in line for line in incidents["incidents"]), incidents
    for attacker in ("numpy_patched", "reads_course_files", "writes_gradebook_and_others",
                     "shadows_start_up", "fills_sockets_folder"):
        assert _score(course, attacker) == 0.0, attacker
        notebook = _autograded(course, attacker)
        assert notebook["metadata"][METADATA_KEY]["sandbox"] == "bubblewrap"
        outputs = json.dumps([cell.get("outputs", []) for cell in notebook["cells"]])
        for secret in SECRETS:
            assert secret not in outputs, (attacker, secret)
    evidence = json.dumps(_autograded(course, "shadows_start_up")["cells"])
    for name, uid, capabilities in re.findall(r"shadow (\S+) uid=(\d+) cap=([0-9a-f]+)",
                                              evidence):
        assert int(uid) != 0 and int(capabilities, 16) == 0, (name, uid, capabilities)


def test_the_process_mode_grades_as_an_ordinary_user_and_says_it_is_weaker(course):
    """BACKPROP_SANDBOX=process, chosen by name: scores still computed outside the kernel (the
    NumPy attack gains nothing), and the report warns what the mode does not protect."""
    (plan,) = read_assignment(SOURCE, ASSIGNMENT)
    _class(course, {"honest": plan.solutions,
                    "numpy_patched": {"sigmoid": ATTACKS["numpy_patched"]}}, {})
    done = _grade_as_user(course, "process")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert _score(course, "honest") == 30.0 and _score(course, "numpy_patched") == 0.0
    assert _autograded(course, "honest")["metadata"][METADATA_KEY]["sandbox"] == "process"
    text = write_report(course, [ASSIGNMENT]).read_text()
    assert "in the <b>process</b> mode" in text and "Weaker confinement" in text


def test_a_root_grader_refuses_the_process_mode(tmp_path):
    """Student code never runs as root: asked for the process mode, a root grader grades
    nobody and says why."""
    from course.parallel_autograde import autograde_class

    course = released_course(tmp_path, [ASSIGNMENT])
    (plan,) = read_assignment(SOURCE, ASSIGNMENT)
    _class(course, {"honest": plan.solutions}, {})
    os.environ["BACKPROP_SANDBOX"] = "process"
    try:
        (outcome,) = autograde_class(course, ASSIGNMENT, workers=1, progress=None)
    finally:
        del os.environ["BACKPROP_SANDBOX"]
    assert outcome.status == "failed" and "would run student code as root" in outcome.reason, \
        outcome
