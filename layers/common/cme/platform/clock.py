"""The one clock logic reads, so tests can move time (token expiry, throttle windows)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from cme.platform.settings import get_settings


def now() -> datetime:
    return datetime.now(UTC)


def office_today() -> date:
    return local_date(now())


def local_date(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(get_settings().office_timezone)).date()
