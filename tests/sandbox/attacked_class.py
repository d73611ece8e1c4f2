"""Grading a class of attackers, and what every such class must show.

A test class of the attack suite derives from :class:`AttackedClass` and names its students: the
attackers (attacks of :mod:`.attackers`, or ``edits_cells``), the honest students if it needs
them, and the files some attackers submit beside the notebook. Its class-scoped fixture grades
those students only, once, through the real nbgrader autograde (in parallel, in the sandbox);
the tests inherited from :class:`AttackedClass` check what holds for any attacked class: no
points, nothing of the solutions, the reference or the graders in any output or feedback, the
gradebook and every submission intact, no process or connection left behind.
"""

from __future__ import annotations

import functools
import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nbgrader.api import Gradebook

from course.grading_outcome import Outcome
from course.parallel_autograde import autograde_class
from course.report import write_report
from sandbox import METADATA_KEY, jail
from simulation.exercises import read_assignment
from simulation.notebooks import fill, read, write

from ..course.nbgrader_cli import RELEASE, ROOT, SOURCE, digest, nbgrader, released_course
from .attackers import ATTACKS, SECRETS

ASSIGNMENT = "ps1_forward"
#: The most resident memory a grading worker may reach, hostile submissions included (README).
MEMORY_CEILING_MB = 1024
#: Beside the course folder: the sandbox user ids the class was graded under, one per notebook.
UIDS = "sandbox-uids.txt"
#: The attacker who rewrites the sigmoid test cell instead of a solution cell.
EDITS_CELLS = "edits_cells"

#: Added after each solution of the noisy honest student.
NOISE = """
import functools, sys, warnings
import matplotlib.pyplot as plt
plt.plot([0, 1], [1, 0])
plt.show()
_quiet_{name} = {name}
@functools.wraps(_quiet_{name})
def {name}(*args, **kwargs):
    print("working on {name}")
    print("a note on stderr", file=sys.stderr)
    warnings.warn("just so you know")
    return _quiet_{name}(*args, **kwargs)
"""

#: Attacks after which nbgrader cannot finish the notebook (the kernel is gone, or went on after
#: its interrupt): it scores 0 and the run's failure table says why.
UNGRADABLE = {"os_exit": "kernel died", "kills_kernel": "kernel died",
              "fork_bomb": "stopped answering after a cell was interrupted"}
#: Attackers the class report must name, when they are in the class.
REPORTED = ("infinite_loop", "memory_bomb", "output_flood", "displayhook", "harness_replaced",
            *UNGRADABLE)

#: What the fixture yields: the course folder, each student's outcome, the digest of the
#: submissions before grading, and the connections the network attack made to the grader.
Graded = tuple[Path, dict[str, Outcome], dict[str, str], list[Any]]


def _edited_cells(notebook) -> None:
    """The test cell of sigmoid rewritten to pass, worth 100 points."""
    for cell in notebook.cells:
        grading = cell.metadata.get("nbgrader", {})
        if grading.get("grade_id") == "sigmoid_test":
            cell.source = "print('all tests pass')"
            grading["points"] = 100
            grading["locked"] = False


