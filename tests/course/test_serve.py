"""Grade on submit (``python -m course.serve``): students submit through the exchange and find
their official feedback and score minutes later; the attempt policy; hostile inbound folders;
a service killed mid-grading loses nothing and grades nothing twice.

The tests marked ``notebooks`` run the real service (child processes, bubblewrap, nbgrader) on
a scratch course; the others check the policy and the journal alone.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from course.attempts import Policy, counted
from course.inbound import parse_name, survey
from course.serve import Service
from course.serve_journal import Entry, Journal
from course.submit_notes import attempt_lines
from simulation.served_class import ROOT, ServedClass

ASSIGNMENT = "ps1_forward"
#: The time within which every submission's feedback must be out, with two workers on a
#: machine that other jobs share (about 6 s each on an idle 2-core machine).
FEEDBACK_WITHIN = 300.0
WRONG_SIGMOID = "def sigmoid(z):\n    return 1 / (1 + np.exp(z))\n"


@pytest.fixture(autouse=True)
def _environment(monkeypatch):
    """ServedClass points BACKPROP_EXCHANGE at its exchange: restore it after each test."""
    monkeypatch.setenv("BACKPROP_EXCHANGE", "")
    monkeypatch.delenv("BACKPROP_GRADEBOOK", raising=False)


# -- the policy and the journal, alone ---------------------------------------------------------

def test_last_best_and_decayed_best_choose_the_right_attempt():
    scores = [6.0, 10.0, 9.0]
    assert counted(Policy(counts="last"), scores) == (2, 1.0)
    assert counted(Policy(counts="best"), scores) == (1, 1.0)
    index, factor = counted(Policy(counts="best_with_decay", decay=0.5), scores)
    assert (index, factor) == (0, 1.0)  # 6 beats 10 * 0.5 and 9 * 0.25
    assert counted(Policy(counts="best_with_decay", decay=0.1), scores) == (1, 0.9)


def test_the_limit_can_differ_per_assignment_and_be_counted_per_day():
    policy = Policy(max_attempts=3, per="day", overrides=(("quiz", 1),))
    assert policy.limit("quiz") == 1 and policy.limit(ASSIGNMENT) == 3
    assert policy.period("2026-11-29T10:00:00") == "2026-11-29"
    assert "1 graded submission per day" in policy.describe("quiz")


def test_the_note_on_the_feedback_says_the_attempt_the_late_penalty_and_what_counts():
    lines = attempt_lines(Policy(max_attempts=3, counts="best_with_decay", decay=0.1),
                          ASSIGNMENT, 2, 27.0, 30.0, [20.0], late_penalty=5.4)
    assert lines[:3] == [
        "Attempt 2 of 3, graded on submit: 27 of 30 points.",
        "It was submitted after the deadline: the course's late rule takes 5.4 points off.",
        "Your score for now: 24.3 of 30 points (attempt 2, times 0.9)."]
    assert "each attempt after the first worth 10% less" in lines[3]


@pytest.mark.parametrize("name", [
    "notes.txt", "a b+ps1_forward+t", "../x+ps1_forward+t", "alice+ps1_forward", ".x+y+z",
    "alice+ps1_forward+t+r+extra", "alice+" + "p" * 300 + "+t"])
def test_names_nbgrader_submit_never_makes_are_not_submissions(name):
    assert parse_name(name) is None


def test_an_nbgrader_folder_name_gives_the_student_and_assignment():
    assert parse_name("alice+ps1_forward+2026-11-29 01:00:00.000000 UTC+Ab-_9") == (
        "alice", ASSIGNMENT)


def test_a_folder_too_large_is_measured_without_reading_it(tmp_path):
    (tmp_path / "big").write_bytes(b"\0" * 5000)
    (tmp_path / "link").symlink_to("/dev/zero")
    _, size, complete = survey(tmp_path, limit_bytes=1000)
    assert size > 1000 and not complete


def test_after_a_crash_the_journal_knows_what_was_finished_and_what_to_grade_again(tmp_path):
    path = tmp_path / "journal.jsonl"
    journal = Journal.open(path)
    first, second = (Entry(f"s{n}+a+t", f"s{n}", "a", 1, "") for n in (1, 2))
    journal.start(first)
    journal.finish(first, {"status": "graded", "score": 3.0})
    journal.start(second)
    with path.open("a") as handle:
        handle.write('{"event": "done", "fol')  # the service was killed while writing
    again = Journal.open(path)
    assert [e.folder for e in again.unfinished()] == [second.folder]
    assert again.attempts_used("s1", "a", "") == 1 and again.attempts_used("s2", "a", "") == 1
    assert [d["score"] for d in again.graded("s1", "a")] == [3.0]


def test_a_grading_finished_while_the_service_was_down_is_recorded_not_done_again(tmp_path):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    service = Service(tmp_path, workers=1)
    finished, lost = (Entry(f"{s}+{ASSIGNMENT}+t", s, ASSIGNMENT, 1, "") for s in ("a", "b"))
    service.journal.start(finished)
    service.journal.start(lost)
    result = service._result_file(finished)
    result.parent.mkdir(parents=True)
    result.write_text(json.dumps({"status": "graded", "score": 30.0, "cells": {}}))
    assert [e.folder for e in service.recover()] == [lost.folder]
    again = Journal.open(tmp_path / "serve" / "journal.jsonl")
    assert again.entries[finished.folder].done["score"] == 30.0
    assert [e.folder for e in again.unfinished()] == [lost.folder]


# -- the real service --------------------------------------------------------------------------

def _wait_done(served: ServedClass, folders: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(served.done(f) for f in folders):
            return
        time.sleep(0.5)
    raise AssertionError(f"not finished within {timeout:g} s: "
                         f"{[f for f in folders if not served.done(f)]}\n"
                         + (served.workdir / "serve.log").read_text())


def _hostile(served: ServedClass):
    """A submission whose notebook is a link to the instructor's solutions."""
    def make(folder: Path) -> None:
        (folder / "forward.ipynb").symlink_to(served.course / "source" / ASSIGNMENT /
                                              "forward.ipynb")
    return make


