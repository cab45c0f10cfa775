"""Bounces and complaints (cme.identity.deliverability): SES's events, published to the mail feedback
topic, run MailFeedbackFunction through the local gateway (its calls are recorded for the IAM
check); a marked address gets no more mail, its learner sees it on My emails, coordinators on
the attendance list, and a resend tries it again.

Report times are fixed moments in 2026 and the clock is pinned where the order of a report and
a resend matters: nothing here reads the wall clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local import aws_calls
from infra.local.aws_calls import table_arn
from infra.local.gateway import Gateway
from tests.integration.conftest import account
from tests.integration.test_claims import verify_primary, world  # noqa: F401 - fixtures

TOPIC = "MailFeedbackTopic"
FUNCTION = "MailFeedbackFunction"
REPORTED = datetime(2026, 3, 2, 14, 0, 5, tzinfo=UTC)


def ses_event(kind: str, email: str, at: datetime = REPORTED, bounce_type: str = "Permanent") -> str:
    """SES event publishing's JSON for a bounce or a complaint of one email to ``email``."""
    stamp = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    mail = {"timestamp": stamp, "source": "cme-office@example.org", "messageId": "m-1", "destination": [email]}
    if kind == "bounce":
        detail = {"bounceType": bounce_type, "bouncedRecipients": [{"emailAddress": email}], "timestamp": stamp}
        return json.dumps({"eventType": "Bounce", "bounce": detail, "mail": mail})
    detail = {"complainedRecipients": [{"emailAddress": email}], "timestamp": stamp}
    return json.dumps({"eventType": "Complaint", "complaint": detail, "mail": mail})


@pytest.fixture
def report(aws: None, gateway: Gateway) -> Any:
    """Publish one SES event to the feedback topic; how many addresses its function marked."""

    def publish(kind: str, email: str, at: datetime = REPORTED, bounce_type: str = "Permanent") -> int:
        (result,) = gateway.publish(TOPIC, ses_event(kind, email, at, bounce_type))
        return int(sum(result["marked"]))

    return publish


def mark_of(email: str) -> tuple[str | None, datetime | None]:
    from cme.platform.models import EmailOwner

    owner = EmailOwner.get(email, consistent_read=True)
    return owner.undeliverable_reason, owner.undeliverable_at


def my_email(client: Any, email: str) -> dict[str, Any]:
    reply = client.get("/api/me/emails")
    assert reply.status == 200, reply.json
    (entry,) = [e for e in reply.json["emails"] if e["email"] == email]
    return entry


def test_a_permanent_bounce_marks_the_address_and_its_learner_sees_it(
    world: dict[str, Any],  # noqa: F811
    report: Any,
) -> None:
    assert report("bounce", "MD@example.org") == 1  # addresses are matched as normalized
    assert my_email(world["md"], "md@example.org")["undeliverable"] == {
        "reason": "bounce",
        "at": "2026-03-02T14:00:05+00:00",
    }
    assert my_email(world["rn"], "rn@example.org")["undeliverable"] is None


def test_a_complaint_marks_and_a_transient_bounce_does_not(world: dict[str, Any], report: Any) -> None:  # noqa: F811
    assert report("bounce", "rn@example.org", bounce_type="Transient") == 0
    assert mark_of("rn@example.org") == (None, None)
    assert report("complaint", "rn@example.org") == 1
    assert mark_of("rn@example.org") == ("complaint", REPORTED)
    assert my_email(world["rn"], "rn@example.org")["undeliverable"]["reason"] == "complaint"


def test_an_address_on_no_account_is_ignored_and_a_repeated_or_older_report_changes_nothing(
    world: dict[str, Any],  # noqa: F811
    report: Any,
) -> None:
    from cme.platform.models import EmailOwner

    assert report("bounce", "stranger@example.org") == 0
    with pytest.raises(EmailOwner.DoesNotExist):
        EmailOwner.get("stranger@example.org", consistent_read=True)  # not created by the update
    later = REPORTED + timedelta(hours=1)
    assert report("complaint", "md@example.org", later) == 1
    assert report("complaint", "md@example.org", later) == 1  # SNS delivered it twice: same state
    assert mark_of("md@example.org") == ("complaint", later)
    assert report("bounce", "md@example.org", REPORTED) == 0  # a late delivery of an older report
    assert mark_of("md@example.org") == ("complaint", later)


def test_no_reset_link_goes_to_a_marked_address(world: dict[str, Any], report: Any, outbox: Any) -> None:  # noqa: F811
    before = len(outbox())
    report("bounce", "md@example.org")
    refused = world["md"].post("/api/auth/password-reset", {"email": "md@example.org"})
    assert refused.status == 409
    assert refused.json["code"] == "EMAIL_UNDELIVERABLE"
    assert "cannot be delivered" in refused.json["message"] and "Send it again" in refused.json["message"]
    assert world["rn"].post("/api/auth/password-reset", {"email": "rn@example.org"}).status == 202
    assert [m["to"] for m in outbox()[before:]] == [["rn@example.org"]]