def grade_class(folder: Path, honest: tuple[str, ...], attackers: tuple[str, ...],
                extra_files: dict[str, dict[str, str]]) -> Iterator[Graded]:
    """Submit ``honest`` students (``honest_noisy`` prints, warns and plots as it works) and
    ``attackers`` to a scratch course in ``folder``, grade them, and yield the class."""
    course = released_course(folder, [ASSIGNMENT])
    (plan,) = read_assignment(SOURCE, ASSIGNMENT)
    released = RELEASE / ASSIGNMENT / plan.notebook
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    connections: list[Any] = []
    threading.Thread(target=lambda: connections.append(listener.accept()), daemon=True).start()

    def submit(student: str, edit) -> None:
        notebook = read(str(released))
        edit(notebook)
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        write(notebook, str(folder / plan.notebook))
        for name, text in extra_files.get(student, {}).items():
            (folder / name).write_text(text)

    def solve(notebook, noisy: bool) -> None:
        for target, solution in plan.solutions.items():
            if noisy:  # the same solution, talking, warning and plotting as it works
                solution += NOISE.format(name=target)
            fill(notebook, target, solution)

    for name in honest:
        submit(name, functools.partial(solve, noisy=name == "honest_noisy"))
    for name in attackers:
        if name == EDITS_CELLS:
            submit(name, _edited_cells)
            continue
        attack = ATTACKS[name]
        cells = attack if isinstance(attack, dict) else {"sigmoid": attack}
        cells = {target: source.replace("{course}", str(course)).replace("{root}", str(ROOT))
                 .replace("{port}", str(port)) for target, source in cells.items()}
        submit(name, lambda nb, c=cells: [fill(nb, t, s) for t, s in c.items()])
    before = digest(course / "submitted")
    uids = course.parent / UIDS
    choose_uid = jail.sandbox_uid

    def recorded_uid() -> int:  # called in the grading workers, forked from this process
        uid = choose_uid()
        with uids.open("a") as record:
            record.write(f"{uid}\n")
        return uid

    os.environ["BACKPROP_CELL_TIMEOUT"] = "8"
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(jail, "sandbox_uid", recorded_uid)
            outcomes = {o.student: o for o in autograde_class(
                course, ASSIGNMENT, workers=2, student_timeout=300, progress=None)}
    finally:
        del os.environ["BACKPROP_CELL_TIMEOUT"]
    listener.close()
    yield course, outcomes, before, connections


def score(course: Path, student: str) -> float:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return gradebook.find_submission(ASSIGNMENT, student).score


def graded_notebook(course: Path, student: str) -> dict[str, Any] | None:
    """The student's autograded notebook as JSON, or None if nothing was graded."""
    path = course / "autograded" / student / ASSIGNMENT / "forward.ipynb"
    return json.loads(path.read_text()) if path.exists() else None


def outputs(notebook: dict[str, Any]) -> str:
    return json.dumps([cell.get("outputs", []) for cell in notebook["cells"]])


def texts(notebook: dict[str, Any]) -> list[str]:
    """The text of every output: streams, errors, and displays' plain text."""
    found = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            found.append("".join(text) if isinstance(text, list) else str(text))
            found.append(str(output.get("evalue", "")))
    return found


def incidents(course: Path, student: str) -> list[str]:
    """What the grading record of the student's notebook says happened."""
    return graded_notebook(course, student)["metadata"][METADATA_KEY]["incidents"]


def _uid(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("Uid:"))
    except (OSError, StopIteration):
        return None


