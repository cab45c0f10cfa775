"""SES's bounce and complaint events (SES event publishing to SNS, "Contents of event data that
Amazon SES publishes to Amazon SNS"): which make an address undeliverable (cme.identity.deliverability)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cme.identity.deliverability import Feedback, parse
from cme.platform.schemas import UndeliverableReason

MAIL = {
    "timestamp": "2026-03-02T14:00:00.000Z",
    "source": "cme-office@example.org",
    "messageId": "0100017c-example",
    "destination": ["ann.lee@example.org"],
    "tags": {"ses:configuration-set": ["cme-mail"]},
}


def bounce(bounce_type: str = "Permanent", **more: Any) -> str:
    return json.dumps(
        {
            "eventType": "Bounce",
            "bounce": {
                "bounceType": bounce_type,
                "bounceSubType": "General",
                "bouncedRecipients": [
                    {"emailAddress": "Ann.Lee@example.org", "action": "failed", "status": "5.1.1"},
                    {"emailAddress": "bo@example.org", "action": "failed", "status": "5.1.1"},
                ],
                "timestamp": "2026-03-02T14:00:05.120Z",
                "feedbackId": "0100017c-feedback",
                **more,
            },
            "mail": MAIL,
        }
    )


def complaint(**more: Any) -> str:
    return json.dumps(
        {
            "eventType": "Complaint",
            "complaint": {
                "complainedRecipients": [{"emailAddress": "ann.lee@example.org"}],
                "timestamp": "2026-03-03T09:30:00.000Z",
                "feedbackId": "0100017c-complaint",
                **more,
            },
            "mail": MAIL,
        }
    )


def test_a_permanent_bounce_makes_every_bounced_recipient_undeliverable() -> None:
    assert parse(bounce()) == Feedback(
        UndeliverableReason.BOUNCE,
        datetime(2026, 3, 2, 14, 0, 5, 120000, tzinfo=UTC),
        ("Ann.Lee@example.org", "bo@example.org"),
    )


def test_a_complaint_makes_the_complainant_undeliverable_unless_they_said_not_spam() -> None:
    assert parse(complaint(complaintFeedbackType="abuse")) == Feedback(
        UndeliverableReason.COMPLAINT, datetime(2026, 3, 3, 9, 30, tzinfo=UTC), ("ann.lee@example.org",)
    )
    assert parse(complaint()) is not None  # most complaints carry no feedback type
    assert parse(complaint(complaintFeedbackType="not-spam")) is None


def test_transient_and_undetermined_bounces_mark_nothing() -> None:
    assert parse(bounce("Transient")) is None  # a full mailbox, a server down: SES tried again
    assert parse(bounce("Undetermined")) is None


def test_ses_notifications_are_read_as_well_as_event_publishing() -> None:
    event = json.loads(bounce())
    event["notificationType"] = event.pop("eventType")
    assert parse(json.dumps(event)) == parse(bounce())


def test_the_report_time_falls_back_to_the_mail_and_is_never_made_up() -> None:
    event = json.loads(complaint())
    del event["complaint"]["timestamp"]
    found = parse(json.dumps(event))
    assert found is not None and found.at == datetime(2026, 3, 2, 14, tzinfo=UTC)
    del event["mail"]["timestamp"]
    assert parse(json.dumps(event)) is None


def test_other_events_and_other_messages_mark_nothing() -> None:
    delivery = {"eventType": "Delivery", "mail": MAIL, "delivery": {"recipients": ["ann.lee@example.org"]}}
    no_one = json.loads(bounce())
    no_one["bounce"]["bouncedRecipients"] = []
    for message in (json.dumps(delivery), json.dumps(no_one), "not json", "[]", '{"eventType": "Bounce"}', ""):
        assert parse(message) is None, message
