"""What can become of a mutant: the outcomes the benchmark counts, and a mutant's result.

*killed*: a grader failed it, or its cell does not run. *timeout*: a grader took longer than
``--timeout`` (counted as killed, listed apart). *equivalent*: it passes every grader and agrees
with the original on every input tried. *argued*: it passes, differs somewhere, and
``mutation_mistakes.ARGUED_EQUIVALENT`` says why no grader should fail it. *survived*: it passes
but differs from the original somewhere, a hole in a grader. *error*: a bug of the benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass

KILLED, TIMEOUT, EQUIVALENT, ARGUED, SURVIVED, ERROR = (
    "killed", "timeout", "equivalent", "argued", "survived", "error")


@dataclass(frozen=True)
class Result:
    """A mutant's outcome; ``detail`` says which grader killed it or where it differs."""

    status: str
    detail: str = ""
