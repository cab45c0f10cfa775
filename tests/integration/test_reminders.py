"""Claim reminders (issue 24): the daily run reminds each attendee without a claim once, N days
before THEIR last day, through the mail queue; exactly once under a repeated run, an overlapping
run and an SQS redelivery; the unsubscribe link (signed out, any number of clicks, a bad token
refused); the office's send-now (202 {queued}, once per 24 hours: 429 TOO_MANY_REQUESTS)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from tests.integration.conftest import DEMO_PASSWORD
from tests.integration.test_claims_report import claim, person
from tests.integration.test_publisher import create
from tests.support.client import ApiClient

UNSUBSCRIBE = "/api/reminders/unsubscribe"


def _run(gateway: Any, today: date) -> dict[str, Any]:
    from cme.platform.settings import get_settings
    from infra.local.scheduler import run_reminders

    settings = get_settings()
    return run_reminders(gateway.invoke, settings.aws_region, settings.transcript_queue, today=today)


def _reminders(outbox: Any, before: int) -> list[dict[str, Any]]:
    return [m for m in outbox()[before:] if m["subject"].startswith("Claim your credit for")]


def _to(messages: list[dict[str, Any]]) -> list[str]:
    return sorted(address for m in messages for address in m["to"])


def _token(message: dict[str, Any]) -> str:
    found = re.search(r"/reminders-unsubscribe\.html\?token=([A-Za-z0-9_\-]+)", message["text"])
    assert found, message["text"]
    return found.group(1)


@pytest.fixture
def world(admin: ApiClient, new_client: Any, outbox: Any) -> dict[str, Any]:
    """An activity ending today (ACPE and ANCC, a 90-day window) attended by a nurse (account:
    ANCC, the 90 days), a pharmacist (account: ACPE only, so ACPE's 60 days), someone with no
    account (every designation: ANCC's 90 days), an MD (who may claim none of it) and a nurse
    who claims."""
    from tests.support.clock import office_date

    today = office_date()
    activity = create(
        admin,
        credits=[{"type": "ACPE", "max": 1.0}, {"type": "ANCC", "max": 1.0}],
        claim_window_days=90,
        uan="0000-0000-31-001-L01-P",
    )
    person(new_client, outbox, "rn@example.org", first_name="Ana", last_name="Alvarez", degree="RN")
    person(
        new_client,
        outbox,
        "rph@example.org",
        first_name="Rui",
        last_name="Reis",
        degree="PharmD",
        phone="480-555-0121",
        nabp_eprofile_id="123456",
        birth_mmdd="0704",
    )
    person(new_client, outbox, "md@example.org", first_name="Max", last_name="Moss", degree="MD", phone="480-555-0123")
    claimant = person(
        new_client, outbox, "done@example.org", first_name="Dee", last_name="Done", degree="RN", phone="480-555-0122"
    )
    roster = [
        {"email": "rn@example.org", "first_name": "Ana", "last_name": "Alvarez"},
        {"email": "rph@example.org", "first_name": "Rui", "last_name": "Reis"},
        {"email": "md@example.org", "first_name": "Max", "last_name": "Moss"},
        {"email": "stranger@example.org", "first_name": "Sam", "last_name": "Stone"},
        {"email": "done@example.org", "first_name": "Dee", "last_name": "Done"},
    ]
    added = admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": roster})
    assert added.json["added"] == 5, added.json
    claim(claimant, activity, {"q1": "yes"}, credit_type="ANCC")
    return {"activity": activity, "end": today}


def test_each_attendee_without_a_claim_is_reminded_once_before_their_own_last_day(
    world: dict[str, Any], gateway: Any, outbox: Any
) -> None:
    end = world["end"]
    before = len(outbox())
    # the pharmacist's last day is end + 60 (ACPE), so 7 days before that: end + 53
    assert _run(gateway, end + timedelta(days=52))["queued"] == 0
    first = _run(gateway, end + timedelta(days=53))
    assert (first["queued"], first["processed"], first["failed"]) == (1, 1, 0)
    assert _to(_reminders(outbox, before)) == ["rph@example.org"]
    message = _reminders(outbox, before)[0]
    assert world["activity"]["title"] in message["subject"]
    assert "Sunday, July 13, 2031" in message["text"]  # end (May 14, 2031) + 60
    assert "http://127.0.0.1:3000/portal.html" in message["text"]

    # a repeated run, and the next day's: nothing again
    assert _run(gateway, end + timedelta(days=53))["queued"] == 0
    assert _run(gateway, end + timedelta(days=54))["queued"] == 0

    # the nurse and the attendee without an account (ANCC's 90 days) at end + 83
    assert _run(gateway, end + timedelta(days=82))["queued"] == 0
    second = _run(gateway, end + timedelta(days=83))
    assert second["queued"] == 2
    assert _to(_reminders(outbox, before)) == ["rn@example.org", "rph@example.org", "stranger@example.org"]
    # the claimant and the MD never; the window's end and after: nothing more
    for day in (84, 90, 91):
        assert _run(gateway, end + timedelta(days=day))["queued"] == 0
    assert len(_reminders(outbox, before)) == 3


def test_a_missed_day_is_made_up_but_never_after_the_window_closed(
    world: dict[str, Any], gateway: Any, outbox: Any
) -> None:
    end = world["end"]
    before = len(outbox())
    assert _run(gateway, end + timedelta(days=61))["queued"] == 0  # the pharmacist's window closed on day 60
    assert _run(gateway, end + timedelta(days=88))["queued"] == 2  # the others', missed from day 83
    assert _to(_reminders(outbox, before)) == ["rn@example.org", "stranger@example.org"]


def test_overlapping_runs_and_a_redelivered_message_remind_once(
    world: dict[str, Any], gateway: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run A reads who is due; before its first marker, run B (the same day) runs whole. A's
    conditional puts then fail for everyone B queued: one reminder each. Then the same message
    delivered again by SQS replays the worker's idempotency record: no second email."""
    import boto3

    from cme.credit import reminders
    from cme.platform.settings import get_settings

    day = world["end"] + timedelta(days=83)
    before = len(outbox())
    original = reminders._mark
    overlapped: list[int] = []

    def mark_after_an_overlapping_run(activity_id: str, recipient: Any) -> bool:
        if not overlapped:
            overlapped.append(-1)  # run B's own puts are not interrupted
            overlapped[0] = reminders.fan_out(day)  # run B, whole, inside run A
        return original(activity_id, recipient)

    monkeypatch.setattr(reminders, "_mark", mark_after_an_overlapping_run)
    result = _run(gateway, day)
    assert overlapped == [2] and result["queued"] == 0  # B queued both; A's puts found B's markers
    assert result["processed"] == 2
    monkeypatch.setattr(reminders, "_mark", original)
    assert _run(gateway, day)["queued"] == 0
    assert _to(_reminders(outbox, before)) == ["rn@example.org", "stranger@example.org"]

    # SQS delivers a sent message again (at-least-once): the worker replays, sends nothing
    settings = get_settings()
    sqs = boto3.client("sqs", region_name=settings.aws_region)
    url = sqs.get_queue_url(QueueName=settings.transcript_queue.rsplit("/", 1)[-1])["QueueUrl"]
    task = {
        "kind": "reminder",
        "activity_id": world["activity"]["activity_id"],
        "recipient": "email#stranger@example.org",
        "email": "stranger@example.org",
        "last_day": (world["end"] + timedelta(days=90)).isoformat(),
        "round": "scheduled",
    }
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(task))
    again = _run(gateway, day)
    assert (again["queued"], again["processed"]) == (0, 1)
    assert len(_reminders(outbox, before)) == 2


def test_a_queue_that_refuses_leaves_no_marker_so_the_next_run_reminds(
    world: dict[str, Any], gateway: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.credit import reminders

    day = world["end"] + timedelta(days=83)
    before = len(outbox())

    def refused(tasks: list[dict[str, Any]]) -> None:
        raise RuntimeError("SendMessageBatch refused")

    monkeypatch.setattr(reminders, "_queue", refused)
    with pytest.raises(RuntimeError):
        _run(gateway, day)
    monkeypatch.undo()
    assert _run(gateway, day)["queued"] == 2
    assert _to(_reminders(outbox, before)) == ["rn@example.org", "stranger@example.org"]


def test_a_send_now_the_queue_refused_can_be_pressed_again_at_once(
    world: dict[str, Any], admin: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.credit import reminders

    url = f"/api/admin/activities/{world['activity']['activity_id']}/reminders"

    def refused(tasks: list[dict[str, Any]]) -> None:
        raise RuntimeError("SendMessageBatch refused")

    monkeypatch.setattr(reminders, "_queue", refused)
    failed = admin.post(url, {})
    assert failed.status == 503 and failed.json["code"] == "EMAIL_UNAVAILABLE", failed.json
    monkeypatch.undo()
    again = admin.post(url, {})  # nothing went out: the lock was taken back
    assert again.status == 202 and again.json == {"queued": 3}, again.json


def test_the_unsubscribe_link_works_signed_out_repeatedly_and_stops_reminders(
    world: dict[str, Any], gateway: Any, outbox: Any, admin: ApiClient, new_client: Any
) -> None:
    day = world["end"] + timedelta(days=83)
    before = len(outbox())
    assert _run(gateway, day)["queued"] == 2
    stranger = next(m for m in _reminders(outbox, before) if m["to"] == ["stranger@example.org"])
    token = _token(stranger)
    signed_out = new_client()
    for _ in range(2):  # a second click is fine
        answer = signed_out.get(UNSUBSCRIBE, query=f"token={quote(token)}")
        assert answer.status == 200 and answer.json == {"unsubscribed": True}, answer.json
    for bad in ("x" * 43, "", "no-such-token"):
        refused = signed_out.get(UNSUBSCRIBE, query=f"token={quote(bad)}")
        assert refused.status == 400 and refused.json["code"] == "TOKEN_INVALID", refused.json
        assert refused.json["message"]
    too_long = signed_out.get(UNSUBSCRIBE, query=f"token={'x' * 300}")
    assert too_long.status in (400, 422) and too_long.json["code"] in ("TOKEN_INVALID", "VALIDATION_FAILED")

    # the office's send-now leaves out who unsubscribed; the nurse (still subscribed) gets one
    sent = admin.post(f"/api/admin/activities/{world['activity']['activity_id']}/reminders", {})
    assert sent.status == 202 and sent.json == {"queued": 2}, sent.json  # the nurse and the pharmacist
    from cme.platform.settings import get_settings
    from infra.local.scheduler import _drain

    settings = get_settings()
    _drain(gateway.invoke, settings.aws_region, settings.transcript_queue, 20)
    assert _to(_reminders(outbox, before)) == [
        "rn@example.org",
        "rn@example.org",
        "rph@example.org",
        "stranger@example.org",
    ]


def test_send_now_queues_for_attendees_without_a_claim_once_per_24_hours(
    world: dict[str, Any], admin: ApiClient, client: ApiClient, clock: Any, gateway: Any, outbox: Any
) -> None:
    from cme.platform.settings import get_settings
    from infra.local.scheduler import _drain

    url = f"/api/admin/activities/{world['activity']['activity_id']}/reminders"
    before = len(outbox())
    first = admin.post(url, {})
    assert first.status == 202 and first.json == {"queued": 3}, first.json
    settings = get_settings()
    _drain(gateway.invoke, settings.aws_region, settings.transcript_queue, 20)
    assert _to(_reminders(outbox, before)) == ["rn@example.org", "rph@example.org", "stranger@example.org"]

    again = admin.post(url, {})
    assert again.status == 429 and again.json["code"] == "TOO_MANY_REQUESTS", again.json
    assert 0 < int(again.header("Retry-After") or 0) <= 24 * 3600
    clock.move(timedelta(hours=23, minutes=59))
    assert admin.post(url, {}).status == 401  # the session ended (12 hours); signed in again:
    again_in = {"email": "coordinator@example.org", "password": DEMO_PASSWORD}
    assert admin.post("/api/auth/sign-in", again_in).status == 200
    assert admin.post(url, {}).json["code"] == "TOO_MANY_REQUESTS"  # 23 h 59 min after: still too soon
    clock.move(timedelta(minutes=2))
    assert admin.post(url, {}).status == 202

    assert admin.post("/api/admin/activities/no-such-activity/reminders", {}).status == 404
    # a learner: 403; signed out: 401
    from tests.integration.conftest import account

    assert client.post("/api/accounts", account(email="learner@example.org")).status == 201
    assert client.post(url, {}).json["code"] == "FORBIDDEN"


def test_send_now_is_race_safe(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Two coordinators press "Send reminders" at once: the second press runs whole between the
    first one's read of nothing and its lock's conditional put. One queues; the other gets 429."""
    from cme.credit import reminders
    from cme.platform.errors import TooManyRequests
    from cme.platform.models import Reminder

    activity_id = world["activity"]["activity_id"]
    original = Reminder.save
    outcomes: list[str] = []

    def save_after_the_other_press(item: Any, *args: Any, **kwargs: Any) -> Any:
        if item.recipient == reminders.SENT_NOW and not outcomes:
            outcomes.append("other press started")
            try:
                outcomes.append(f"queued {reminders.send_now(activity_id)}")
            except TooManyRequests:
                outcomes.append("429")
        return original(item, *args, **kwargs)

    monkeypatch.setattr(Reminder, "save", save_after_the_other_press)
    with pytest.raises(TooManyRequests):
        reminders.send_now(activity_id)
    assert outcomes == ["other press started", "queued 3"]


def test_a_window_shorter_than_the_reminder_days_is_reminded_halfway(
    admin: ApiClient, gateway: Any, outbox: Any
) -> None:
    """A 4-day window (shorter than ReminderDaysBeforeClose, 7): reminded 2 days in, once."""
    from tests.support.clock import office_date

    end = office_date()
    activity = create(admin, claim_window_days=4)
    rows = {"rows": [{"email": "brief@example.org", "first_name": "Bo", "last_name": "Brief"}]}
    assert admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", rows).json["added"] == 1
    before = len(outbox())
    assert _run(gateway, end + timedelta(days=1))["queued"] == 0
    assert _run(gateway, end + timedelta(days=2))["queued"] == 1
    assert _run(gateway, end + timedelta(days=3))["queued"] == 0
    assert _to(_reminders(outbox, before)) == ["brief@example.org"]


def test_an_enduring_material_is_reminded_before_its_end_date(admin: ApiClient, gateway: Any, outbox: Any) -> None:
    """An enduring material's window is its availability: reminded 7 days before its end date."""
    from tests.support.clock import office_date

    start = office_date()
    end = start + timedelta(days=60)
    activity = create(
        admin, format="enduring", start_date=start.isoformat(), end_date=end.isoformat(), claim_window_days=30
    )
    rows = {"rows": [{"email": "online@example.org", "first_name": "On", "last_name": "Line"}]}
    assert admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", rows).json["added"] == 1
    before = len(outbox())
    assert _run(gateway, end - timedelta(days=8))["queued"] == 0
    assert _run(gateway, end - timedelta(days=7))["queued"] == 1
    assert _run(gateway, end)["queued"] == 0
    message = _reminders(outbox, before)[0]
    assert message["to"] == ["online@example.org"] and f"{end:%B %-d, %Y}" in message["text"]
