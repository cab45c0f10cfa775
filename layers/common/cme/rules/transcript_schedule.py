"""When scheduled transcripts are due, and which period each one covers.

A learner chooses monthly, quarterly or annually. The transcript of a period goes out on the
first day after it: monthly on the 1st (the previous month), quarterly on Jan/Apr/Jul/Oct 1st
(the previous quarter), annually on January 1st (the previous year).
"""

from __future__ import annotations

from datetime import date, timedelta

SCHEDULED = "SCHEDULED"
MONTHS = {"monthly": 1, "quarterly": 3, "annually": 12}


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def next_due(frequency: str, today: date) -> date:
    """The first due day strictly after ``today``."""
    step = MONTHS[frequency]
    first = date(today.year, today.month, 1)
    candidate = _add_months(first, 1)
    while (candidate.month - 1) % step:
        candidate = _add_months(candidate, 1)
    return candidate


def period(frequency: str, due: date) -> tuple[date, date]:
    """The period a transcript due on ``due`` covers: the months just before it."""
    start = _add_months(due, -MONTHS[frequency])
    return start, due - timedelta(days=1)
