"""A settable ``cme.platform.clock`` for the tests and the local stack (never deployed).

``SetClock`` answers ``now()`` from a moment it was set to: running on from there at the pace
of an elapsed-time counter (``time.monotonic``: a duration, never the time of day), or frozen
there until moved. ``install`` makes it what ``cme.platform.clock.now`` answers in this process; the
tests install one for every test (tests/support/clock.py), and the local stack one at
``POST /_local/clock`` (infra/local/server.py), so a browser test can pin the stack's clock too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta


class SetClock:
    """A clock set to a moment: ``now()`` runs on from it, or stays there while ``frozen``."""

    def __init__(self, start: datetime, *, frozen: bool = False, elapsed: Callable[[], float] = time.monotonic) -> None:
        _aware(start)
        self._elapsed = elapsed
        self._base = start
        self._since = elapsed()
        self.frozen = frozen

    def now(self) -> datetime:
        if self.frozen:
            return self._base
        return self._base + timedelta(seconds=self._elapsed() - self._since)

    def freeze(self, at: datetime | None = None) -> datetime:
        """Stop the clock at ``at`` (aware), or where it is; it stays there until moved."""
        self._base, self._since, self.frozen = _aware(at or self.now()), self._elapsed(), True
        return self._base

    def move(self, delta: timedelta) -> datetime:
        """Move the clock on (or back) by ``delta``; frozen or running, it stays so."""
        self._base, self._since = self.now() + delta, self._elapsed()
        return self._base

    def today(self) -> date:
        """The office's date now, as ``cme.platform.clock.office_today`` reads it."""
        from cme.platform.clock import local_date

        return local_date(self.now())


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a clock moment needs its time zone (e.g. 2031-05-14T14:01:00+00:00)")
    return moment


_real_now: list[Callable[[], datetime]] = []  # cme.platform.clock.now as it was before the first install


def install(clock: SetClock | None) -> None:
    """Make ``clock`` what ``cme.platform.clock.now`` answers in this process; None: the real clock again.
    (Tests use pytest's monkeypatch instead, which puts it back after each test.)"""
    from cme.platform import clock as cme_clock

    if not _real_now:
        _real_now.append(cme_clock.now)
    cme_clock.now = clock.now if clock is not None else _real_now[0]
