"""The small tools of the class run: failure reasons, the progress bar, the report's statistics
and the late-submission stand-in, each on inputs made by hand."""

from __future__ import annotations

import io
import json
import math
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from types import SimpleNamespace

import numpy as np
import pytest
from bs4 import BeautifulSoup
from nbgrader.api import Gradebook, MissingEntry

from course.class_statistics import QuizItem, mistake_counts, quiz_items, unexplained_failures
from course.grade_student import register
from course.grading_outcome import Outcome, failure_table, reason_from_log
from course.nbgrader_api import load_config, put_tools_on_path
from course.parallel_autograde import _Worker, autograde_class
from course.progress import ProgressBar
from course.report import main as report_main
from course.report import question_label, question_titles, questions_to_look_at
from course.worker_limits import WORKER_MB
from sandbox import METADATA_KEY
from simulation.students import set_submission_time

from .nbgrader_cli import ROOT, scratch_course


def _address_space_limit(pid: int) -> str:
    with open(f"/proc/{pid}/limits", encoding="utf-8") as limits:
        return next(line for line in limits if line.startswith("Max address space")).split()[3]


def test_a_grading_worker_has_a_memory_limit(tmp_path):
    """What a kernel sends the grader is bounded by what the grader reads, except a ZeroMQ
    message of many parts (simulation.hostile.WORKER_LIMIT_ATTACKS): each worker's address space is
    capped, so such a message ends that worker, not the machine."""
    worker = _Worker(multiprocessing.get_context("fork"), tmp_path)
    try:
        for _ in range(100):
            if _address_space_limit(worker.process.pid) != "unlimited":
                break
            time.sleep(0.05)
        assert int(_address_space_limit(worker.process.pid)) == WORKER_MB * 2**20
    finally:
        worker.stop()


@pytest.mark.parametrize(("setting", "allocated_mb", "fails"), [
    ("600", 900, True), ("600", 100, False), ("0", 900, False), ("not a number", 900, False)])
