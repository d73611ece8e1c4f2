"""The small tools of the class run: failure reasons, the progress bar, the report's statistics
and the late-submission stand-in, each on inputs made by hand."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from course.class_statistics import mistake_counts, quiz_items
from course.parallel_autograde import Outcome, failure_table, reason_from_log
from course.progress import ProgressBar
from course.students import set_submission_time
from sandbox import METADATA_KEY


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
