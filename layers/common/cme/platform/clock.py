"""The one clock logic reads, so tests can move time (token expiry, throttle windows)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from cme.platform.settings import get_settings


def now() -> datetime:
    return datetime.now(UTC)


def office_today() -> date:
    return local_date(now())


def local_date(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(get_settings().office_timezone)).date()


def office_noon(day: date) -> datetime:
    """Noon of the office's ``day``, as a moment (UTC): a time for a record that has only a day
    (an imported claim's completion day), whose ``local_date`` is that day."""
    return datetime.combine(day, time(12), tzinfo=ZoneInfo(get_settings().office_timezone)).astimezone(UTC)
