"""The attempt policy of the grading service: how many submissions are graded on submit, and
which graded attempt counts.

Set in ``nbgrader_config.py`` (``c.CourseServe.max_attempts`` and the settings below) and read
by :mod:`course.serve`. The deadline and the late rules are those of the deadline run, unchanged:
this policy only decides what the service grades as submissions arrive and which of a student's
graded attempts the gradebook holds.

* ``max_attempts``: graded submissions per student and assignment (``per = "assignment"``) or
  per student, assignment and UTC day (``per = "day"``); 0 means no limit.
  ``assignment_max_attempts`` overrides it for named assignments (``{"quiz": 1}``).
* ``counts``: ``"last"`` (the latest graded attempt), ``"best"``, or ``"best_with_decay"``: the
  best of each attempt's score times ``(1 - decay) ** (attempt - 1)``, as PrairieLearn's
  decreasing credit per attempt.

A submission over the limit is not graded on submit: the student receives feedback that says
so, and the submission is kept. With ``over_limit = "deadline"`` it stays in the exchange,
where the deadline run's ``nbgrader collect`` takes each student's latest submission as it
always has; with ``"keep"`` it is moved to ``serve/kept/`` in the course folder and never
graded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from traitlets import Bool, Dict, Enum, Float, Integer
from traitlets.config import Config, Configurable


class CourseServe(Configurable):
    """Settings of ``python -m course.serve``, the service that grades on submit."""

    max_attempts = Integer(
        0, help="Graded submissions per student and assignment (or per day, see `per`); "
                "0 for no limit.").tag(config=True)
    assignment_max_attempts = Dict(
        {}, help="Per-assignment limits that override max_attempts, e.g. {'quiz': 1}."
    ).tag(config=True)
    per = Enum(["assignment", "day"], "assignment",
               help="Count attempts per assignment, or per assignment and UTC day.").tag(
                   config=True)
    counts = Enum(["last", "best", "best_with_decay"], "last",
                  help="Which graded attempt the gradebook holds.").tag(config=True)
    decay = Float(0.1, min=0.0, max=1.0,
                  help="With counts='best_with_decay': each attempt after the first is worth "
                       "this fraction less than the one before.").tag(config=True)
    over_limit = Enum(
        ["deadline", "keep"], "deadline",
        help="A submission over the limit: 'deadline' leaves it in the exchange, where the "
             "deadline's collect takes it if it is the student's latest; 'keep' moves it to "
             "serve/kept/ in the course folder, kept but never graded.").tag(config=True)
    max_submission_mb = Float(
        50.0, help="A submission larger than this (all its files) is not copied or graded."
    ).tag(config=True)
    check_owner = Bool(
        False, help="Refuse a submission whose inbound folder is not owned by the user account "
                    "named like the student (where students are system users, as on "
                    "JupyterHub): nobody then submits, or uses attempts, in another's name."
    ).tag(config=True)
    poll_seconds = Float(1.0, help="How often the inbound folder is scanned.").tag(config=True)
    grading_timeout = Float(
        900.0, help="Seconds one submission's grading and feedback may take in all.").tag(
            config=True)


@dataclass(frozen=True)
class Policy:
    """The attempt policy in force, as plain values."""

    max_attempts: int = 0
    per: str = "assignment"
    counts: str = "last"
    decay: float = 0.1
    overrides: tuple[tuple[str, int], ...] = ()
    over_limit: str = "deadline"

    def limit(self, assignment: str) -> int:
        """The attempt limit of ``assignment`` (0: none)."""
        return dict(self.overrides).get(assignment, self.max_attempts)

    def period(self, submitted_at: str) -> str:
        """The key attempts are counted under: '' per assignment, the UTC date per day
        (``submitted_at`` is an ISO time)."""
        return submitted_at[:10] if self.per == "day" else ""

    def describe(self, assignment: str) -> str:
        """The policy in one sentence, for a student's feedback."""
        limit = self.limit(assignment)
        allowed = (f"{limit} graded submission{'s' if limit != 1 else ''} "
                   f"{'per day' if self.per == 'day' else 'for this assignment'}"
                   if limit else "no limit on graded submissions")
        counted = {"last": "your latest graded submission counts",
                   "best": "your best graded submission counts",
                   "best_with_decay": f"your best graded submission counts, each attempt after "
                                      f"the first worth {100 * self.decay:g}% less than the one "
                                      f"before"}[self.counts]
        return f"This course allows {allowed}; {counted}."


def policy_from_config(config: Config) -> Policy:
    """The :class:`Policy` set by ``c.CourseServe.*`` in a loaded ``nbgrader_config.py``."""
    serve = CourseServe(config=config)
    return Policy(serve.max_attempts, serve.per, serve.counts, serve.decay,
                  tuple(sorted((str(k), int(v)) for k, v in
                               serve.assignment_max_attempts.items())), serve.over_limit)


def weight(policy: Policy, attempt: int) -> float:
    """What attempt number ``attempt`` (from 1) is worth under ``policy``."""
    if policy.counts != "best_with_decay":
        return 1.0
    return (1.0 - policy.decay) ** (attempt - 1)


def counted(policy: Policy, scores: Sequence[float]) -> tuple[int, float]:
    """Which of the graded attempts' ``scores`` (in order) counts, as (index, factor): the
    gradebook holds attempt ``index``'s scores times ``factor``."""
    if not scores:
        raise ValueError("no graded attempt to count")
    if policy.counts == "last":
        return len(scores) - 1, 1.0
    worth = [score * weight(policy, n + 1) for n, score in enumerate(scores)]
    best = max(range(len(scores)), key=lambda n: (worth[n], n))
    return best, weight(policy, best + 1)
