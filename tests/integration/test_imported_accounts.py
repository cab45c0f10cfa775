"""Imported accounts (issue 25, docs/api.md "Imports"; docs/domain.md "Imported history"): a
learner the office's import created has no password and an email nobody confirmed, which is the
office's word, not a hold. Sign-in fails as a wrong password; Create Account answers as for any
account; Forgot Password's reset (or the office's invitation, through the paced mail queue)
sets the password and confirms the email, and the learner sees their imported history.

The imported learner is written straight to the tables as the import's worker writes one
(cme.credit.imports)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from infra.local.faults import FaultInjector
from tests.integration.conftest import account, delivered
from tests.integration.test_email_trust import newest_to, sign_in, token_in
from tests.support.client import ApiClient
from tests.support.faults import inject_faults

__all__ = ["inject_faults"]  # the fixture, used by name below

SOURCE = "CloudCME"
EMAIL = "imported.nurse@hospital.org"
SECOND = "nurse.home@example.net"  # a second email of hers the office imported
PASSWORD = "lanterns over the quiet harbour"
IMPORTED_TITLE = "Sepsis update 2019"


def imported_learner(learner_id: str = "imported-0001", email: str = EMAIL, phone: str | None = "+14805550177") -> str:
    """A learner as the import creates one: no password, the email unconfirmed but imported, the
    search entry; a claim of hers with source "imported"."""
    from cme.identity import learner_search, passwords
    from cme.platform import clock
    from cme.platform.models import Claim, EmailOwner, Learner
    from cme.platform.normalize import name_key

    now = clock.now()
    learner = Learner(
        learner_id,
        email=email,
        first_name="Ines",
        last_name="Imported",
        last_name_key=name_key("Imported"),
        degree="RN",
        phone_e164=phone,
        email_verified=False,
        verified_emails=set(),
        password_hash=passwords.UNSET,
        imported_from=SOURCE,
        created_at=now,
        updated_at=now,
    )
    learner.save()
    learner_search.entry_of(learner).save()
    EmailOwner(email, learner_id=learner_id, verified=False, primary=True, added_at=now, imported_from=SOURCE).save()
    Claim(
        learner_id,
        "imported-activity-1",
        claim_id="imported-claim-1",
        activity_title=IMPORTED_TITLE,
        activity_start="2019-03-04",
        activity_end="2019-03-04",
        completed_on="2019-03-04",
        credit_type="ANCC",
        credits=1.5,
        attested=True,
        claimed_at=now,
        certificate_code="CLOUDCME20190451",
        learner_name="Ines Imported",
        degree="RN",
        email=email,
        source="imported",
        source_name=SOURCE,
    ).save()
    return learner_id


def second_imported_email(learner_id: str, email: str = SECOND) -> None:
    from cme.platform import clock
    from cme.platform.models import EmailOwner

    EmailOwner(
        email, learner_id=learner_id, verified=False, primary=False, added_at=clock.now(), imported_from=SOURCE
    ).save()


def reset(new_client: Any, outbox: Any, email: str = EMAIL, password: str = PASSWORD) -> Any:
    asked = new_client().post("/api/auth/password-reset", {"email": email})
    assert asked.status == 202, asked.json
    token = token_in(newest_to(outbox, email), "reset-password.html")
    return new_client().post("/api/auth/password-reset/confirm", {"token": token, "password": password})


def test_signing_in_to_an_imported_account_fails_as_a_wrong_password(aws: None, client: ApiClient) -> None:
    from cme.identity import passwords

    second_imported_email(imported_learner())
    spent: list[str] = []
    real = passwords.burn_verification_time

    def burning(password: str) -> None:
        spent.append(password)
        real(password)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "burn_verification_time", burning)
        for attempt in ("", "!unset", PASSWORD):
            answer = sign_in(client, EMAIL, attempt or "x")
            assert answer.status == 401, answer.json
            assert answer.json == {
                "code": "PASSWORD_MISMATCH",
                "message": "Email or Password do not match. Please try again.",
            }
        # the office's second email is the account's too: a wrong password, not an unknown email
        second = sign_in(client, SECOND, PASSWORD)
        assert second.status == 401 and second.json["code"] == "PASSWORD_MISMATCH", second.json
    # each failure spent what verifying a real hash spends (a wrong password's timing path)
    assert spent == ["x", "!unset", PASSWORD, PASSWORD]


def test_an_imported_email_is_not_a_hold(
    aws: None, clock: Any, client: ApiClient, new_client: Any, outbox: Any, admin: ApiClient
) -> None:
    from cme.identity import emails
    from cme.platform.models import EmailOwner, Learner

    learner_id = imported_learner()
    # the office finds the learner by it (a hold would name nobody)
    found = admin.get("/api/admin/learners", query=f"q={EMAIL}")
    assert found.status == 200, found.json
    assert [row["learner_id"] for row in found.json["learners"]] == [learner_id]

    clock.move(timedelta(days=30))  # far past any hold's 24 hours
    owner = EmailOwner.get(EMAIL)
    assert not emails.lapsed(owner)

    # Create Account with it answers as for any existing account, and takes nothing over
    made = client.post("/api/accounts", account(email=EMAIL.upper()))
    assert made.status == 409, made.json
    assert made.json["code"] == "EMAIL_TAKEN"
    assert made.json["message"] == "An account already uses this email. Sign in, or use Forgot Password."
    assert "cme_session" not in (made.header("Set-Cookie") or "")
    assert EmailOwner.get(EMAIL).learner_id == learner_id
    assert Learner.get(learner_id).imported_from == SOURCE

    # another account cannot add it either, lapsed or not
    other = new_client()
    assert other.post("/api/accounts", account(email="someone.else@example.org")).status == 201
    confirm = token_in(newest_to(outbox, "someone.else@example.org"), "verify-email.html")
    assert other.post("/api/accounts/verify-email", {"token": confirm}).status == 200
    added = other.post("/api/me/emails", {"email": EMAIL})
    assert added.status == 409 and added.json["code"] == "EMAIL_TAKEN", added.json
    assert EmailOwner.get(EMAIL).learner_id == learner_id


def test_forgot_password_confirms_the_email_and_the_learner_sees_their_history(
    aws: None, new_client: Any, outbox: Any
) -> None:
    from cme.platform.models import AuditRecord, EmailOwner, Learner

    learner_id = imported_learner()
    second_imported_email(learner_id)
    from cme.platform import clock

    EmailOwner(  # an unconfirmed address someone else's doing: dropped when the owner moves in
        "not.hers@example.org", learner_id=learner_id, verified=False, primary=False, added_at=clock.now()
    ).save()

    assert reset(new_client, outbox).status == 204
    learner = Learner.get(learner_id)
    assert learner.email_verified and EMAIL in learner.verified_emails
    assert learner.password_hash.startswith("$argon2id$")
    assert learner.phone_e164 == "+14805550177"  # the office's, kept
    assert not learner.notices  # no "we removed what its maker set up": the office made it
    owner = EmailOwner.get(EMAIL)
    assert owner.verified and owner.verified_at is not None
    # the office's second email survives the reset; the stranger's hold does not
    assert EmailOwner.get(SECOND).learner_id == learner_id
    with pytest.raises(EmailOwner.DoesNotExist):
        EmailOwner.get("not.hers@example.org")
    moved = [r for r in AuditRecord.query(f"learner#{learner_id}") if r.action == "owner_moved_in"]
    assert [r.detail["emails_removed"] for r in moved] == [["not.hers@example.org"]]
    assert moved[0].detail["phone_removed"] is False

    # the office's second email signs in too (the office's word, as a confirmed one)
    assert sign_in(new_client(), SECOND, PASSWORD).status == 200
    browser = new_client()
    signed = sign_in(browser, EMAIL, PASSWORD)
    assert signed.status == 200, signed.json
    assert signed.json["learner"]["email_verified"] is True
    claims = browser.get("/api/me/claims")
    assert claims.status == 200, claims.json
    assert [(c["activity_title"], c["certificate_code"]) for c in claims.json["claims"]] == [
        (IMPORTED_TITLE, "CLOUDCME20190451")
    ]
    transcript = browser.get("/api/me/transcript", query="format=json&from=2019-01-01&to=2019-12-31")
    assert transcript.status == 200, transcript.json
    assert [(r["title"], r["credit_type"], r["credits"]) for r in transcript.json["rows"]] == [
        (IMPORTED_TITLE, "ANCC", 1.5)
    ]
    emails_now = browser.get("/api/me/emails")
    assert sorted(e["email"] for e in emails_now.json["emails"]) == [EMAIL, SECOND]


def test_a_reset_through_the_second_imported_email_confirms_it(aws: None, new_client: Any, outbox: Any) -> None:
    from cme.platform.models import EmailOwner, Learner

    learner_id = imported_learner()
    second_imported_email(learner_id)
    assert reset(new_client, outbox, email=SECOND).status == 204
    assert EmailOwner.get(SECOND).verified
    assert SECOND in Learner.get(learner_id).verified_emails
    assert sign_in(new_client(), EMAIL, PASSWORD).status == 200  # the primary signs in


def _drain(gateway: Any) -> tuple[int, int, int]:
    from cme.platform.settings import get_settings
    from infra.local.scheduler import _drain

    settings = get_settings()
    return _drain(gateway.invoke, settings.aws_region, settings.transcript_queue, 20)


def _invitations(outbox: Any) -> list[dict[str, Any]]:
    return [m for m in delivered(outbox) if "choose your password" in m["subject"]]


def test_the_invitation_sets_the_password_once(
    aws: None, clock: Any, gateway: Any, new_client: Any, outbox: Any
) -> None:
    from cme.identity import invitations
    from cme.platform.models import EmailOwner, Learner

    learner_id = imported_learner()
    other = imported_learner("imported-0002", "second.import@hospital.org", phone=None)
    assert invitations.queue([learner_id, other, learner_id, "no-such-learner"], "import-1", SOURCE) == 2
    assert invitations.queue([learner_id, other], "import-1", SOURCE) == 0  # a repeat queues nobody
    assert _drain(gateway) == (2, 0, 0)
    sent = _invitations(outbox)
    assert sorted(m["to"][0] for m in sent) == [EMAIL, "second.import@hospital.org"]
    mine = next(m for m in sent if m["to"] == [EMAIL])
    assert SOURCE in mine["text"] and "14 days" in mine["text"]
    assert "/reset-password.html?token=" in mine["text"] and "&welcome=1" in mine["text"]
    token = token_in(mine, "reset-password.html")

    # the page checks the link first, then sets the password with it
    assert new_client().post("/api/auth/password-reset/check", {"token": token}).status == 200
    browser = new_client()
    assert browser.post("/api/auth/password-reset/confirm", {"token": token, "password": PASSWORD}).status == 204
    learner = Learner.get(learner_id)
    assert learner.email_verified and EMAIL in learner.verified_emails and EmailOwner.get(EMAIL).verified
    assert sign_in(browser, EMAIL, PASSWORD).status == 200

    # used twice: refused
    again = new_client().post("/api/auth/password-reset/confirm", {"token": token, "password": PASSWORD + " too"})
    assert again.status == 400 and again.json["code"] == "TOKEN_INVALID", again.json

    # a learner with a password is invited no more, by this import or another
    assert invitations.queue([learner_id], "import-2", SOURCE) == 0


def test_an_invitation_expires_after_14_days(aws: None, clock: Any, gateway: Any, new_client: Any, outbox: Any) -> None:
    from cme.identity import invitations

    learner_id = imported_learner()
    assert invitations.queue([learner_id], "import-1", SOURCE) == 1
    _drain(gateway)
    token = token_in(_invitations(outbox)[-1], "reset-password.html")
    clock.move(timedelta(days=13, hours=23))
    assert new_client().post("/api/auth/password-reset/check", {"token": token}).status == 200
    clock.move(timedelta(hours=1, seconds=1))
    for route, body in (("check", {"token": token}), ("confirm", {"token": token, "password": PASSWORD})):
        answer = new_client().post(f"/api/auth/password-reset/{route}", body)
        assert answer.status == 400 and answer.json["code"] == "TOKEN_INVALID", answer.json
    assert sign_in(new_client(), EMAIL, PASSWORD).status == 401


def test_a_redelivered_invitation_sends_no_second_email(aws: None, gateway: Any, outbox: Any) -> None:
    """The same message delivered twice (SQS is at least once): one email."""
    import json

    import boto3

    from cme.identity import invitations
    from cme.platform.settings import get_settings

    learner_id = imported_learner()
    assert invitations.queue([learner_id], "import-1", SOURCE) == 1
    settings = get_settings()
    sqs = boto3.client("sqs", region_name=settings.aws_region)
    url = sqs.get_queue_url(QueueName=settings.transcript_queue.rsplit("/", 1)[-1])["QueueUrl"]
    task = {"kind": "invite", "import_id": "import-1", "learner_id": learner_id, "source_name": SOURCE}
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(task))  # the same message again
    assert _drain(gateway) == (2, 0, 0)
    assert [m["to"] for m in _invitations(outbox)] == [[EMAIL]]


def test_a_refused_queue_leaves_the_learner_to_invite_again(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from cme.identity import invitations
    from cme.platform import queues
    from cme.platform.errors import ServiceUnavailable

    learner_id = imported_learner()

    def refused(queue: str, bodies: list[dict[str, Any]]) -> None:
        raise queues.Refused("1 of 1 messages not queued")

    with monkeypatch.context() as patch:
        patch.setattr(queues, "send_batch", refused)
        with pytest.raises(ServiceUnavailable) as raised:
            invitations.queue([learner_id], "import-1", SOURCE)
    assert raised.value.code == "EMAIL_UNAVAILABLE"
    assert invitations.queue([learner_id], "import-1", SOURCE) == 1


def test_invitations_under_throttling_reach_each_learner_once(
    aws: None, gateway: Any, outbox: Any, inject_faults: Callable[..., FaultInjector]
) -> None:
    """DynamoDB throttled (the markers, the learners, the tokens, the idempotency records) and
    SES throttled: every learner still gets one invitation, and a repeated Invite queues nobody."""
    from cme.identity import invitations

    learners = [imported_learner(f"imported-{n:04d}", f"nurse{n}@hospital.org", phone=None) for n in range(12)]
    faults = inject_faults(throttle=0.3, ses_throttle=0.3, seed=11)
    assert invitations.queue(learners, "import-1", SOURCE) == 12
    assert invitations.queue(learners, "import-1", SOURCE) == 0
    processed, _failed, dead = _drain(gateway)
    assert (processed, dead) == (12, 0)
    counts = faults.counts()
    assert counts["ses_throttles"] > 0 and counts["throttles"] > 0, counts
    assert sorted(m["to"][0] for m in _invitations(outbox)) == sorted(f"nurse{n}@hospital.org" for n in range(12))


def test_an_invitation_ses_refuses_leaves_no_token_and_is_sent_on_the_next_receive(
    aws: None, gateway: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SES refuses the first send: the token made for it is deleted (nobody holds that link), the
    message goes back to the queue, and the next receive sends one invitation with one live token."""
    from cme.identity import invitations
    from cme.platform import mail
    from cme.platform.models import Token

    learner_id = imported_learner()
    assert invitations.queue([learner_id], "import-1", SOURCE) == 1
    real_send = mail.send
    refusals = []

    def refusing(*args: Any, **kwargs: Any) -> Any:
        if not refusals:
            refusals.append(args[0])
            raise RuntimeError("SES refused the message")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(mail, "send", refusing)
    processed, failed, _ = _drain(gateway)
    assert refusals == [EMAIL] and failed == 1 and processed == 1  # failed once, then sent
    assert [m["to"] for m in _invitations(outbox)] == [[EMAIL]]
    live = [t for t in Token.scan() if t.purpose == "invite" and t.learner_id == learner_id]
    assert len(live) == 1  # the refused send's token is gone; the sent one's stands
    assert token_in(_invitations(outbox)[0], "reset-password.html")
