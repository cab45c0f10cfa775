"""The one clock logic reads, so tests can move time (token expiry, throttle windows)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
