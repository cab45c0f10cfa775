"""docs/api.md "Signing in", docs/api.md "Finding or creating the account" and GET/PUT /api/me, on moto."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest

from tests.integration.conftest import account
from tests.support.client import ApiClient

SIGN_IN_REQUIRED = {"code": "SIGN_IN_REQUIRED", "message": "You must sign in to your account"}
MISMATCH = "Email or Password do not match. Please try again."
UNRECOGNIZED = "Sorry, unrecognized email or password. Please click Create Account below to proceed."


def create(client: ApiClient, **overrides: Any) -> dict[str, Any]:
    answer = client.post("/api/accounts", account(**overrides))
    assert answer.status == 201, answer.json
    return answer.json["learner"]


def test_create_account_signs_in_and_sends_verification(client: ApiClient, outbox: Any) -> None:
    answer = client.post("/api/accounts", account(email="  Sean.OBriain@Example.ORG "))
    assert answer.status == 201
    learner = answer.json["learner"]
    assert learner["email"] == "sean.obriain@example.org"
    assert learner["email_verified"] is False
    assert learner["first_name"] == "Seán" and learner["last_name"] == "Ó Briain"
    assert learner["phone"] == "+14805550142"
    assert learner["role"] == "learner" and learner["transcript_frequency"] == "never"
    assert "password_hash" not in answer.raw.decode() and "argon2" not in answer.raw.decode()
    cookie = answer.set_cookies[0]
    assert cookie.startswith("cme_session=")
    for flag in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/"):
        assert flag in cookie
    assert client.get("/api/me").json == learner

    sent = outbox()
    assert len(sent) == 1
    assert sent[0]["to"] == ["sean.obriain@example.org"]
    assert re.search(r"/verify-email\.html\?token=[A-Za-z0-9_-]{40,}", sent[0]["text"])
    assert "Seán" in sent[0]["html"] and sent[0]["text"].strip()


def test_email_is_unique_whatever_its_case(client: ApiClient, new_client: Any, outbox: Any) -> None:
    create(client)
    token = re.search(r"token=([A-Za-z0-9_-]+)", outbox()[-1]["text"]).group(1)
    assert client.post("/api/accounts/verify-email", {"token": token}).status == 200  # confirmed: no longer a hold
    again = new_client().post("/api/accounts", account(email="SEAN.OBRIAIN@example.org"))
    assert again.status == 409
    assert again.json["code"] == "EMAIL_TAKEN"


def test_tokens_and_sessions_are_stored_hashed(client: ApiClient, outbox: Any) -> None:
    create(client)
    token = re.search(r"token=([A-Za-z0-9_-]+)", outbox()[0]["text"]).group(1)
    session = client.cookies["cme_session"]
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    dump = str(dynamodb.scan(TableName="TokensTable")) + str(dynamodb.scan(TableName="SessionsTable"))
    assert token not in dump and session not in dump
    learners = str(dynamodb.scan(TableName="LearnersTable"))
    assert "correct horse" not in learners and "$argon2id$" in learners


@pytest.mark.parametrize(
    ("phone", "found"),
    [("(480) 555-0142", True), ("+1 480-555-0142", True), ("480.555.0142", True), ("+1 480 555 0199", False)],
)
def test_lookup_by_last_name_and_phone(client: ApiClient, new_client: Any, phone: str, found: bool) -> None:
    create(client)
    answer = new_client().post("/api/accounts/lookup", {"last_name": "o'briain", "phone": phone})
    assert answer.status == 200
    assert answer.json == {"matches": [{"masked_email": "s***@example.org"}] if found else []}


def test_lookup_needs_the_last_name_too(client: ApiClient, new_client: Any) -> None:
    create(client)
    answer = new_client().post("/api/accounts/lookup", {"last_name": "Smith", "phone": "(480) 555-0142"})
    assert answer.json == {"matches": []}


def test_sign_in_messages_and_session(client: ApiClient, new_client: Any) -> None:
    create(client, email="zoe@example.org", first_name="Zoë", last_name="Łukasiewicz-Müller")
    browser = new_client()
    wrong = browser.post("/api/auth/sign-in", {"email": "zoe@example.org", "password": "not the password"})
    assert wrong.status == 401 and wrong.json == {"code": "PASSWORD_MISMATCH", "message": MISMATCH}
    unknown = browser.post("/api/auth/sign-in", {"email": "nobody@example.org", "password": "whatever123"})
    assert unknown.status == 401 and unknown.json == {"code": "UNRECOGNIZED_EMAIL", "message": UNRECOGNIZED}
    assert browser.get("/api/me").json == SIGN_IN_REQUIRED

    ok = browser.post("/api/auth/sign-in", {"email": " ZOE@example.org", "password": "correct horse battery staple"})
    assert ok.status == 200
    assert ok.json["learner"]["last_name"] == "Łukasiewicz-Müller"
    assert browser.get("/api/me").status == 200


def test_sign_out_revokes_the_session(client: ApiClient, new_client: Any) -> None:
    create(client)
    stolen = dict(client.cookies)
    out = client.post("/api/auth/sign-out")
    assert out.status == 204
    assert any("Max-Age=0" in c for c in out.set_cookies)
    replay = new_client()
    replay.cookies.update(stolen)
    answer = replay.get("/api/me")
    assert answer.status == 401 and answer.json == SIGN_IN_REQUIRED


def test_me_without_or_with_a_forged_session(client: ApiClient) -> None:
    assert client.get("/api/me").status == 401
    client.cookies["cme_session"] = "forged-token"
    answer = client.get("/api/me")
    assert answer.status == 401 and answer.json == SIGN_IN_REQUIRED
    assert client.put("/api/me", account()).status == 401


def test_update_profile(client: ApiClient) -> None:
    create(client)
    answer = client.put(
        "/api/me",
        {
            "first_name": "Seán",
            "last_name": "O'Brien",
            "degree": "NP",
            "phone": "+1 602 555 0100",
            "specialty": None,
            "npi": "1234567893",
            "transcript_frequency": "quarterly",
        },
    )
    assert answer.status == 200, answer.json
    body = answer.json
    assert (body["last_name"], body["degree"], body["phone"], body["npi"]) == (
        "O'Brien",
        "NP",
        "+16025550100",
        "1234567893",
    )
    assert body["specialty"] is None and body["transcript_frequency"] == "quarterly"
    assert client.get("/api/me").json == body
    found = client.post("/api/accounts/lookup", {"last_name": "obrien", "phone": "602-555-0100"})
    assert found.json == {"matches": [{"masked_email": "s***@example.org"}]}


def test_profile_email_changes_only_through_verification(client: ApiClient) -> None:
    create(client)
    same = client.put("/api/me", account(email="Sean.OBriain@example.org"))
    assert same.status == 200
    other = client.put("/api/me", account(email="someone.else@example.org"))
    assert other.status == 422 and other.json["code"] == "EMAIL_CHANGE_NEEDS_VERIFICATION"
    assert client.get("/api/me").json["email"] == "sean.obriain@example.org"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"password": "short"}, "PASSWORD_TOO_WEAK", "password"),
        ({"password": "password123"}, "PASSWORD_TOO_WEAK", "password"),
        ({"password": "obriain12"}, "PASSWORD_TOO_WEAK", "password"),
        ({"phone": "12"}, "VALIDATION_FAILED", "phone"),
        ({"phone": "555-0000-not"}, "PHONE_INVALID", "phone"),
        ({"email": "not-an-email"}, "EMAIL_INVALID", "email"),
        ({"npi": "1234567890"}, "NPI_INVALID", "npi"),
        ({"degree": "Wizard"}, "VALIDATION_FAILED", "degree"),
        ({"first_name": ""}, "VALIDATION_FAILED", "first_name"),
        ({"last_name": "x" * 101}, "VALIDATION_FAILED", "last_name"),
        ({"last_name": "---"}, "NAME_INVALID", "last_name"),
    ],
)
def test_create_account_refuses_bad_fields(client: ApiClient, overrides: dict[str, Any], code: str, field: str) -> None:
    answer = client.post("/api/accounts", account(**overrides))
    assert answer.status == 422, answer.json
    assert answer.json["code"] == code
    assert answer.json["message"]
    assert field in {d["field"] for d in answer.json["details"]}
    assert "cme_session" not in client.cookies


def test_long_passphrase_is_welcome(client: ApiClient) -> None:
    create(client, password="a long passphrase about the grand rounds on tuesday mornings " * 3)


def test_account_is_not_half_written_when_ses_fails(client: ApiClient, outbox: Any) -> None:
    ses = boto3.client("ses", region_name="us-east-1")
    ses.delete_identity(Identity="cme-office@example.org")  # the sender is no longer verified
    answer = client.post("/api/accounts", account())
    assert answer.status == 503
    assert answer.json["code"] == "EMAIL_UNAVAILABLE" and answer.header("Retry-After")
    assert "cme_session" not in client.cookies
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    for table in ("LearnersTable", "EmailsTable", "TokensTable", "SessionsTable"):
        assert dynamodb.scan(TableName=table)["Count"] == 0, table
    ses.verify_email_identity(EmailAddress="cme-office@example.org")
    assert client.post("/api/accounts", account()).status == 201  # the email is free again


def test_every_bad_field_is_reported_at_once(client: ApiClient) -> None:
    answer = client.post("/api/accounts", account(email="nope", password="password", npi="1234567890", phone="12345"))
    assert answer.status == 422
    assert {d["field"] for d in answer.json["details"]} == {"email", "password", "npi", "phone"}
    assert answer.json["code"] == "EMAIL_INVALID"


def test_validation_messages_are_for_people(client: ApiClient) -> None:
    answer = client.post("/api/accounts", {"email": "a@b.org", "first_name": "", "degree": "Wizard"})
    assert answer.status == 422
    assert answer.json["message"].startswith("Please check: ")
    assert "first name" in answer.json["message"]
    messages = {d["field"]: d["message"] for d in answer.json["details"]}
    assert messages["first_name"] == "This field is required."
    assert messages["password"] == "This field is required."
    assert messages["degree"].startswith("Choose one of: ")
