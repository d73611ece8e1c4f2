"""The course's late-submission rule, as an nbgrader late-submission plugin."""

from __future__ import annotations

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float


class PercentPerDayLate(LateSubmissionPlugin):
    """Take a share of the notebook's score for each started day past the deadline.

    With the defaults, a notebook submitted 3 hours late loses 10% of its score, one submitted
    26 hours late loses 20%, and after 10 days nothing is left. nbgrader calls this for each
    notebook of a late submission and subtracts the penalty it returns.
    """

    percent_per_day = Float(
        10.0, help="Percent of the notebook's score lost for each started day of lateness."
    ).tag(config=True)

    grace_minutes = Float(
        5.0, help="Minutes after the deadline that still count as on time (clock skew, uploads)."
    ).tag(config=True)

    def late_submission_penalty(
        self, student_id: str, score: float, total_seconds_late: float
    ) -> float:
        if total_seconds_late <= self.grace_minutes * 60:
            return 0.0
        days = math.ceil(total_seconds_late / 86400)
        return min(score, score * self.percent_per_day * days / 100.0)