class AttackedClass:
    """The checks every attacked class passes. A subclass sets the class's students."""

    #: The attackers graded, each its own student.
    ATTACKERS: tuple[str, ...] = ()
    #: Honest students graded beside them: ``honest`` and ``honest_noisy``, or none.
    HONEST: tuple[str, ...] = ()
    #: Files submitted beside the notebook, by attacker.
    EXTRA_FILES: dict[str, dict[str, str]] = {}  # noqa: RUF012 (read only)

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "attacker" in metafunc.fixturenames:
            metafunc.parametrize("attacker", self.ATTACKERS)

    @pytest.fixture(scope="class")
    @classmethod
    def graded(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graded]:
        """The class, graded; its course folder, outcomes and the submissions' digests."""
        yield from grade_class(tmp_path_factory.mktemp("attacks"), cls.HONEST, cls.ATTACKERS,
                               cls.EXTRA_FILES)

    def test_the_class_was_graded_in_bubblewrap(self, graded):
        course, outcomes, _, _ = graded
        assert jail.bubblewrap_works(), "make test installs bubblewrap; it must work here"
        modes = {(graded_notebook(course, s) or {}).get("metadata", {}).get(METADATA_KEY, {})
                 .get("sandbox") for s in outcomes if s not in UNGRADABLE}
        assert modes == {"bubblewrap"}

    def test_the_attack_gains_nothing(self, graded, attacker):
        course, outcomes, _, _ = graded
        if attacker in UNGRADABLE:
            assert outcomes[attacker].status == "failed"
            assert outcomes[attacker].reason
            return
        assert outcomes[attacker].status == "graded", outcomes[attacker].reason
        assert score(course, attacker) == 0.0

    def test_nothing_secret_reaches_the_attackers_outputs(self, graded, attacker):
        course, _, _, _ = graded
        notebook = graded_notebook(course, attacker)
        if notebook is None:
            return  # nothing was graded, so nothing was written
        shown = outputs(notebook)
        for secret in SECRETS:
            assert secret not in shown
        assert len(shown) < 2_000_000, "the output was not capped"

    def test_feedback_reveals_nothing(self, graded):
        course, outcomes, _, _ = graded
        done = nbgrader("generate_feedback", ASSIGNMENT, "--force", cwd=course)
        assert done.returncode == 0, done.stderr[-2000:]
        pages = list((course / "feedback").rglob("*.html"))
        assert len(pages) == sum(o.status == "graded" for o in outcomes.values())
        for page in pages:
            text = page.read_text()
            for secret in SECRETS:
                assert secret not in text, (page, secret)

    def test_no_connection_left_the_sandbox(self, graded):
        _, _, _, connections = graded
        assert connections == []

    def test_gradebook_and_submissions_are_intact(self, graded):
        course, outcomes, before, _ = graded
        assert digest(course / "submitted") == before
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            graded_students = {s.student.id for s in gradebook.assignment_submissions(ASSIGNMENT)}
        assert {s for s, o in outcomes.items() if o.status == "graded"} <= graded_students
        assert not list((course / "autograded").rglob("*.link"))

    def test_the_sandbox_leaves_no_process_behind(self, graded):
        """No process of the sandbox users this class was graded under outlives the grading
        (fork bombs included). Only those users: tests on other pytest workers grade at the
        same time."""
        used = {int(uid) for uid in (graded[0].parent / UIDS).read_text().split()}
        assert used and min(used) >= jail.FIRST_UID
        leftovers = [pid for pid in os.listdir("/proc") if pid.isdigit() and _uid(pid) in used]
        assert leftovers == []

    def test_the_class_report_names_the_sandbox_and_each_attacker(self, graded):
        course, outcomes, _, _ = graded
        page = write_report(course, [ASSIGNMENT], outcomes={ASSIGNMENT: list(outcomes.values())})
        text = page.read_text()
        assert "in the <b>bubblewrap</b> mode" in text and "Weaker confinement" not in text
        for attack in (a for a in REPORTED if a in self.ATTACKERS):
            assert f"<td>{attack}</td>" in text, attack

    def test_nbgrader_saves_exactly_the_scores_the_grader_recorded(self, graded):
        """Every test cell's score in the gradebook is the one the grader recorded when the
        cell ended."""
        course, outcomes, _, _ = graded
        checked = 0
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            for student, outcome in outcomes.items():
                if outcome.status != "graded":
                    continue
                record = graded_notebook(course, student)["metadata"][METADATA_KEY]["cells"]
                submission = gradebook.find_submission_notebook("forward", ASSIGNMENT, student)
                for grade in submission.grades:
                    if grade.cell.name in record:
                        assert grade.auto_score == record[grade.cell.name]["points"], (
                            student, grade.cell.name)
                        checked += 1
        assert checked >= 10 * len(outcomes) // 2

    def test_no_grading_worker_passed_the_memory_ceiling(self, graded):
        _, outcomes, _, _ = graded
        assert all(0 < o.worker_mb < MEMORY_CEILING_MB for o in outcomes.values()
                   if o.status == "graded"), {s: o.worker_mb for s, o in outcomes.items()}
