"""How the grading of one student's submission went, in words an instructor reads.

nbgrader says why it could not grade a notebook in its log, among much else; the local workers
(``course.parallel_autograde``), the Dask tasks (``course.dask_grading``) and the grading
service (``course.grade_on_submit``) all turn that into an :class:`Outcome` with one line of
reason, and a failure table lists the students who were not graded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: Lines of nbgrader's log that say an error happened but not which.
GENERIC_ERRORS = ("There was an error processing", "Traceback", "Please see the",
                  "Removing failed assignment")

#: What nbgrader's log or exception says (any of the patterns) -> the reason an instructor reads.
KNOWN_REASONS = (
    (("DeadKernelError", "Kernel died"),
     "the notebook's kernel died while a cell ran (os._exit, a crash or too much memory); "
     "nothing could be graded"),
    (("stopped answering after a cell was interrupted",),
     "the kernel stopped answering after a cell was interrupted at its time limit (a fork bomb, "
     "or code that ignores interrupts); nothing could be graded"),
    (("Timeout waiting for IOPub output",),
     "a cell went on after it was interrupted at the time limit (a fork bomb, or a loop that "
     "catches KeyboardInterrupt); nothing could be graded"),
    (("NotJSONError",), "the notebook is not valid JSON (a damaged or truncated file)"),
    (("UnsafeSubmission: ",), ""),  # its own message is the reason
    (("would run student code as root",),
     "not graded: the 'process' sandbox mode would run student code as root (grade as an "
     "ordinary user, or with bubblewrap)"),
    (("student code cannot be confined here",),
     "not graded: bubblewrap cannot run here (install Debian's bubblewrap, or choose the weaker "
     "mode by name with BACKPROP_SANDBOX=process)"),
    (("No notebooks found", "No notebooks were matched"),
     "no notebook of the assignment in the submission (missing or renamed)"),
    (("old version of the nbgrader metadata",),
     "nbgrader rejected the notebook's grading metadata (a graded cell duplicated or its "
     "metadata edited)"),
)


@dataclass(frozen=True)
class Outcome:
    """How grading one student's submission went: ``status`` is "graded", "failed" (nbgrader
    could not grade it; its score stays 0) or "stopped" (past the time limit). ``worker_mb``
    and ``kernel_mb``: the peak resident memory, so far, of the process that graded it and of
    the largest kernel that process ran (0 when unknown)."""

    student: str
    status: str
    seconds: float
    reason: str = ""
    log: str = ""
    worker_mb: float = 0.0
    kernel_mb: float = 0.0


def reason_from_log(log: str, error: str = "") -> str:
    """Why nbgrader could not grade a submission, in one line, from its log and exception."""
    for patterns, reason in KNOWN_REASONS:
        if any(pattern in log or pattern in error for pattern in patterns):
            return reason or error.split(patterns[0], 1)[-1].strip()
    for line in log.splitlines():
        if "ERROR]" in line:
            message = line.split("ERROR]", 1)[1].strip()
            if message and not message.startswith(GENERIC_ERRORS):
                return message
    lines = [line.strip() for line in error.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "nbgrader could not grade this submission (no reason given)"


def outcome_of(student: str, result: dict[str, Any]) -> Outcome:
    """The outcome of one student from what :func:`course.grade_student.grade_student`
    returned (nbgrader's result, with the seconds and memory it took)."""
    log = str(result.get("log") or "")
    seconds = float(result.get("seconds", 0.0))
    memory = {"worker_mb": float(result.get("worker_mb", 0.0)),
              "kernel_mb": float(result.get("kernel_mb", 0.0))}
    if result.get("success"):
        return Outcome(student, "graded", seconds, log=log, **memory)
    return Outcome(student, "failed", seconds, reason_from_log(log, str(result.get("error", ""))),
                   log=log, **memory)


def failure_table(outcomes: Sequence[Outcome]) -> str:
    """A plain-text table of the students who were not graded, and why."""
    failed = [o for o in outcomes if o.status != "graded"]
    if not failed:
        return f"All {len(outcomes)} submissions were graded."
    width = max(len("student"), *(len(o.student) for o in failed))
    lines = [f"{len(failed)} of {len(outcomes)} submissions could not be graded (score 0):",
             f"  {'student':<{width}}  {'status':<7}  reason"]
    lines += [f"  {o.student:<{width}}  {o.status:<7}  {o.reason}" for o in failed]
    return "\n".join(lines)
