"""cme.platform.pacing: bulk mail spaced to its share of the send rate, SES throttling retried in paced
slots with bounded backoff, the daily quota not retried, and no send started too late. Time is
a virtual clock (tests/support/pacing.py): nothing waits for real."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from cme.platform import pacing
from tests.support.pacing import VirtualTime, busiest_window


def _refusal(code: str, message: str, status: int = 400) -> ClientError:
    return ClientError(
        {"Error": {"Type": "Sender", "Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "SendRawEmail",
    )


RATE = _refusal("Throttling", "Maximum sending rate exceeded.")
QUOTA = _refusal("Throttling", "Daily message quota exceeded.")


def _pacer(time: VirtualTime, rate: float = 0.5, seed: int = 1) -> pacing.Pacer:
    return pacing.Pacer(rate, clock=time.now, sleep=time.sleep, rng=random.Random(seed))


class Script:
    """An SES send that fails as told, in order, then succeeds; remembers when each call came."""

    def __init__(self, time: VirtualTime, failures: list[BaseException]) -> None:
        self.time = time
        self.failures = list(failures)
        self.moments: list[float] = []

    def __call__(self) -> str:
        self.moments.append(self.time.now())
        if self.failures:
            raise self.failures.pop(0)
        return "sent"


def test_sends_are_spaced_by_the_instance_share_of_the_rate_across_batches() -> None:
    time = VirtualTime()
    pacer = _pacer(time, rate=0.5)  # MaxSendRate 1 shared by 2 instances
    send = Script(time, [])
    for _ in range(5):
        assert pacer.call(send, "transcript") == "sent"
    assert [m - time.start for m in send.moments] == [0, 2, 4, 6, 8]  # the first at once
    pacer.limit(120)  # a new invocation (batch) keeps the spacing the last one left
    time.sleep(0.5)
    pacer.call(send, "transcript")
    assert send.moments[-1] - time.start == 10
    assert pacer.stats()["calls"] == 6 and pacer.stats()["waited"] == pytest.approx(8 + 1.5)


def test_instances_at_their_share_keep_the_rate_over_their_period() -> None:
    """Two instances each at MaxSendRate / 2, sending whenever they may from moments of their
    own: over any window of 2 / MaxSendRate seconds (or a multiple) they keep MaxSendRate; a
    shorter window may see one send of each (a burst of MaximumConcurrency; a send SES refuses
    for it is retried in a later slot)."""
    for max_send_rate in (1.0, 4.0, 14.0):
        period = 2 / max_send_rate
        rng = random.Random(int(max_send_rate))
        moments: list[float] = []
        for _ in range(2):
            time = VirtualTime(start=1000 + rng.uniform(0, 5))
            pacer = _pacer(time, rate=max_send_rate / 2)
            for _ in range(200):
                time.sleep(rng.choice([0.0, 0.0, rng.uniform(0, 3 * period)]))  # rendering, idle
                pacer.call(lambda t=time, seen=moments: seen.append(t.now()), "transcript")
        for windows in (1, 3, 10):
            assert busiest_window(moments, windows * period) <= max_send_rate * windows * period + 1e-9
        assert busiest_window(moments, 1.0) <= max_send_rate + 2  # at most one extra per instance


def test_throttling_is_retried_in_later_slots_after_a_bounded_backoff() -> None:
    time = VirtualTime()
    pacer = _pacer(time, rate=0.5)
    send = Script(
        time, [RATE, RATE, _refusal("ServiceUnavailable", "busy", 503), EndpointConnectionError(endpoint_url="x")]
    )
    assert pacer.call(send, "transcript") == "sent"
    gaps = [b - a for a, b in itertools.pairwise(send.moments)]
    assert len(send.moments) == 5 and all(gap >= 2 for gap in gaps)  # each retry in a slot of its own
    backoffs = [s for s in time.slept if s not in gaps]
    assert all(0 <= b <= pacing.CAP_SECONDS for b in backoffs)
    stats = pacer.stats()
    assert (stats["retries"], stats["failed:rate"], stats["failed:server"], stats["failed:connection"]) == (4, 2, 1, 1)
    assert 0 < stats["backoff"] <= sum(min(pacing.CAP_SECONDS, pacing.BASE_SECONDS * 2**n) for n in range(4))


def test_retries_are_bounded_and_the_last_refusal_is_raised() -> None:
    time = VirtualTime()
    pacer = _pacer(time)
    send = Script(time, [RATE] * pacing.ATTEMPTS)
    with pytest.raises(ClientError) as raised:
        pacer.call(send, "transcript")
    assert raised.value is RATE
    assert len(send.moments) == pacing.ATTEMPTS and pacer.stats()["gave_up"] == 1
    assert pacer.stats()["retries"] == pacing.ATTEMPTS - 1


@pytest.mark.parametrize(
    "refusal",
    [
        QUOTA,
        _refusal("MessageRejected", "Email address is not verified."),
        _refusal("AccessDenied", "not authorized to perform: ses:SendRawEmail"),
        ValueError("not an AWS error"),
    ],
)
def test_what_a_retry_cannot_pass_is_raised_at_once(refusal: BaseException) -> None:
    time = VirtualTime()
    pacer = _pacer(time)
    send = Script(time, [refusal])
    with pytest.raises(type(refusal)):
        pacer.call(send, "transcript")
    assert len(send.moments) == 1 and pacer.stats()["retries"] == 0 and time.slept == []


def test_the_daily_quota_and_the_rate_are_told_apart_by_the_message() -> None:
    assert (pacing.transient(RATE), pacing.quota_exceeded(RATE)) == ("rate", False)
    assert (pacing.transient(QUOTA), pacing.quota_exceeded(QUOTA)) == (None, True)
    assert pacing.transient(_refusal("InternalFailure", "oops", 500)) == "server"
    assert pacing.transient(ValueError("x")) is None


def test_no_send_starts_in_the_invocations_last_reserve() -> None:
    time = VirtualTime()
    pacer = _pacer(time, rate=0.5)
    pacer.limit(pacing.RESERVE_SECONDS + 5)  # room for slots at 0, 2 and 4 s
    send = Script(time, [])
    for _ in range(3):
        pacer.call(send, "transcript")
    with pytest.raises(pacing.OutOfTime):
        pacer.call(send, "transcript")  # its slot (6 s) is past the deadline: no wait, no call
    assert len(send.moments) == 3 and time.elapsed == 4
    pacer.ensure_time()  # 4 s: work may still start ...
    time.sleep(1.5)
    with pytest.raises(pacing.OutOfTime):
        pacer.ensure_time()  # ... not at 5.5 s
    assert pacer.stats()["out_of_time"] == 2


def test_a_retry_past_the_deadline_is_not_made() -> None:
    time = VirtualTime()
    pacer = _pacer(time, rate=0.5)
    pacer.limit(pacing.RESERVE_SECONDS + 3)
    send = Script(time, [RATE, RATE, RATE])
    with pytest.raises(pacing.OutOfTime):
        pacer.call(send, "transcript")
    assert len(send.moments) == 2  # at 0 and 2 s; the third slot (4 s) is past 3 s


def test_the_mail_pacer_takes_its_share_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from cme.platform.settings import reset_settings

    monkeypatch.setenv("MAX_SEND_RATE", "14")
    monkeypatch.setenv("MAIL_SENDERS", "2")
    reset_settings()
    try:
        assert pacing.for_mail().interval == pytest.approx(2 / 14)
        with pytest.raises(ValueError, match="above 0"):
            pacing.Pacer(0)
    finally:
        reset_settings()


def test_the_paced_client_leaves_retries_to_the_pacer(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's own retries would wait unpaced, with a real sleep: the paced SES client makes
    one attempt per call; the others keep botocore's standard retries."""
    from cme.platform import aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "unit")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "unit")
    aws.reset_clients()
    try:
        paced: Any = aws.client("ses", attempts=1)
        plain: Any = aws.client("ses")
        assert paced is not plain
        assert paced.meta.config.retries == {"mode": "standard", "total_max_attempts": 1}
        assert plain.meta.config.retries == {"mode": "standard", "total_max_attempts": 4}
        assert len(aws.made_clients()) == 2
    finally:
        aws.reset_clients()
