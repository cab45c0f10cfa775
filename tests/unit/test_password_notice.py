"""The moment the "your password was changed" email names, as the office reads it."""

from __future__ import annotations

from datetime import UTC, datetime

from cme.identity.password_change import office_time


def test_the_notice_names_the_moment_in_the_offices_time_zone() -> None:
    # America/New_York (the default office time zone): daylight time in May, standard in January
    assert office_time(datetime(2031, 5, 14, 14, 1, tzinfo=UTC)) == "May 14, 2031 at 10:01 AM EDT"
    assert office_time(datetime(2031, 1, 5, 17, 0, tzinfo=UTC)) == "January 5, 2031 at 12:00 PM EST"
    # 00:30 UTC is still the day before in the office
    assert office_time(datetime(2031, 1, 6, 4, 30, tzinfo=UTC)) == "January 5, 2031 at 11:30 PM EST"