@pytest.mark.notebooks
def test_three_students_get_feedback_and_scores_and_a_fourth_is_refused_politely(tmp_path):
    served = ServedClass.create(tmp_path / "run", [ASSIGNMENT], ["c.CourseServe.max_attempts = 1"])
    inbound = served.inbound
    (inbound / "notes.txt").write_text("not a submission")
    (inbound / "eve+ps1_forward+2026-01-01 00:00:00 UTC+x").symlink_to("/etc")
    (inbound / "carol+ps9_unreleased+2026-01-01 00:00:00 UTC+x").mkdir()
    service = served.start_service(workers=2)
    try:
        start = time.monotonic()
        folders = {"alice": served.submit("alice", ASSIGNMENT),
                   "bob": served.submit("bob", ASSIGNMENT, {"sigmoid": WRONG_SIGMOID}),
                   "mallory": served.submit_by_hand("mallory", ASSIGNMENT,
                                                    "2000-01-01 00:00:00.000000 UTC",
                                                    _hostile(served))}
        pages = {student: served.wait_for_feedback(student, ASSIGNMENT, folder, FEEDBACK_WITHIN)
                 for student, folder in folders.items()}
        assert time.monotonic() - start < FEEDBACK_WITHIN
        _wait_done(served, list(folders.values()), 60)
        text = {student: found[0].read_text() for student, found in pages.items() if found}
        assert set(text) == set(folders), pages

        assert served.score("alice", ASSIGNMENT) == 30.0
        assert "Attempt 1 of 1, graded on submit: 30 of 30 points." in text["alice"]
        bob = served.score("bob", ASSIGNMENT)
        assert 0 < bob < 30 and f"{bob:g} of 30 points" in text["bob"] and "sigmoid" in text["bob"]
        assert served.score("mallory", ASSIGNMENT) in (None, 0.0)
        assert "could not be graded" in text["mallory"] and "symbolic link" in text["mallory"]
        assert "BEGIN SOLUTION" not in text["mallory"]
        stamp = served.course / "submitted" / "mallory" / ASSIGNMENT / "timestamp.txt"
        assert not stamp.read_text().startswith("2000")  # the exchange's time, not the claim

        again = served.submit("alice", ASSIGNMENT)
        refused = served.wait_for_feedback("alice", ASSIGNMENT, again, 60)
        assert refused and "Attempt limit reached" in refused[0].read_text()
        assert "It is kept" in refused[0].read_text()
        _wait_done(served, [again], 30)
        assert served.done(again)["status"] == "over_limit"
        assert (inbound / again).is_dir()  # kept for the deadline
        assert served.score("alice", ASSIGNMENT) == 30.0
        assert service.poll() is None  # the junk in the inbound folder stopped nothing
    finally:
        served.stop_service(service)
    log = (served.workdir / "serve.log").read_text()
    assert "ignored 'notes.txt'" in log and "graded, 30 of 30 points, in" in log


