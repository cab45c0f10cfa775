from __future__ import annotations

from datetime import date

import pytest

from cme.rules.transcript_schedule import next_due, period


@pytest.mark.parametrize(
    ("frequency", "today", "due"),
    [
        ("monthly", date(2026, 11, 26), date(2026, 12, 1)),
        ("monthly", date(2026, 12, 1), date(2027, 1, 1)),
        ("quarterly", date(2026, 11, 26), date(2027, 1, 1)),
        ("quarterly", date(2026, 2, 10), date(2026, 4, 1)),
        ("annually", date(2026, 1, 1), date(2027, 1, 1)),
    ],
)
def test_next_due(frequency: str, today: date, due: date) -> None:
    assert next_due(frequency, today) == due


@pytest.mark.parametrize(
    ("frequency", "due", "covered"),
    [
        ("monthly", date(2026, 12, 1), (date(2026, 11, 1), date(2026, 11, 30))),
        ("quarterly", date(2027, 1, 1), (date(2026, 10, 1), date(2026, 12, 31))),
        ("annually", date(2027, 1, 1), (date(2026, 1, 1), date(2026, 12, 31))),
    ],
)
def test_period(frequency: str, due: date, covered: tuple[date, date]) -> None:
    assert period(frequency, due) == covered
