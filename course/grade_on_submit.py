"""Grade one submission from the exchange's inbound folder and hand back its feedback: the job
:mod:`course.serve` runs in a child process for each new submission.

The steps are those of the deadline run, for one submission:

1. copy it from ``inbound/`` to ``submitted/<student>/<assignment>/`` with the course's
   :class:`course.safe_collect.SafeCollect` (links never followed, the exchange's time kept);
2. autograde it in the sandbox with :func:`course.grade_student.grade_student`, the function every
   grading worker runs (an unsafe submission is refused there, with the reason);
3. generate its feedback and release it with nbgrader's API, with a note on top that says which
   attempt this was and what counts under the course's attempt policy.

A submission that could not be graded gets a one-page note as its feedback instead, released
the way nbgrader releases feedback (named by the hash of the submission's secret and notebook),
so ``nbgrader fetch_feedback`` and the assignment list find it.

    python -m course.grade_on_submit --course . --student student001 \
        --assignment ps1_forward --result out.json 'student001+ps1_forward+<time>+<random>'

writes a JSON file (``--result``): the status, the score, each cell's score and the seconds it
took. A file, not standard output, which the notebook's kernel inherits.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

from course.attempts import CourseServe, policy_from_config
from course.grade_student import grade_student
from course.grading_outcome import reason_from_log
from course.nbgrader_api import instructor_api, load_config
from course.safe_collect import SafeCollect
from course.submit_notes import add_note_to_feedback, attempt_lines, release_note
from course.worker_limits import limit_blas_threads, limit_memory


def inbound_folder(config: Config) -> Path:
    """The exchange's inbound folder of the course."""
    return Path(config.Exchange.root, config.CourseDirectory.course_id, "inbound")


def cell_scores(gradebook: Gradebook, assignment: str, student: str) -> dict[str, float]:
    """Each graded cell's automatic score, keyed ``notebook/cell`` (empty when not graded)."""
    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return {}
    return {f"{notebook.name}/{grade.name}": float(grade.auto_score or 0.0)
            for notebook in submission.notebooks for grade in notebook.grades}


def set_counted_scores(db_url: str, course_id: str, assignment: str, student: str,
                       scores: dict[str, float] | None) -> None:
    """Make the gradebook hold ``scores`` (``notebook/cell`` -> points) for the student's
    submission, as scores that take precedence over the automatic ones (nbgrader's manual
    score); None removes them, so the automatic scores of the latest grading count."""
    with Gradebook(db_url, course_id) as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                key = f"{notebook.name}/{grade.name}"
                grade.manual_score = None if scores is None else scores.get(key, 0.0)
                grade.needs_manual_grade = False
        gradebook.db.commit()


def copy_in(config: Config, source: Path, student: str, assignment: str) -> Path:
    """Copy the inbound folder ``source`` to ``submitted/<student>/<assignment>/`` as the
    course's collect would (replacing an earlier attempt there); return the copy."""
    coursedir = CourseDirectory(config=config)
    dest = Path(coursedir.root, coursedir.submitted_directory, student, assignment)
    if os.path.lexists(dest):
        shutil.rmtree(dest) if dest.is_dir() and not dest.is_symlink() else dest.unlink()
    dest.parent.mkdir(parents=True, exist_ok=True)
    collect = SafeCollect(coursedir=coursedir, authenticator=Authenticator(config=config),
                          config=config)
    collect.do_copy(str(source), str(dest))
    return dest


@contextlib.contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """While the block runs, no file this process writes may grow past ``limit`` bytes (a write
    beyond fails with EFBIG): a student cannot grow a file between the service's look at the
    submission and its copy."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    bounded = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (bounded, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def grade_submission(course: Path, folder_name: str, student: str, assignment: str,
                     attempt: int, previous: Sequence[float]) -> dict[str, Any]:
    """Copy, grade and hand back the feedback of the inbound submission ``folder_name`` (the
    student's attempt number ``attempt``; ``previous``: the scores of their earlier graded
    attempts). Returns the status ("graded" or "failed"), score, max_score, cells, reason."""
    start = time.perf_counter()
    config = load_config(course)
    policy = policy_from_config(config)
    db_url, course_id = config.CourseDirectory.db_url, config.CourseDirectory.course_id
    source = inbound_folder(config) / folder_name
    # The earlier attempt's counted scores would stand in for this one's while it is graded.
    set_counted_scores(db_url, course_id, assignment, student, None)
    try:
        with file_size_limit(int(CourseServe(config=config).max_submission_mb * 2**20)):
            copy_in(config, source, student, assignment)
        result = grade_student(str(course), assignment, student)
    except OSError as error:  # gone, unreadable, or a file grown past the limit since it was seen
        result = {"success": False, "log": "", "error": "the submission could not be copied "
                  f"from the exchange: {error.strerror or error}"}
    outcome: dict[str, Any] = {"status": "graded" if result.get("success") else "failed",
                               "score": 0.0, "max_score": 0.0, "cells": {}, "reason": ""}
    if outcome["status"] == "graded":
        with Gradebook(db_url, course_id) as gradebook:
            outcome["cells"] = cell_scores(gradebook, assignment, student)
            submission = gradebook.find_submission(assignment, student)
            outcome["score"], outcome["max_score"] = submission.score, submission.max_score
            outcome["late_penalty"] = float(submission.late_submission_penalty or 0.0)
        api = instructor_api(course)
        generated = api.generate_feedback(assignment, student)
        if not generated.get("success"):
            outcome["reason"] = "feedback: " + reason_from_log(str(generated.get("log", "")))
        add_note_to_feedback(config, student, assignment, attempt_lines(
            policy, assignment, attempt, outcome["score"], outcome["max_score"], previous,
            outcome["late_penalty"]))
        api.release_feedback(assignment, student)
    else:
        outcome["reason"] = reason_from_log(str(result.get("log", "")),
                                            str(result.get("error", "")))
        release_note(config, source, "Your submission could not be graded", [
            f"Your submission of {assignment} (attempt {attempt}) could not be graded: "
            f"{outcome['reason']}.",
            "It scores 0. Fix what is described above and submit again; ask your instructor "
            "if you do not know why."])
    outcome["seconds"] = time.perf_counter() - start
    return outcome


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Grade one inbound submission.")
    parser.add_argument("folder", help="the submission's folder name in the inbound folder")
    parser.add_argument("--course", type=Path, default=Path.cwd())
    parser.add_argument("--student", required=True)
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--attempt", type=int, default=1)
    parser.add_argument("--previous", default="[]", help="earlier attempts' scores, JSON")
    parser.add_argument("--result", type=Path, required=True, help="where the JSON goes")
    args = parser.parse_args(argv)
    limit_memory()  # as a deadline grading worker: a kernel cannot take the service down
    limit_blas_threads()
    outcome = grade_submission(args.course.resolve(), args.folder, args.student,
                               args.assignment, args.attempt, json.loads(args.previous))
    partial = args.result.with_suffix(".part")
    partial.write_text(json.dumps(outcome), encoding="utf-8")
    partial.replace(args.result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
