"""The clock every test runs on: ``cme.platform.clock.now`` pinned, so no test reads the time of day.

Each test starts at ``START``, a fixed moment one minute into a 15-minute throttle window, an
hour and a UTC day (mid-morning in the office's time zone), so nothing a test does straddles a
window's edge or midnight. From there the clock runs on by the test's own elapsed time, so what
a test writes later is later; a test that needs an exact moment ``freeze``s it and ``move``s it
by hand (infra.local.clock.SetClock). The ``clock`` fixture (tests/conftest.py) installs one
for every test; browser tests get the local stack's clock instead (tests/e2e/conftest.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

#: Wednesday 14 May 2031, 14:01 UTC (10:01 in the office's America/New_York)
START = datetime(2031, 5, 14, 14, 1, tzinfo=UTC)


def window_edge(seconds: int, after: datetime = START) -> datetime:
    """The first edge after ``after`` of fixed windows of ``seconds`` (as cme.platform.throttle counts
    them: each starts on a multiple of its length since the epoch)."""
    return datetime.fromtimestamp((after.timestamp() // seconds + 1) * seconds, UTC)


def office_date() -> date:
    """The office's date on the pinned clock: the "today" the code under test sees."""
    from cme.platform.clock import office_today

    return office_today()
