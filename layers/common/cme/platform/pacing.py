"""Bulk mail paced to the rate SES accepts, and SES throttling retried where the wait is paced.

SES accepts at most the account's maximum send rate (1 email per second in the sandbox) and
answers more with ``Throttling`` "Maximum sending rate exceeded." The mail queue's worker (the
SQS event source of TranscriptWorkerFunction) runs at most ``mail_senders`` instances at once
(its ``ScalingConfig.MaximumConcurrency``, template Mapping ``MailQueue``; 2 is the least SQS
allows, so that alone cannot hold the rate). Each instance spaces its SES calls
``mail_senders / max_send_rate`` seconds apart (``Pacer``): together they send at most
``max_send_rate`` per second over any window of ``mail_senders / max_send_rate`` seconds or a
multiple of it; a shorter window can see one call from each instance (a burst of
``mail_senders``: a call SES then refuses as over the rate is retried in that instance's next
slot). No shared counter is needed: no extra call per email, nothing to grant, nothing to
throttle in turn.

Every attempt takes a slot, retries included, so a retry is paced too. The SES client used here
makes one attempt per call (``aws.client("ses", attempts=1)``): botocore's own retries would
wait unpaced, outside this count, with a sleep no test can move. A failure SES or the network
may not repeat (``transient``: the rate exceeded, a 5xx, a lost connection) is retried here
with full-jitter backoff, up to ``ATTEMPTS`` tries; anything else is raised at once, notably
"Daily message quota exceeded." (also ``Throttling``): nothing sends again until SES's 24-hour
window moves on, so the message goes back to the queue. No call starts in the invocation's last
``RESERVE_SECONDS`` (``limit``); ``OutOfTime`` sends the message back to the queue unsent.

The clock and the sleep are injected (``for_mail(clock=..., sleep=...)``): tests move time,
nothing waits for real.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from cme.platform import retry
from cme.platform.observability import logger
from cme.platform.settings import get_settings

T = TypeVar("T")

#: tries of one email (the first and 7 retries): at half the calls throttled, one email gives up
#: once in 256 and goes back to the queue (sent at its next receive)
ATTEMPTS = 8
BASE_SECONDS = 0.5
CAP_SECONDS = 4.0
#: no SES call starts later than this before the invocation's end: the call itself (botocore's
#: connect 3 s + read 10 s, cme.platform.aws) and the writes after it (idempotency record, due date)
RESERVE_SECONDS = 15.0

RATE_EXCEEDED = "maximum sending rate exceeded"
QUOTA_EXCEEDED = "daily message quota exceeded"
THROTTLE_CODES = frozenset({"Throttling", "ThrottlingException", "TooManyRequestsException"})


class OutOfTime(Exception):
    """The invocation has no time left for another send: the message goes back to the queue unsent."""


def _error(exc: BaseException) -> tuple[str, str, int]:
    """(code, message in lower case, HTTP status) of a botocore ClientError; empty otherwise."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return "", "", 0
    error = response.get("Error") or {}
    status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0
    return str(error.get("Code") or ""), str(error.get("Message") or "").lower(), int(status)


def quota_exceeded(exc: BaseException) -> bool:
    """SES refused because the account's 24-hour sending quota is spent."""
    code, message, _ = _error(exc)
    return code in THROTTLE_CODES and QUOTA_EXCEEDED in message


def transient(exc: BaseException) -> str | None:
    """Why a failed SES call is worth another try within this invocation ("rate", "server",
    "connection"), or None: the daily quota, a rejected message, a denied call are not."""
    from botocore.exceptions import ConnectionClosedError, ConnectTimeoutError, EndpointConnectionError

    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ConnectionClosedError):
        return "connection"  # as botocore's standard mode retries them
    code, _, status = _error(exc)
    if not code:
        return None
    if code in THROTTLE_CODES:
        return None if quota_exceeded(exc) else "rate"
    return "server" if status >= 500 else None


def delay(retry_number: int, rng: random.Random) -> float:
    """Seconds to back off before retry number ``retry_number`` (0 first): full jitter, capped."""
    return rng.uniform(0.0, min(CAP_SECONDS, BASE_SECONDS * 2**retry_number))


class Pacer:
    """Spaces calls at least ``1 / rate`` seconds apart on ``clock``, retrying transient failures.

    One per process (``mail_pacer``): a Lambda instance handles one batch at a time, and the
    spacing carries over from one batch to the next.
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if not rate > 0:
            raise ValueError("a send rate is above 0")
        self.rate = rate
        self.interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - spreads retries apart; nothing secret
        self._next = -math.inf  # the earliest moment of the next call
        self._deadline = math.inf  # no call starts after this (``limit``)
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._waited = 0.0
        self._backoff = 0.0

    def now(self) -> float:
        return self._clock()

    def limit(self, seconds: float) -> None:
        """The invocation ends ``seconds`` from now: no call starts in its last RESERVE_SECONDS."""
        self._deadline = self._clock() + seconds - RESERVE_SECONDS

    def ensure_time(self) -> None:
        """Raise OutOfTime when no call may start any more (before work that leads to one)."""
        if self._clock() > self._deadline:
            self._out_of_time()

    def _out_of_time(self) -> None:
        with self._lock:
            self._counts["out_of_time"] += 1
        logger.warning("no time left in this invocation to send; the message goes back to the queue")
        raise OutOfTime("no time left in this invocation to send")

    def _take_slot(self) -> None:
        """Wait for the next slot (on the injected clock and sleep), then take it."""
        now = self._clock()
        slot = max(now, self._next)
        if slot > self._deadline:
            self._out_of_time()
        if slot > now:
            self._sleep(slot - now)
            with self._lock:
                self._waited += slot - now
        self._next = slot + self.interval

    def call(self, operation: Callable[[], T], what: str) -> T:
        """``operation()`` in the next slot, retried in later slots (after a backoff) while it
        fails for a ``transient`` reason, up to ATTEMPTS tries; any other failure is raised."""
        for attempt in range(ATTEMPTS):
            self._take_slot()
            with self._lock:
                self._counts["calls"] += 1
            try:
                return operation()
            except Exception as exc:
                reason = transient(exc)
                if reason is None:
                    raise
                with self._lock:
                    self._counts[f"failed:{reason}"] += 1
                if attempt + 1 >= ATTEMPTS:
                    with self._lock:
                        self._counts["gave_up"] += 1
                    logger.warning("send retries exhausted", extra={"send": what, "reason": reason})
                    retry.metric("MailSendRetriesExhausted")
                    raise
                with self._lock:
                    self._counts["retries"] += 1
                retry.metric("MailSendRetries")
                backoff = delay(attempt, self._rng)
                self._sleep(backoff)
                with self._lock:
                    self._backoff += backoff
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def stats(self) -> dict[str, float]:
        """``calls`` made, ``retries``, ``failed:<reason>``, ``gave_up``, ``out_of_time``, and
        ``waited`` and ``backoff`` (seconds spent waiting for slots, and backing off)."""
        with self._lock:
            counts = {"calls": 0, "retries": 0, "gave_up": 0, "out_of_time": 0, **self._counts}
            return {**counts, "waited": self._waited, "backoff": self._backoff}


def for_mail(**options: Any) -> Pacer:
    """A pacer at this instance's share of the send rate: max_send_rate / mail_senders."""
    settings = get_settings()
    return Pacer(settings.max_send_rate / settings.mail_senders, **options)


@lru_cache(maxsize=1)
def mail_pacer() -> Pacer:
    """This process's pacer for bulk mail (made at first use, after any SnapStart restore)."""
    return for_mail()
