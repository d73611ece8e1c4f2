"""Attacks through the files of a submission, not its code: links to the instructor's files,
hard links, pipes, a notebook built to exhaust the grader's memory, a forged submission time.

Each attacker writes straight into the exchange's inbound folder (on a shared server a student
can), the instructor collects with the real ``nbgrader collect`` (``course.safe_collect``) and
grades with ``course.parallel_autograde``. An honest student is graded beside them.
"""

from __future__ import annotations

import datetime
import json
import os

import pytest
from nbgrader.api import Gradebook

from course.parallel_autograde import autograde_class
from course.preflight import check_class
from course.safe_collect import SKEW, _exchange_time
from sandbox.submission import unsafe_reasons
from simulation.exercises import read_assignment
from simulation.hostile import nested_lists_notebook
from simulation.notebooks import fill, read, write

from ..course.nbgrader_cli import (
    RELEASE,
    ROOT,
    SOURCE,
    digest,
    nbgrader,
    released_course,
)

pytestmark = pytest.mark.notebooks

ASSIGNMENT = "ps1_forward"
SECRETS = ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "def check_", "root:x:0:0")
REFUSED = ("link_to_source", "link_to_grader", "linked_folder", "hard_link", "fifo",
           "nested_notebook")
FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = released_course(tmp_path_factory.mktemp("files"), [ASSIGNMENT])
    now = datetime.datetime.now(datetime.timezone.utc)
    due = (now - datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S UTC")
    assert nbgrader("db", "assignment", "add", ASSIGNMENT, f"--duedate={due}",
                    cwd=course).returncode == 0
    (plan,) = read_assignment(SOURCE, ASSIGNMENT)
    solved = read(str(RELEASE / ASSIGNMENT / plan.notebook))
    for target, source in plan.solutions.items():
        fill(solved, target, source)
    secret = course / "instructor-notes.txt"
    secret.write_text("### BEGIN SOLUTION\nthe quiz key\n")
    inbound = course / "exchange" / "backprop" / "inbound"

    def submit(student: str, claimed: datetime.datetime = now):
        folder = inbound / f"{student}+{ASSIGNMENT}+{claimed.strftime(FORMAT)}"
        folder.mkdir(parents=True)
        (folder / "timestamp.txt").write_text(claimed.strftime(FORMAT))
        return folder

    write(solved, str(submit("honest") / plan.notebook))
    write(solved, str(submit("forged_time", now - datetime.timedelta(days=3)) / plan.notebook))
    (submit("link_to_source") / plan.notebook).symlink_to(
        course / "source" / ASSIGNMENT / plan.notebook)
    folder = submit("link_to_grader")
    write(read(str(RELEASE / ASSIGNMENT / plan.notebook)), str(folder / plan.notebook))
    (folder / "helpers.py").symlink_to(ROOT / "grading" / "checks" / "forward.py")
    (folder / "passwd").symlink_to("/etc/passwd")
    folder = submit("linked_folder")
    write(solved, str(folder / plan.notebook))
    (folder / "data").symlink_to(course / "source")
    folder = submit("hard_link")
    write(solved, str(folder / plan.notebook))
    os.link(secret, folder / "notes.txt")
    folder = submit("fifo")
    write(solved, str(folder / plan.notebook))
    os.mkfifo(folder / "pipe")
    nested_lists_notebook(RELEASE / ASSIGNMENT / plan.notebook,
                          submit("nested_notebook") / plan.notebook)
    source_before = digest(course / "source")
    done = nbgrader("collect", ASSIGNMENT, cwd=course)
    assert done.returncode == 0, done.stderr[-3000:]
    findings = {f.student: f for f in check_class(course, ASSIGNMENT, [
        *REFUSED, "honest", "forged_time"])}
    outcomes = {o.student: o for o in autograde_class(course, ASSIGNMENT, workers=2,
                                                      progress=None)}
    return course, outcomes, findings, source_before, done.stdout + done.stderr


def _score(course, student):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return gradebook.find_submission(ASSIGNMENT, student).score


@pytest.mark.parametrize("attacker", REFUSED)
def test_a_submission_with_links_pipes_or_a_notebook_bomb_is_refused(graded, attacker):
    course, outcomes, findings, _, _ = graded
    outcome = outcomes[attacker]
    assert outcome.status == "failed" and "unsafe to read" in outcome.reason, outcome
    assert findings[attacker].blocks and "unsafe to read" in findings[attacker].message
    assert not (course / "autograded" / attacker).exists()
    assert outcome.worker_mb < 1024


def test_nothing_secret_was_copied_or_graded(graded):
    course, _, _, source_before, _ = graded
    assert digest(course / "source") == source_before
    for folder in ("submitted", "autograded"):
        for path in (course / folder).rglob("*"):
            if path.is_file() and not path.is_symlink():
                text = path.read_text(errors="replace")
                for secret in SECRETS:
                    if secret in text and path.name != "forward.ipynb":
                        pytest.fail(f"{secret!r} in {path}")
    notebook = course / "submitted" / "link_to_source" / ASSIGNMENT / "forward.ipynb"
    assert notebook.is_symlink(), "the link is kept as evidence, never followed"
    assert (course / "submitted" / "hard_link" / ASSIGNMENT / "notes.txt").is_symlink()


def test_the_honest_student_is_graded(graded):
    course, outcomes, _, _, _ = graded
    assert outcomes["honest"].status == "graded"
    assert _score(course, "honest") == _score(course, "forged_time") > 0


def test_a_forged_early_timestamp_does_not_escape_the_late_penalty(graded):
    """The student's timestamp.txt claims three days ago, before the deadline; the exchange
    received it now, a day after: the later time counts, so it is as late as the honest one."""
    course, _, _, _, log = graded
    stamp = (course / "submitted" / "forged_time" / ASSIGNMENT / "timestamp.txt").read_text()
    honest = (course / "submitted" / "honest" / ASSIGNMENT / "timestamp.txt").read_text()
    gap = abs(datetime.datetime.strptime(stamp, FORMAT) - datetime.datetime.strptime(
        honest, FORMAT))
    assert gap < SKEW, (stamp, honest)
    assert "forged_time" in log and "the exchange's time is used" in log
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, "forged_time")
        assert submission.late_submission_penalty > 0


def test_unsafe_reasons_names_each_problem(tmp_path):
    folder = tmp_path / "submission"
    (folder / "deep").mkdir(parents=True)
    (folder / "ok.txt").write_text("fine")
    (folder / "link").symlink_to("/etc/passwd")
    (folder / "deep" / "hard").write_text("x")
    os.link(folder / "deep" / "hard", tmp_path / "other-name")
    os.mkfifo(folder / "pipe")
    (folder / "nb.ipynb").write_text(json.dumps({"cells": [[[]] for _ in range(300_000)]}))
    reasons = "\n".join(unsafe_reasons(folder))
    assert "link is a symbolic link" in reasons and "deep/hard is a hard link" in reasons
    assert "pipe is not a regular file" in reasons and "nb.ipynb holds" in reasons
    assert "ok.txt" not in reasons
    assert unsafe_reasons(tmp_path / "missing")
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "nb.ipynb").write_text(json.dumps({"cells": []}))
    assert unsafe_reasons(clean) == []
    assert _exchange_time(clean) is not None
