"""The notebooks run: with solutions every test passes, as released every test fails and the
autograder gives 0, and a correct answer that warns keeps its points."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from .nbgrader_cli import (
    ASSIGNMENTS,
    RELEASE,
    SOURCE,
    released_course,
    scratch_course,
    validate,
)

pytestmark = pytest.mark.notebooks

SOURCE_NOTEBOOKS = [(a, p.name) for a in ASSIGNMENTS for p in sorted((SOURCE / a).glob("*.ipynb"))]
TIME_LIMIT = 60.0


@pytest.mark.parametrize(("assignment", "name"), SOURCE_NOTEBOOKS)
def test_source_notebook_passes_every_test_within_a_minute(assignment, name, tmp_path):
    course = scratch_course(tmp_path, [assignment])
    start = time.perf_counter()
    ok, report = validate(course / "source" / assignment / name)
    seconds = time.perf_counter() - start
    assert ok, report
    assert seconds < TIME_LIMIT, f"{name} took {seconds:.0f} s to validate"


@pytest.mark.parametrize(("assignment", "name"), SOURCE_NOTEBOOKS)
def test_released_notebook_fails_every_test(assignment, name, tmp_path):
    copy = tmp_path / name
    shutil.copy(RELEASE / assignment / name, copy)
    ok, report = validate(copy, invert=True)
    assert ok, report


def test_unchanged_release_runs_and_scores_zero(tmp_path):
    """Autograde the released notebooks as one student's submission of every assignment, in
    one pool (``python -m course.parallel_autograde`` with every assignment named): 0 points
    everywhere, and no locked (given or setup) cell raised."""
    course = released_course(tmp_path)
    for assignment in ASSIGNMENTS:
        shutil.copytree(RELEASE / assignment, course / "submitted" / "nobody" / assignment)
    done = subprocess.run([sys.executable, "-m", "course.parallel_autograde", *ASSIGNMENTS],
                          cwd=course, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PATH": f"{Path(sys.executable).parent}"
                                                     f"{os.pathsep}{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("All 1 submissions were graded.") == len(ASSIGNMENTS), done.stdout
    assert all(f"{assignment}:" in done.stdout for assignment in ASSIGNMENTS), done.stdout
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for assignment in ASSIGNMENTS:
            submission = gradebook.find_submission(assignment, "nobody")
            assert submission.max_score > 0
            assert submission.score == 0, (
                f"{assignment}: the unchanged release scored {submission.score}"
            )
    for notebook in (course / "autograded" / "nobody").rglob("*.ipynb"):
        for cell in json.loads(notebook.read_text())["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell["cell_type"] == "code" and meta.get("locked") and not meta.get("grade"):
                errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
                assert not errors, f"{notebook.name}: locked cell {meta['grade_id']} raised"


NAIVE_SIGMOID = "    return 1.0 / (1.0 + np.exp(-z))\n"


def test_a_correct_answer_that_warns_keeps_its_points(tmp_path):
    """The textbook sigmoid overflows (RuntimeWarning) for large negative z but is still right;
    nbgrader zeroes a test cell that writes to stderr, so the graders must keep warnings quiet."""
    course = scratch_course(tmp_path, ["ps1_forward"])
    path = course / "source" / "ps1_forward" / "forward.ipynb"
    notebook = json.loads(path.read_text())
    solution = next(
        c for c in notebook["cells"]
        if c["metadata"].get("nbgrader", {}).get("solution")
        and "def sigmoid(" in "".join(c["source"])
    )
    source = "".join(solution["source"])
    naive = re.sub(r"(### BEGIN SOLUTION\n).*?(\s*### END SOLUTION)",
                   lambda m: m.group(1) + NAIVE_SIGMOID + m.group(2).lstrip("\n"),
                   source, flags=re.S)
    assert naive != source
    solution["source"] = naive
    path.write_text(json.dumps(notebook))
    ok, report = validate(path)
    assert ok, report