def test_the_memory_limit_is_set_by_backprop_worker_mb(setting, allocated_mb, fails):
    code = ("from course.worker_limits import limit_memory\n"
            f"limit_memory()\nblock = bytearray({allocated_mb} * 2**20)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "BACKPROP_WORKER_MB": setting}, timeout=60)
    assert (done.returncode != 0 and "MemoryError" in done.stderr) == fails, done.stderr[-500:]


def test_the_memory_limit_never_raises_a_lower_cap_already_set():
    code = ("import resource\n"
            "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, resource.RLIM_INFINITY))\n"
            "from course.worker_limits import limit_memory\n"
            "limit_memory(4096)\nprint(resource.getrlimit(resource.RLIMIT_AS)[0] >> 20)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip() == "1024", done.stderr[-500:]


@pytest.mark.parametrize(("log", "words"), [
    ("[ERROR] Kernel died while waiting for execute reply.", "kernel died"),
    ("    nbformat.reader.NotJSONError: Notebook does not appear to be JSON", "not valid JSON"),
    ("[ERROR] No notebooks found, did you forget", "missing or renamed"),
    ("[ERROR] There was an error processing assignment: x\n[ERROR] Something specific broke",
     "Something specific broke"),
])
def test_reasons_are_read_from_nbgraders_log(log, words):
    assert words in reason_from_log(log)


def test_without_a_log_the_exception_is_the_reason():
    assert reason_from_log("", "Traceback...\nValueError: bad cell") == "ValueError: bad cell"
    assert "no reason given" in reason_from_log("", "")


def test_the_failure_table_lists_only_who_was_not_graded():
    outcomes = [Outcome("ada", "graded", 3.0), Outcome("bob", "failed", 0.1, "it broke"),
                Outcome("cy", "stopped", 600.0, "too slow")]
    table = failure_table(outcomes)
    assert table.splitlines()[0] == "2 of 3 submissions could not be graded (score 0):"
    assert "bob" in table and "it broke" in table and "cy" in table and "ada" not in table
    assert failure_table(outcomes[:1]) == "All 1 submissions were graded."


def test_a_student_another_worker_added_meanwhile_is_taken_as_found(tmp_path, monkeypatch):
    """Two workers grading two assignments of one new student: the second to add the student
    to the gradebook finds the row the first added instead of failing on the unique id."""
    put_tools_on_path()
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as gradebook:
        gradebook.add_student("ada")
    real, looks = Gradebook.find_student, []

    def stale(self, student_id):  # the first look came before the other worker's row
        looks.append(student_id)
        if len(looks) == 1:
            raise MissingEntry()
        return real(self, student_id)

    monkeypatch.setattr(Gradebook, "find_student", stale)
    register(SimpleNamespace(coursedir=SimpleNamespace(db_url=url, course_id="default")), "ada")
    assert len(looks) == 2
    monkeypatch.undo()
    with Gradebook(url) as gradebook:
        assert [s.id for s in gradebook.students] == ["ada"]


def test_a_student_named_twice_is_graded_once_and_answered_twice(tmp_path):
    """A list of students with one twice (a regrade list, say) grades that student once; the
    pool does not wait for a second outcome that never comes."""
    course = scratch_course(tmp_path, ["ps1_forward"])
    outcomes = autograde_class(course, "ps1_forward", ["ada", "ada"], workers=2, progress=None)
    assert [o.student for o in outcomes] == ["ada", "ada"]
    assert outcomes[0] is outcomes[1] and outcomes[0].status == "failed"  # nothing submitted


def test_the_progress_bar_writes_a_line_per_item_off_a_terminal():
    stream = io.StringIO()
    bar = ProgressBar("autograde ps1", 4, stream)
    bar.advance("ada graded")
    bar.advance("bob failed")
    bar.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and "] 2/4  bob failed" in lines[1] and "#" * 15 in lines[1]


def test_quiz_difficulty_and_discrimination_by_hand():
    # q1: the strong students get it (discriminates); q2: everyone does (no information);
    # q3: only the weakest student gets it (negative discrimination).
    scores = np.array([[1, 1, 0, 1], [1, 1, 0, 1], [0, 1, 0, 0], [0, 1, 1, 0]], dtype=float)
    cells = ["q1", "q2", "q3", "q4"]
    items = {i.cell: i for i in quiz_items(cells, dict.fromkeys(cells, 1.0), scores)}
    assert items["q1"].difficulty == 0.5 and items["q1"].discrimination > 0.5
    assert items["q2"].difficulty == 1.0 and np.isnan(items["q2"].discrimination)
    assert items["q3"].discrimination < 0
    assert quiz_items(cells, dict.fromkeys(cells, 1.0), np.zeros((0, 4))) == []


def test_mistakes_are_counted_once_per_student_from_the_graders_record(tmp_path):
    """The grader's structured record counts; text in outputs that looks like it does not."""
    def notebook(student, cells, texts=()):
        folder = tmp_path / student / "ps1"
        folder.mkdir(parents=True)
        outputs = [{"output_type": "stream", "name": "stdout", "text": t} for t in texts]
        record = {"cells": {cell: {"points": 0.0, "mistakes": [
            {"id": f"x.{i}", "name": name} for i, name in enumerate(names)]}
            for cell, names in cells.items()}}
        (folder / "nb.ipynb").write_text(json.dumps({
            "cells": [{"outputs": outputs}], "metadata": {METADATA_KEY: record}}))

    notebook("ada", {"a": ["W instead of W.T"], "b": ["W instead of W.T"]})
    notebook("bob", {"a": ["W instead of W.T"], "b": ["no 1/m"]})
    notebook("cy", {"a": []}, texts=["Likely mistake: forged by a thread.\n"])
    counts = mistake_counts(tmp_path, "ps1")
    assert counts == {"W instead of W.T": 2, "no 1/m": 1}


def _graded(folder, cells, outputs):
    """An autograded notebook: ``cells`` is the grader's record by grade id, ``outputs`` each
    test cell's outputs."""
    folder.mkdir(parents=True)
    notebook = {"metadata": {METADATA_KEY: {"sandbox": "bubblewrap", "incidents": [],
                                            "cells": cells}},
                "cells": [{"cell_type": "code", "metadata": {"nbgrader": {"grade_id": name}},
                           "outputs": outputs.get(name, [])} for name in cells]}
    (folder / "nb.ipynb").write_text(json.dumps(notebook))


def _verdict(text):
    """The grader's verdict in a test cell, marked as only the grader can mark it."""
    return {"output_type": "display_data", "metadata": {METADATA_KEY: "grader"},
            "data": {"text/plain": [f"Grader: {text}"]}}


def test_failures_no_catalogued_mistake_explains_are_counted_with_examples(tmp_path):
    lost, full = {"points": 0.0, "max_points": 2.0, "mistakes": []}, {
        "points": 2.0, "max_points": 2.0, "mistakes": []}
    named = {**lost, "mistakes": [{"id": "forward.relu.abs", "name": "relu is abs"}]}
    forged = {"output_type": "stream", "name": "stdout", "text": "Grader: ✗ forged by a student"}
    _graded(tmp_path / "ada" / "ps1", {"relu_test": lost, "tanh_test": lost}, {
        "relu_test": [forged, _verdict("✗ forward.relu: for z (4, 3), values differ")],
        "tanh_test": [_verdict("✗ forward.tanh: not implemented yet")]})
    _graded(tmp_path / "bob" / "ps1", {"relu_test": lost, "tanh_test": full}, {
        "relu_test": [_verdict("The hidden tests did not run: this cell ran past its time "
                               "limit.")]})
    _graded(tmp_path / "cy" / "ps1", {"relu_test": named, "tanh_test": lost}, {
        "relu_test": [_verdict("✗ forward.relu: ...\nLikely mistake: relu is abs")],
        "tanh_test": [{"output_type": "error", "ename": "NameError",
                       "evalue": "name 'np' is not defined", "traceback": []},
                      _verdict("✓ forward.tanh: the hidden tests pass")]})
    relu, tanh = unexplained_failures(tmp_path, "ps1")
    assert (relu.cell, relu.graded, relu.failed, relu.blank) == ("relu_test", 3, 2, 0)
    assert relu.examples == (
        ("ada", "forward.relu: for z (4, 3), values differ"),
        ("bob", "The hidden tests did not run: this cell ran past its time limit."))
    assert (tanh.failed, tanh.blank) == (1, 1)  # ada's is a stub; cy's visible checks raised
    assert tanh.examples == (("cy", "the cell's own checks raised NameError: name 'np' is not "
                                    "defined"),)
    assert "forged" not in repr(relu)


def test_the_quiz_plot_labels_only_questions_to_look_at_by_number_and_title():
    titles = question_titles(ROOT / "source" / "quiz")
    assert titles[1] == "What backpropagation is for"
    assert question_label("check_q01", titles) == "Q1 What backpropagation is for"
    items = [QuizItem(f"check_q{n:02d}", 0.5 + n / 100, 0.6) for n in range(1, 21)]
    items += [QuizItem("check_q21", 0.4, 0.1), QuizItem("check_q22", 1.0, math.nan),
              QuizItem("check_q23", 1.0, math.nan)]
    labelled = questions_to_look_at(items)
    assert [[i.cell for i in group] for *_, group in labelled] == [
        ["check_q22", "check_q23"], ["check_q21"]]


def test_the_report_skips_assignments_without_graded_submissions(tmp_path, capsys, monkeypatch):
    """Week 1: the report names later assignments that are not graded (or not even in the
    gradebook) in one line each, and writes its page for the rest without a traceback."""
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    monkeypatch.delenv("BACKPROP_GRADEBOOK", raising=False)
    put_tools_on_path()
    config = load_config(tmp_path)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as book:
        book.add_assignment("ps1_forward")
        book.add_student("ada")
    assert report_main(["ps1_forward", "ps2_backward", "--course", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        "skipped ps1_forward: no graded submissions yet (collect and autograde it first)",
        "skipped ps2_backward: not in the gradebook yet (generate and release it first)"]
    page = (tmp_path / "report" / "index.html").read_text()
    assert out.strip() == str(tmp_path / "report" / "index.html")
    assert "skipped ps2_backward" in page and "1 students in the gradebook" in page
    assert "http://" not in page and "https://" not in page


def test_a_submission_can_be_moved_past_the_deadline(tmp_path):
    inbound = tmp_path / "backprop" / "inbound"
    first = inbound / "ada+ps1+2026-11-20 10:00:00.000000 UTC"
    second = inbound / "ada+ps1+2026-11-20 11:00:00.000000 UTC"
    for folder in (first, second):
        folder.mkdir(parents=True)
        (folder / "timestamp.txt").write_text(folder.name.split("+")[2])
    when = "2026-11-22 09:00:00.000000 UTC"
    moved = set_submission_time(tmp_path, "backprop", "ada", "ps1", when)
    assert moved.name == "ada+ps1+2026-11-22 09:00:00.000000 UTC" and first.is_dir()
    assert (moved / "timestamp.txt").read_text() == "2026-11-22 09:00:00.000000 UTC"
    with pytest.raises(FileNotFoundError):
        set_submission_time(tmp_path, "backprop", "bob", "ps1", "2026-11-22 09:00:00.000000 UTC")


def test_the_report_shows_misconceptions_and_students_who_behave_alike(tmp_path, monkeypatch):
    """Each student's misconceptions, the class's most common ones with who holds them, and the
    pairs with the same unexplained wrong outputs, with the evidence; student ids escaped."""
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(ROOT / "release" / "ps1_forward", tmp_path / "release" / "ps1_forward")
    monkeypatch.delenv("BACKPROP_GRADEBOOK", raising=False)
    put_tools_on_path()
    config = load_config(tmp_path)
    students = ("ada", "bob", "<em>cy")
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as book:
        book.add_assignment("ps1_forward")
        for student in students:
            book.add_student(student)
            book.add_submission("ps1_forward", student)
    slope = {"id": "forward.leaky_relu:ignores_slope", "name": "leaky_relu ignores its slope"}
    for student in students:
        probes = {"forward.relu": "f00d", "forward.tanh": "beef"} if student != "bob" else {}
        _graded(tmp_path / "autograded" / student / "ps1_forward", {
            "leaky_relu_test": {"points": 0.0, "max_points": 2.0, "mistakes": [slope]},
            "relu_test": {"points": 0.0, "max_points": 2.0, "mistakes": [],
                          "probes": {"forward.relu": probes.get("forward.relu", "0")}},
            "tanh_test": {"points": 0.0, "max_points": 3.0, "mistakes": [],
                          "probes": {"forward.tanh": probes.get("forward.tanh", "1")}}}, {})
    assert report_main(["ps1_forward", "--course", str(tmp_path)]) == 0
    page = BeautifulSoup((tmp_path / "report" / "index.html").read_text(), "html.parser")
    text = page.get_text(" ")
    assert "ignores_slope" in text and "leaky_relu ignores its slope" in text
    assert "(ps1_forward/forward.ipynb: " in text  # the section named, the page self-contained
    assert page.find("a", href=lambda href: href and not href.startswith("#")) is None
    similar = page.find(id="similarity").find_next("table").get_text(" ")
    assert "same output on the probe for forward.relu in ps1_forward" in similar
    assert "<em>cy" in similar and "bob" not in similar  # the id as text, never as markup
    assert page.find("em") is None
