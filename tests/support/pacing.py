"""Time for paced mail (cme.platform.pacing) that tests move instead of waiting.

``virtual_mail_time`` (the autouse fixture ``mail_time`` in tests/integration) gives the
process's mail pacer a virtual clock: its ``sleep`` moves the clock on at once and is
remembered, so a test sees when each send happened on that clock and how long the pacing took,
and nothing waits for real.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

START = 1_000.0  # any origin: the pacer reads differences only


class VirtualTime:
    def __init__(self, start: float = START) -> None:
        self.start = start
        self.current = start
        self.slept: list[float] = []
        self.pacer: Any = None  # the pacer made on this clock, once the worker first asks for it

    def now(self) -> float:
        return self.current

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, seconds
        self.slept.append(seconds)
        self.current += seconds

    @property
    def elapsed(self) -> float:
        return self.current - self.start


def busiest_window(moments: list[float], seconds: float = 1.0) -> int:
    """The most of ``moments`` in any half-open window [t, t + seconds) (moments ``seconds``
    apart, to within float error, fall in different windows)."""
    ordered = sorted(moments)
    most, first = 0, 0
    for last, moment in enumerate(ordered):
        while ordered[first] <= moment - seconds + 1e-9:
            first += 1
        most = max(most, last - first + 1)
    return most


def virtual_mail_time(monkeypatch: pytest.MonkeyPatch) -> VirtualTime:
    """Put the mail pacer on a virtual clock until the test ends (made at first use, from the
    settings then in force)."""
    from cme.platform import pacing

    time = VirtualTime()

    def pacer() -> pacing.Pacer:
        if time.pacer is None:
            time.pacer = pacing.for_mail(clock=time.now, sleep=time.sleep, rng=random.Random(11))
        return time.pacer

    monkeypatch.setattr(pacing, "mail_pacer", pacer)
    return time