def _graders_of(course: Path) -> list[int]:
    """Process ids of grading children working on ``course``."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"course.grade_on_submit" in command and str(course).encode() in command:
            found.append(int(pid))
    return found


@pytest.mark.notebooks
def test_killed_mid_grading_the_service_loses_nothing_and_grades_nothing_twice(tmp_path):
    served = ServedClass.create(tmp_path / "run", [ASSIGNMENT])
    service = served.start_service(workers=1)
    folders = [served.submit("alice", ASSIGNMENT),
               served.submit("bob", ASSIGNMENT, {"sigmoid": WRONG_SIGMOID})]
    deadline = time.monotonic() + FEEDBACK_WITHIN
    while not served.journal().unfinished() and time.monotonic() < deadline:
        time.sleep(0.1)
    (interrupted,) = served.journal().unfinished()
    served.stop_service(service, signal.SIGKILL)
    time.sleep(2)
    assert _graders_of(served.course) == []  # the children died with the service
    service = served.start_service(workers=2, log_name="serve-again.log")
    try:
        for student, folder in zip(("alice", "bob"), folders, strict=True):
            assert served.wait_for_feedback(student, ASSIGNMENT, folder, FEEDBACK_WITHIN)
        _wait_done(served, folders, 60)
    finally:
        served.stop_service(service)
    lines = (served.course / "serve" / "journal.jsonl").read_text().splitlines()
    for folder in folders:
        assert sum(f'"folder": "{folder}"' in x and '"event": "done"' in x for x in lines) == 1
        starts = sum(f'"folder": "{folder}"' in x and '"event": "start"' in x for x in lines)
        assert starts == (2 if folder == interrupted.folder else 1)
    assert served.score("alice", ASSIGNMENT) == 30.0
    assert 0 < served.score("bob", ASSIGNMENT) < 30.0
    assert "grading again after a restart" in (served.workdir / "serve-again.log").read_text()


@pytest.mark.notebooks
def test_with_best_counting_a_worse_second_attempt_keeps_the_better_score(tmp_path):
    served = ServedClass.create(tmp_path / "run", [ASSIGNMENT],
                                ["c.CourseServe.max_attempts = 2", 'c.CourseServe.counts = "best"',
                                 'c.CourseServe.over_limit = "keep"'])
    service = served.start_service(workers=1)
    try:
        first = served.submit("alice", ASSIGNMENT)
        assert served.wait_for_feedback("alice", ASSIGNMENT, first, FEEDBACK_WITHIN)
        _wait_done(served, [first], 60)
        second = served.submit("alice", ASSIGNMENT, {"sigmoid": WRONG_SIGMOID})
        pages = served.wait_for_feedback("alice", ASSIGNMENT, second, FEEDBACK_WITHIN)
        _wait_done(served, [second], 60)
        third = served.submit("alice", ASSIGNMENT, {"sigmoid": WRONG_SIGMOID})
        refused = served.wait_for_feedback("alice", ASSIGNMENT, third, 60)
        _wait_done(served, [third], 30)
    finally:
        served.stop_service(service)
    assert "It is kept for your instructor, but it will not be graded" in refused[0].read_text()
    assert not (served.inbound / third).exists()  # out of the deadline's reach, and kept:
    assert (served.course / "serve" / "kept" / third / "forward.ipynb").is_file()
    text = pages[0].read_text()
    assert "Attempt 2 of 2, graded on submit: 27 of 30 points." in text
    assert "Your score for now: 30 of 30 points (attempt 1)." in text
    assert "(Score: 27.0 / 30.0)" in text  # the page shows this attempt's own scores
    assert served.score("alice", ASSIGNMENT) == 30.0  # the gradebook holds the best


def test_no_file_grows_past_the_limit_while_a_submission_is_copied(tmp_path):
    from course.grade_on_submit import file_size_limit

    with file_size_limit(1000), pytest.raises(OSError), (tmp_path / "big").open("wb") as out:
        out.write(b"\0" * 5000)
        out.flush()
    (tmp_path / "after").write_bytes(b"\0" * 5000)  # the limit ends with the block
