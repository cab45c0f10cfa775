"""Password recovery, email verification and every email a learner uses, on moto."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import boto3
import pytest

from tests.integration.conftest import account, delivered
from tests.support.client import ApiClient

PASSWORD = "correct horse battery staple"
RESET_SENT = (
    "If an account uses that email, we have sent it a link to choose a new password. "
    "The link works once, within 1 hour. Check your spam folder if it does not arrive."
)


def token_in(message: dict[str, Any], page: str) -> str:
    found = re.search(rf"/{page}\?token=([A-Za-z0-9_-]+)", message["text"])
    assert found, message["text"]
    assert found.group(0) in message["html"]
    return found.group(1)


@pytest.fixture
def learner(client: ApiClient) -> ApiClient:
    assert client.post("/api/accounts", account()).status == 201
    return client


def confirm_primary(client: ApiClient, outbox: Any) -> None:
    """Confirm the newest link, in the account's own session: other emails come only after it
    (docs/api.md "An account made before its owner")."""
    token = token_in(outbox()[-1], "verify-email.html")
    assert client.post("/api/accounts/verify-email", {"token": token}).status == 200


@pytest.fixture
def confirmed(learner: ApiClient, outbox: Any) -> ApiClient:
    """The learner, its primary email confirmed."""
    confirm_primary(learner, outbox)
    return learner


def later(monkeypatch: pytest.MonkeyPatch, delta: timedelta) -> None:
    from cme.platform import clock

    real = clock.now
    monkeypatch.setattr(clock, "now", lambda: real() + delta)


# ---------------------------------------------------------------- password reset


def test_reset_answers_the_same_for_unknown_and_known_emails(learner: ApiClient, new_client: Any, outbox: Any) -> None:
    stranger = new_client()
    unknown = stranger.post("/api/auth/password-reset", {"email": "nobody@example.org"})
    known = stranger.post("/api/auth/password-reset", {"email": " Sean.OBriain@example.org"})
    assert unknown.status == known.status == 202
    assert unknown.json == known.json == {"message": RESET_SENT}
    sent = [m for m in delivered(outbox) if "password" in m["subject"].lower()]
    assert [m["to"] for m in sent] == [["sean.obriain@example.org"]]


def test_reset_link_works_exactly_once_and_ends_every_session(learner: ApiClient, new_client: Any, outbox: Any) -> None:
    laptop, phone = new_client(), new_client()
    for device in (laptop, phone):
        assert (
            device.post("/api/auth/sign-in", {"email": "sean.obriain@example.org", "password": PASSWORD}).status == 200
        )
    assert new_client().post("/api/auth/password-reset", {"email": "sean.obriain@example.org"}).status == 202
    token = token_in(outbox()[-1], "reset-password.html")

    done = new_client().post("/api/auth/password-reset/confirm", {"token": token, "password": "a brand new passphrase"})
    assert done.status == 204
    for device in (learner, laptop, phone):
        assert device.get("/api/me").status == 401
    again = new_client().post(
        "/api/auth/password-reset/confirm", {"token": token, "password": "another new passphrase"}
    )
    assert again.status == 400 and again.json["code"] == "TOKEN_INVALID"

    fresh = new_client()
    old = fresh.post("/api/auth/sign-in", {"email": "sean.obriain@example.org", "password": PASSWORD})
    assert old.status == 401 and old.json["code"] == "PASSWORD_MISMATCH"
    assert (
        fresh.post(
            "/api/auth/sign-in", {"email": "sean.obriain@example.org", "password": "a brand new passphrase"}
        ).status
        == 200
    )


def test_weak_password_does_not_spend_the_token(learner: ApiClient, new_client: Any, outbox: Any) -> None:
    new_client().post("/api/auth/password-reset", {"email": "sean.obriain@example.org"})
    token = token_in(outbox()[-1], "reset-password.html")
    weak = new_client().post("/api/auth/password-reset/confirm", {"token": token, "password": "password1"})
    assert weak.status == 422 and weak.json["code"] == "PASSWORD_TOO_WEAK"
    assert (
        new_client()
        .post("/api/auth/password-reset/confirm", {"token": token, "password": "a brand new passphrase"})
        .status
        == 204
    )


def test_reset_token_expires_after_an_hour(learner: ApiClient, new_client: Any, outbox: Any, monkeypatch: Any) -> None:
    new_client().post("/api/auth/password-reset", {"email": "sean.obriain@example.org"})
    token = token_in(outbox()[-1], "reset-password.html")
    later(monkeypatch, timedelta(minutes=61))
    expired = new_client().post(
        "/api/auth/password-reset/confirm", {"token": token, "password": "a brand new passphrase"}
    )
    assert expired.status == 400 and expired.json["code"] == "TOKEN_INVALID"


def test_tokens_have_one_purpose(learner: ApiClient, new_client: Any, outbox: Any) -> None:
    verify_token = token_in(outbox()[0], "verify-email.html")
    wrong = new_client().post(
        "/api/auth/password-reset/confirm", {"token": verify_token, "password": "a brand new passphrase"}
    )
    assert wrong.status == 400 and wrong.json["code"] == "TOKEN_INVALID"
    new_client().post("/api/auth/password-reset", {"email": "sean.obriain@example.org"})
    reset_token = token_in(outbox()[-1], "reset-password.html")
    assert learner.post("/api/accounts/verify-email", {"token": reset_token}).json["code"] == "TOKEN_INVALID"
    for junk in ("", "x" * 300, "not-a-token"):
        answer = learner.post("/api/accounts/verify-email", {"token": junk})
        assert answer.status in (400, 422) and answer.json["code"] in ("TOKEN_INVALID", "VALIDATION_FAILED")


def test_reset_is_throttled_per_email(learner: ApiClient, new_client: Any, outbox: Any) -> None:
    statuses = [
        new_client().post("/api/auth/password-reset", {"email": "sean.obriain@example.org"}).status for _ in range(6)
    ]
    assert statuses == [202] * 5 + [429]
    assert sum("password" in m["subject"].lower() for m in outbox()) == 5


def test_reset_when_ses_fails_leaves_nothing_behind(learner: ApiClient, new_client: Any) -> None:
    boto3.client("ses", region_name="us-east-1").delete_identity(Identity="cme-office@example.org")
    answer = new_client().post("/api/auth/password-reset", {"email": "sean.obriain@example.org"})
    assert answer.status == 503 and answer.json["code"] == "EMAIL_UNAVAILABLE" and answer.header("Retry-After")
    tokens = boto3.client("dynamodb", region_name="us-east-1").scan(TableName="TokensTable")["Items"]
    assert {t["purpose"]["S"] for t in tokens} == {"verify_email"}  # only the account's own verification


# ---------------------------------------------------------------- verification


def test_verify_email_once(learner: ApiClient, new_client: Any, outbox: Any) -> None:
    assert learner.get("/api/me").json["email_verified"] is False
    token = token_in(outbox()[0], "verify-email.html")
    other_browser = new_client()  # the link may be opened in any browser, signed in to the account
    signed_out = other_browser.post("/api/accounts/verify-email", {"token": token})
    assert signed_out.status == 401 and signed_out.json["code"] == "SIGN_IN_REQUIRED"
    assert learner.get("/api/me").json["email_verified"] is False
    assert (
        other_browser.post("/api/auth/sign-in", {"email": "sean.obriain@example.org", "password": PASSWORD}).status
        == 200
    )
    answer = other_browser.post("/api/accounts/verify-email", {"token": token})
    assert answer.status == 200
    assert (
        answer.json["learner"]["email_verified"] is True
        and answer.json["learner"]["email"] == "sean.obriain@example.org"
    )
    assert learner.get("/api/me").json["email_verified"] is True
    assert learner.get("/api/me/emails").json == {
        "emails": [{"email": "sean.obriain@example.org", "verified": True, "primary": True, "undeliverable": None}]
    }
    reuse = other_browser.post("/api/accounts/verify-email", {"token": token})
    assert reuse.status == 400 and reuse.json["code"] == "TOKEN_INVALID"


def test_verification_expires_after_a_day(learner: ApiClient, new_client: Any, outbox: Any, monkeypatch: Any) -> None:
    token = token_in(outbox()[0], "verify-email.html")
    later(monkeypatch, timedelta(hours=24, minutes=1))
    assert learner.get("/api/me").status == 401  # the 12-hour session ended too
    assert learner.post("/api/auth/sign-in", {"email": "sean.obriain@example.org", "password": PASSWORD}).status == 200
    assert learner.post("/api/accounts/verify-email", {"token": token}).json["code"] == "TOKEN_INVALID"
    assert learner.post("/api/accounts/verify-email/resend").status == 202
    assert learner.post("/api/me/emails/sean.obriain@example.org/resend").status == 202
    fresh = token_in(outbox()[-1], "verify-email.html")
    assert learner.post("/api/accounts/verify-email", {"token": fresh}).status == 200


def test_resend_needs_a_session(new_client: Any) -> None:
    answer = new_client().post("/api/accounts/verify-email/resend")
    assert answer.status == 401 and answer.json["code"] == "SIGN_IN_REQUIRED"


# ---------------------------------------------------------------- my emails


def test_add_verify_and_make_primary(confirmed: ApiClient, new_client: Any, outbox: Any) -> None:
    learner = confirmed
    added = learner.post("/api/me/emails", {"email": "S.OBriain@Hospital.org"})
    assert added.status == 201
    assert added.json == {
        "email": {"email": "s.obriain@hospital.org", "verified": False, "primary": False, "undeliverable": None}
    }
    assert outbox()[-1]["to"] == ["s.obriain@hospital.org"]
    again = learner.post("/api/me/emails", {"email": "s.obriain@hospital.org"})
    assert again.status == 200

    early = learner.post(f"/api/me/emails/{quote('s.obriain@hospital.org')}/primary")
    assert early.status == 422 and early.json["code"] == "EMAIL_NOT_VERIFIED"
    # an unverified secondary email is no way in
    assert (
        new_client().post("/api/auth/sign-in", {"email": "s.obriain@hospital.org", "password": PASSWORD}).status == 401
    )

    token = token_in(outbox()[-1], "verify-email.html")
    assert learner.post("/api/accounts/verify-email", {"token": token}).status == 200
    emails = learner.get("/api/me/emails").json["emails"]
    assert emails == [
        {"email": "sean.obriain@example.org", "verified": True, "primary": True, "undeliverable": None},
        {"email": "s.obriain@hospital.org", "verified": True, "primary": False, "undeliverable": None},
    ]
    assert (
        new_client().post("/api/auth/sign-in", {"email": "s.obriain@hospital.org", "password": PASSWORD}).status == 200
    )

    profile = learner.post("/api/me/emails/s.obriain@hospital.org/primary")
    assert profile.status == 200
    assert profile.json["email"] == "s.obriain@hospital.org" and profile.json["email_verified"] is True
    assert [e["primary"] for e in learner.get("/api/me/emails").json["emails"]] == [True, False]

    assert learner.call("DELETE", "/api/me/emails/sean.obriain@example.org").status == 204
    assert learner.get("/api/me/emails").json["emails"] == [
        {"email": "s.obriain@hospital.org", "verified": True, "primary": True, "undeliverable": None}
    ]
    primary = learner.call("DELETE", f"/api/me/emails/{quote('s.obriain@hospital.org')}")
    assert primary.status == 422 and primary.json["code"] == "PRIMARY_EMAIL"


def test_an_email_belongs_to_one_account(learner: ApiClient, new_client: Any, outbox: Any) -> None:
    other = new_client()
    assert other.post("/api/accounts", account(email="colleague@example.org", phone="602-555-0100")).status == 201
    confirm_primary(other, outbox)
    taken = other.post("/api/me/emails", {"email": "SEAN.OBRIAIN@example.org"})
    assert taken.status == 409 and taken.json["code"] == "EMAIL_TAKEN"
    assert other.call("DELETE", "/api/me/emails/sean.obriain@example.org").status == 404
    assert other.post("/api/me/emails/sean.obriain@example.org/primary").status == 404


def test_adding_an_email_when_ses_fails_leaves_nothing(confirmed: ApiClient) -> None:
    learner = confirmed
    boto3.client("ses", region_name="us-east-1").delete_identity(Identity="cme-office@example.org")
    answer = learner.post("/api/me/emails", {"email": "second@example.org"})
    assert answer.status == 503 and answer.json["code"] == "EMAIL_UNAVAILABLE"
    assert [e["email"] for e in learner.get("/api/me/emails").json["emails"]] == ["sean.obriain@example.org"]


def test_my_emails_need_a_session(new_client: Any) -> None:
    anonymous = new_client()
    assert anonymous.get("/api/me/emails").status == 401
    assert anonymous.post("/api/me/emails", {"email": "a@example.org"}).status == 401
    assert anonymous.call("DELETE", "/api/me/emails/a@example.org").status == 401


def test_ses_failure_is_logged_with_the_correlation_id(confirmed: ApiClient, caplog: Any) -> None:
    learner = confirmed
    from cme.platform.observability import logger

    boto3.client("ses", region_name="us-east-1").delete_identity(Identity="cme-office@example.org")
    learner.post("/api/me/emails", {"email": "second@example.org"})
    records = [r for r in caplog.records if r.getMessage() == "email not sent"]
    assert len(records) == 1
    line = json.loads(logger.registered_formatter.format(records[0]))
    assert line["level"] == "ERROR" and line["ses_error"] == "MessageRejected" and line["correlation_id"]
    assert "second@example.org" not in json.dumps(line)


def test_verify_names_the_email_it_confirmed(confirmed: ApiClient, new_client: Any, outbox: Any) -> None:
    learner = confirmed
    learner.post("/api/me/emails", {"email": "second@example.org"})
    answer = learner.post("/api/accounts/verify-email", {"token": token_in(outbox()[-1], "verify-email.html")})
    assert answer.status == 200 and answer.json["email"] == "second@example.org"
    assert answer.json["learner"]["email"] == "sean.obriain@example.org"


@pytest.mark.parametrize("path", ["/api/accounts/verify-email", "/api/auth/password-reset/confirm"])
def test_a_missing_token_is_token_invalid(learner: ApiClient, path: str) -> None:
    body = {"password": "a brand new passphrase"} if "confirm" in path else {}
    answer = learner.post(path, body)  # confirming an email needs a session; a reset does not
    assert answer.status == 400 and answer.json["code"] == "TOKEN_INVALID"
