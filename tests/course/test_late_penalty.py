"""The course's late rule: 10% of the score per started day late, after 5 minutes' grace."""

import pytest

from course.late_penalty import PercentPerDayLate

HOUR = 3600.0


@pytest.mark.parametrize(
    ("seconds_late", "penalty"),
    [(0, 0.0), (4 * 60, 0.0), (3 * HOUR, 3.0), (24 * HOUR, 3.0), (26 * HOUR, 6.0),
     (10 * 24 * HOUR, 30.0), (30 * 24 * HOUR, 30.0)],
)
def test_penalty_grows_by_the_day_and_never_exceeds_the_score(seconds_late, penalty):
    assert PercentPerDayLate().late_submission_penalty("ada", 30.0, seconds_late) == penalty


def test_the_rate_is_configurable():
    plugin = PercentPerDayLate(percent_per_day=50.0, grace_minutes=0.0)
    assert plugin.late_submission_penalty("ada", 10.0, 1.0) == 5.0
