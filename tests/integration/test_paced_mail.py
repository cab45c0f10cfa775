"""The paced mail queue under SES throttling, which moto never answers with.

Scheduled transcripts go schedule function -> SQS -> worker (the local scheduler plays the
queue's poller: a failed message comes back at once, and the dead-letter queue takes it at the
receive after maxReceiveCount). SES is throttled by the fault injector (infra/local/faults.py);
the worker's pacer runs on a virtual clock (tests/support/pacing.py), on which each SES call's
moment is recorded here.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest

from infra.local.faults import FaultInjector
from tests.support.calls import observe_calls
from tests.support.faults import inject_faults
from tests.support.pacing import VirtualTime, busiest_window

__all__ = ["inject_faults"]  # the fixture, used by name below

DUE = date(2027, 2, 1)  # the January 2027 transcripts
LEARNERS = 30
SES_THROTTLE = 0.5  # of SES sends refused: "Maximum sending rate exceeded."


@contextmanager
def ses_sends(time: VirtualTime) -> Iterator[list[float]]:
    """The virtual moment of every SES send attempt made inside the block."""
    moments: list[float] = []

    def recording(service: str, operation: str, _params: Any) -> None:
        if service == "ses" and operation == "SendRawEmail":
            moments.append(time.now())

    with observe_calls(recording):
        yield moments


def _due_learners(n: int) -> list[str]:
    """``n`` learners with a monthly transcript due on DUE (written straight to the table)."""
    from cme.platform.models import Learner
    from cme.platform.models.tables import OutsideCredit
    from cme.rules import transcript_schedule
    from tests.support.learners import verified_md

    due = {
        "transcript_frequency": "monthly",
        "transcript_schedule": transcript_schedule.SCHEDULED,
        "transcript_due": DUE.isoformat(),
    }
    from tests.support.learners import outside_credit_on

    with Learner.batch_write() as learners, OutsideCredit.batch_write() as credits:
        for number in range(n):
            learner = verified_md("due", number, "556", **due)
            learners.save(learner)
            credits.save(outside_credit_on(learner.learner_id, date(2027, 1, 20)))  # January is not empty
    return [f"due{number}@example.org" for number in range(n)]


def _run(gateway: Any, today: date = DUE) -> dict[str, Any]:
    from cme.platform.settings import get_settings
    from infra.local.scheduler import run_transcript_mailer

    settings = get_settings()
    return run_transcript_mailer(gateway.invoke, settings.aws_region, settings.transcript_queue, today=today)


def _dead_letters() -> list[dict[str, Any]]:
    from cme.platform.settings import get_settings
    from infra.local.scheduler import dead_letters

    return dead_letters(get_settings().aws_region, "TranscriptDeadLetterQueue")


def test_a_throttled_fan_out_emails_every_learner_once_within_the_send_rate(
    aws: None, gateway: Any, outbox: Any, mail_time: VirtualTime, inject_faults: Callable[..., FaultInjector]
) -> None:
    from cme.platform.models import Learner
    from cme.platform.settings import get_settings

    rate = get_settings().max_send_rate
    emails = _due_learners(LEARNERS)
    before = len(outbox())
    faults = inject_faults(ses_throttle=SES_THROTTLE, seed=7)
    with ses_sends(mail_time) as moments:
        result = _run(gateway)

    sent = [m["to"] for m in outbox()[before:]]
    counts = faults.counts()
    paced = mail_time.pacer.stats()
    figures = {
        "learners": result["learners"],
        "ses_calls": counts["ses_sends"],
        "throttles_injected": counts["ses_throttles"],
        "retries_in_function": paced["retries"],
        "emails": len(sent),
        "failed_receives": result["failed"],
        "dead_letters": len(_dead_letters()),
        "paced_seconds": round(moments[-1] - moments[0], 1),
        "busiest_second": busiest_window(moments),
    }
    print(f"\npaced fan-out: {figures}")

    # every due learner got exactly one email, and none is left for the dead-letter queue
    assert sorted(sent) == sorted([e] for e in emails)
    outcome = {key: result[key] for key in ("learners", "processed", "failed", "dead_lettered")}
    assert outcome == {"learners": LEARNERS, "processed": LEARNERS, "failed": 0, "dead_lettered": 0}
    assert _dead_letters() == []
    assert all(Learner.get(f"due-{n:04d}").transcript_due == "2027-03-01" for n in range(LEARNERS))
    # the throttling was real, and was retried in the function, paced
    assert counts["ses_throttles"] >= LEARNERS * SES_THROTTLE / 2
    assert len(moments) == counts["ses_sends"] == LEARNERS + counts["ses_throttles"]
    assert paced["retries"] == counts["ses_throttles"] and paced["gave_up"] == 0
    # no 1-second window of the (virtual) clock held more sends than MaxSendRate
    assert busiest_window(moments) <= rate
    # and one instance spaced its sends by MAIL_SENDERS / MaxSendRate (its share of the rate)
    spacing = get_settings().mail_senders / rate
    assert min(b - a for a, b in itertools.pairwise(moments)) >= spacing - 1e-9


def test_a_daily_quota_refusal_is_not_retried_in_the_function_and_the_message_goes_back(
    aws: None, gateway: Any, outbox: Any, mail_time: VirtualTime, inject_faults: Callable[..., FaultInjector]
) -> None:
    """'Daily message quota exceeded' will not pass before SES's 24-hour window moves on: one
    call per receive, the message back to the queue each time, then dead-lettered (and the next
    day's run queues the learner again, since the due date did not move)."""
    from cme.platform.models import Learner

    (email,) = _due_learners(1)
    before = len(outbox())
    faults = inject_faults(ses_quota=1.0)
    with ses_sends(mail_time) as moments:
        result = _run(gateway)

    assert faults.counts()["ses_quota"] == 3 and len(moments) == 3  # one call per receive (maxReceiveCount 3)
    assert mail_time.pacer.stats()["retries"] == 0
    assert (result["processed"], result["failed"], result["dead_lettered"]) == (0, 3, 1)
    assert [m["learner_id"] for m in _dead_letters()] == ["due-0000"]
    assert outbox()[before:] == []
    assert Learner.get("due-0000").transcript_due == DUE.isoformat()
    faults.uninstall()

    nxt = _run(gateway, date(2027, 2, 2))
    assert (nxt["learners"], nxt["processed"]) == (1, 1)
    assert [m["to"] for m in outbox()[before:]] == [[email]]


def test_a_batch_that_runs_out_of_time_sends_the_rest_back_unsent(
    aws: None, gateway: Any, outbox: Any, mail_time: VirtualTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No send starts in the invocation's last RESERVE_SECONDS: with a worker Timeout that fits 5
    paced sends, a batch of 10 sends 5 and hands 5 back unsent, and later receives send them,
    each once, none dead-lettered."""
    from cme.platform import pacing
    from cme.platform.settings import get_settings
    from infra.local import cfn

    spacing = get_settings().mail_senders / get_settings().max_send_rate
    [worker] = cfn.queue_consumers()[get_settings().transcript_queue.rsplit("/", 1)[-1]]
    pool = gateway.pools[worker]
    short = int(pacing.RESERVE_SECONDS + 4 * spacing + 1)  # room for sends at 0, 2, 4, 6 and 8 s
    monkeypatch.setattr(pool, "function", dataclasses.replace(pool.function, timeout=short))

    emails = _due_learners(10)
    before = len(outbox())
    result = _run(gateway)

    sent = [m["to"][0] for m in outbox()[before:]]
    assert sorted(sent) == sorted(emails)  # each once, over several receives
    assert mail_time.pacer.stats()["out_of_time"] >= 5
    assert (result["processed"], result["dead_lettered"]) == (10, 0) and result["failed"] >= 5
