"""The students whose own hidden inputs the grader tests try (:mod:`grading.variant`).

``None`` stands for no student: the plain seeded inputs the catalogue and the alternatives were
built against (and that the course's tests and benchmarks use). The others are two students of
a course whose secret is :data:`SECRET`, so each guarantee is checked on three sets of inputs.
"""

from __future__ import annotations

import contextlib

from grading import variant

#: A course secret for the tests (a real one is random: grading.variant.read_secret).
SECRET = bytes(range(32))
#: No student, then two students with their own inputs.
STUDENTS = (None, "ada", "grace")


def inputs_of(student: str | None) -> contextlib.AbstractContextManager[None]:
    """Within the block, the hidden inputs of ``student`` (the seeded ones for None)."""
    if student is None:
        return contextlib.nullcontext()
    return variant.grading_student(student, SECRET)


def label(student: str | None) -> str:
    """The test id of ``student``'s inputs."""
    return "seeded" if student is None else f"student-{student}"
