"""The pinned clock tests run on (infra/local/clock.py, the ``clock`` fixture), the local
stack's ``/_local/clock``, and the throttle's windows read on it across a window's edge."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from werkzeug.test import Client

from infra.local.clock import SetClock
from tests.support.clock import START

EDGE = datetime(2031, 5, 14, 15, 0, tzinfo=UTC)  # a multiple of 15 minutes (and of an hour)
LAST_TENTH = EDGE - timedelta(milliseconds=100)  # 14:59:59.9


class Elapsed:
    """A stand-in for time.monotonic that moves only when told."""

    def __init__(self) -> None:
        self.seconds = 100.0

    def __call__(self) -> float:
        return self.seconds


def test_a_set_clock_runs_on_by_elapsed_time_or_stays_frozen() -> None:
    elapsed = Elapsed()
    running = SetClock(START, elapsed=elapsed)
    assert running.now() == START
    elapsed.seconds += 2.5
    assert running.now() == START + timedelta(seconds=2.5)
    assert running.move(timedelta(minutes=10)) == START + timedelta(minutes=10, seconds=2.5)
    elapsed.seconds += 1
    assert running.now() == START + timedelta(minutes=10, seconds=3.5)

    assert running.freeze(LAST_TENTH) == LAST_TENTH
    elapsed.seconds += 60
    assert running.now() == LAST_TENTH  # frozen: elapsed time does not move it
    assert running.move(timedelta(milliseconds=100)) == EDGE
    elapsed.seconds += 60
    assert running.now() == EDGE
    with pytest.raises(ValueError, match="time zone"):
        running.freeze(datetime(2031, 5, 14, 15, 0))  # a naive moment: refused


def test_today_is_the_offices_date() -> None:
    assert SetClock(START).today() == date(2031, 5, 14)
    late = SetClock(datetime(2031, 5, 15, 3, 30, tzinfo=UTC))  # 23:30 on the 14th in New York
    assert late.today() == date(2031, 5, 14)


def test_every_test_starts_on_the_pinned_clock(clock: SetClock) -> None:
    from cme.platform import clock as cme_clock

    assert START <= cme_clock.now() < START + timedelta(minutes=1)
    assert cme_clock.office_today() == date(2031, 5, 14)
    clock.freeze(LAST_TENTH)
    assert cme_clock.now() == LAST_TENTH


def test_a_throttle_window_ends_at_its_edge_on_the_pinned_clock(clock: SetClock) -> None:
    """The throttle reads cme.platform.clock: at 14:59:59.9 the window has a second to run (Retry-After
    is at least 1); a tenth of a second later, at 15:00:00.0, the next window has begun."""
    from cme.platform import throttle

    scope = throttle.Scope("test:edge", "x", limit=1, window=900)
    clock.freeze(LAST_TENTH)
    before = throttle._window(scope, None)
    assert before.retry_after == 1 and before.expires == EDGE + timedelta(minutes=15)
    clock.move(timedelta(milliseconds=100))
    after = throttle._window(scope, None)
    assert after.number == before.number + 1 and after.retry_after == 900


# ---------------------------------------------------------------- the local stack's clock


@pytest.fixture
def stack() -> Iterator[Client]:
    from infra.local.clock import install
    from infra.local.server import LocalStack

    yield Client(LocalStack(0))
    install(None)


def _json(answer: object) -> object:
    return json.loads(answer.get_data())  # type: ignore[attr-defined]


def test_the_local_stack_clock_is_pinned_and_released(stack: Client, clock: SetClock) -> None:
    from cme.platform import clock as cme_clock

    clock.freeze(START)
    assert _json(stack.get("/_local/clock")) == {"now": START.isoformat(), "today": "2031-05-14", "frozen": False}
    pinned = stack.post("/_local/clock", json={"at": "2031-05-15T03:59:59.900+00:00"})
    assert pinned.status_code == 200
    moment = datetime(2031, 5, 15, 3, 59, 59, 900_000, tzinfo=UTC)
    assert _json(pinned) == {"now": moment.isoformat(), "today": "2031-05-14", "frozen": True}
    assert cme_clock.now() == moment  # what every function in the stack reads
    released = _json(stack.post("/_local/clock", json={"at": None}))
    assert released == {"now": START.isoformat(), "today": "2031-05-14", "frozen": False}
    assert cme_clock.now() == START


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "BODY_INVALID"),
        ([], "BODY_INVALID"),
        ({"at": "2031-05-14T15:00:00"}, "AT_INVALID"),  # no offset
        ({"at": "tomorrow"}, "AT_INVALID"),
        ({"at": 1}, "AT_INVALID"),
    ],
)
def test_the_local_stack_clock_refuses_what_is_no_moment(stack: Client, body: object, code: str) -> None:
    answer = stack.post("/_local/clock", json=body)
    assert answer.status_code == 400 and _json(answer)["code"] == code  # type: ignore[index]