def test_the_attendance_list_shows_the_mark_from_the_owners_it_already_reads(
    world: dict[str, Any],  # noqa: F811
    report: Any,
    admin: Any,
) -> None:
    report("complaint", "rn@example.org")
    recorder = aws_calls.recorder()
    assert recorder is not None
    with recorder.capture() as calls:
        reply = admin.get(f"/api/admin/activities/{world['activity']['activity_id']}/attendance")
    assert reply.status == 200, reply.json
    rows = {row["email"]: row["undeliverable"] for row in reply.json["rows"]}
    assert rows == {
        "md@example.org": None,
        "rn@example.org": {"reason": "complaint", "at": "2026-03-02T14:00:05+00:00"},
    }
    emails_reads = [c.action for c in calls if c.resource == table_arn("EmailsTable")]
    assert emails_reads == ["dynamodb:BatchGetItem"]  # one read of the page's owners, as before


def test_a_resend_tries_a_verified_address_again_and_clears_the_mark(
    world: dict[str, Any],  # noqa: F811
    report: Any,
    outbox: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cme.platform import clock

    resent_at = REPORTED + timedelta(days=1)
    monkeypatch.setattr(clock, "now", lambda: resent_at)
    report("bounce", "md@example.org")
    before = len(outbox())
    reply = world["md"].post("/api/me/emails/md%40example.org/resend")
    assert reply.status == 202, reply.json
    assert reply.json == {"email": "md@example.org", "verified": True, "primary": True, "undeliverable": None}
    (sent,) = outbox()[before:]
    assert sent["to"] == ["md@example.org"] and "works again" in sent["subject"]
    assert my_email(world["md"], "md@example.org")["undeliverable"] is None
    # reports of mail sent before the resend do not mark it again; a later one does
    assert report("bounce", "md@example.org", resent_at - timedelta(minutes=1)) == 0
    assert mark_of("md@example.org") == (None, None)
    assert report("bounce", "md@example.org", resent_at + timedelta(minutes=5)) == 1
    # an address with no mark that is confirmed: nothing to send, as before
    before = len(outbox())
    assert world["rn"].post("/api/me/emails/rn%40example.org/resend").json["undeliverable"] is None
    assert len(outbox()) == before


def test_a_resend_to_an_unconfirmed_marked_address_sends_its_link_and_clears_the_mark(
    new_client: Any,
    report: Any,
    outbox: Any,
) -> None:
    client = new_client()
    assert client.post("/api/accounts", account(email="typo@example.org")).status == 201
    report("bounce", "typo@example.org")
    assert client.get("/api/me/emails").json["emails"][0]["undeliverable"]["reason"] == "bounce"
    before = len(outbox())
    reply = client.post("/api/accounts/verify-email/resend")
    assert reply.status == 202 and reply.json["undeliverable"] is None
    (sent,) = outbox()[before:]
    assert sent["to"] == ["typo@example.org"] and "token=" in sent["text"]
    assert mark_of("typo@example.org") == (None, None)


def test_the_scheduled_transcript_skips_a_marked_address_as_handled(
    new_client: Any,
    report: Any,
    outbox: Any,
    gateway: Gateway,
) -> None:
    from cme.platform.models import EmailOwner, Learner
    from cme.platform.settings import get_settings
    from infra.local.scheduler import dead_letters, run_transcript_mailer

    client = new_client()
    email = "noinbox@example.org"
    assert client.post("/api/accounts", account(email=email, degree="MD", phone="602-555-0178")).status == 201
    me = client.get("/api/me").json
    kept = {name: me[name] for name in ("first_name", "last_name", "degree")}
    assert client.put("/api/me", account(email=email, transcript_frequency="monthly", **kept)).status == 200
    learner_id = EmailOwner.get(email).learner_id
    Learner.get(learner_id).update(actions=[Learner.transcript_due.set("2027-02-01")])
    report("bounce", email)
    before = len(outbox())
    settings = get_settings()
    run = run_transcript_mailer(
        gateway.invoke, settings.aws_region, settings.transcript_queue, today=datetime(2027, 2, 1).date()
    )
    assert (run["learners"], run["processed"], run["failed"]) == (1, 1, 0)  # handled, not failed
    assert outbox()[before:] == []
    assert dead_letters(settings.aws_region, "TranscriptDeadLetterQueue") == []
    assert Learner.get(learner_id).transcript_due == "2027-03-01"  # the period is done with


def test_every_email_goes_with_the_configuration_set(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """SES refuses a send naming a set it does not have, and the local stack refuses it too
    (infra.local.moto_fixes): the setting reaches SES. Called outside any function, so the
    refused request is not recorded for the IAM check."""
    from cme.platform import mail
    from cme.platform.aws import reset_clients
    from cme.platform.errors import ServiceUnavailable
    from cme.platform.settings import reset_settings

    mail.send("ann.lee@example.org", "mail_check", {"email": "ann.lee@example.org", "link": "http://x/portal.html"})
    monkeypatch.setenv("MAIL_CONFIGURATION_SET", "NoSuchSet")
    reset_settings()
    reset_clients()
    with pytest.raises(ServiceUnavailable):
        mail.send("ann.lee@example.org", "mail_check", {"email": "ann.lee@example.org", "link": "http://x/portal.html"})
