"""Security sweeps: no learner reaches another's data; logs never hold secrets; faults in
DynamoDB give a clear 503 and leave nothing half-written."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.conftest import account
from tests.integration.test_claims import claim_body, verify_primary
from tests.integration.test_publisher import create
from tests.support.client import ApiClient

PASSWORD = "correct horse battery staple"


@pytest.fixture
def two_learners(admin: ApiClient, new_client: Any, outbox: Any) -> dict[str, Any]:
    activity = create(admin)
    people = {}
    for name, phone in (("alice", "480-555-0111"), ("mallory", "480-555-0122")):
        person = new_client()
        assert (
            person.post("/api/accounts", account(email=f"{name}@example.org", degree="MD", phone=phone)).status == 201
        )
        verify_primary(person, outbox, new_client)
        people[name] = person
    admin.post(
        f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": [{"email": "alice@example.org"}]}
    )
    claim = people["alice"].post("/api/me/claims", claim_body(activity)).json["claim"]
    people["alice"].post("/api/me/emails", {"email": "alice.work@example.org"})
    return {**people, "claim": claim, "activity": activity}


def test_every_per_learner_route_refuses_another_learners_ids(two_learners: dict[str, Any]) -> None:
    """Mallory replays Alice's ids on every route that takes one: nothing of Alice's leaks."""
    mallory, claim = two_learners["mallory"], two_learners["claim"]
    alice_secrets = ("alice@example.org", "alice.work@example.org", claim["claim_id"], claim["certificate_code"])
    probes = [
        ("GET", f"/api/me/claims/{claim['claim_id']}/certificate", None, 404),
        ("DELETE", "/api/me/emails/alice.work@example.org", None, 404),
        ("POST", "/api/me/emails/alice.work@example.org/primary", None, 404),
        ("POST", "/api/me/emails/alice.work@example.org/resend", None, 404),
        ("POST", "/api/me/emails", {"email": "alice@example.org"}, 409),
        ("POST", "/api/me/claims", claim_body(two_learners["activity"]), 422),  # Mallory did not attend
    ]
    for method, path, body, status in probes:
        answer = mallory.call(method, path, body)
        assert answer.status == status, (method, path, answer.json)
        text = answer.raw.decode()
        assert not any(secret in text for secret in alice_secrets[1:]), (method, path, text)
    for path in ("/api/me", "/api/me/emails", "/api/me/claims", "/api/me/activities"):
        text = mallory.get(path).raw.decode()
        assert not any(secret in text for secret in alice_secrets), path
    # and Alice still has all of it
    assert two_learners["alice"].get("/api/me/claims").json["claims"][0]["claim_id"] == claim["claim_id"]


def test_no_secret_or_full_phone_number_in_any_log_line(
    client: ApiClient, new_client: Any, outbox: Any, admin: ApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    from cme.platform.observability import logger

    caplog.set_level(logging.DEBUG)
    phone_digits = "4805550142"
    client.post("/api/accounts", account(email="logs@example.org", degree="MD"))
    verify_token = re.search(r"token=([A-Za-z0-9_-]+)", outbox()[-1]["text"]).group(1)
    assert client.post("/api/accounts/verify-email", {"token": verify_token}).status == 200
    client.post("/api/auth/sign-out")
    client.post("/api/auth/sign-in", {"email": "logs@example.org", "password": "wrong password!"})
    client.post("/api/auth/sign-in", {"email": "logs@example.org", "password": PASSWORD})
    session = client.cookies["cme_session"]
    client.post("/api/accounts/lookup", {"last_name": "Ó Briain", "phone": "(480) 555-0142"})
    client.put("/api/me", account(email="logs@example.org", degree="MD"))
    activity = create(admin)
    admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": [{"email": "logs@example.org"}]})
    claim = client.post("/api/me/claims", claim_body(activity)).json["claim"]
    client.get(f"/api/me/claims/{claim['claim_id']}/certificate")
    new_client().post("/api/auth/password-reset", {"email": "logs@example.org"})
    reset_token = re.search(r"token=([A-Za-z0-9_-]+)", outbox()[-1]["text"]).group(1)
    new_client().post("/api/auth/password-reset/confirm", {"token": reset_token, "password": "another fine passphrase"})

    lines = [logger.registered_formatter.format(record) for record in caplog.records]
    assert len(lines) > 10
    everything = "\n".join(lines)
    for secret in (PASSWORD, "another fine passphrase", "wrong password!", session, verify_token, reset_token):
        assert secret not in everything
    for line in lines:  # a full phone number in any form: +14805550142, (480) 555-0142, 480.555.0142
        assert phone_digits not in re.sub(r"\D", "", line).replace("14805550142", "4805550142"), line
    assert "$argon2" not in everything
    for line in lines:
        json.loads(line)  # structured, one JSON object a line


def test_dynamodb_throttling_gives_503_and_loses_no_claim(
    two_learners: dict[str, Any], admin: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.client import BaseClient

    other = create(admin, title="Throttled")
    admin.post(f"/api/admin/activities/{other['activity_id']}/attendance", {"rows": [{"email": "alice@example.org"}]})
    real = BaseClient._make_api_call

    def throttled(self: Any, operation: str, params: Any) -> Any:
        if operation == "TransactWriteItems":
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, operation
            )
        return real(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", throttled)
    answer = two_learners["alice"].post("/api/me/claims", claim_body(other))
    monkeypatch.setattr(BaseClient, "_make_api_call", real)
    assert answer.status == 503 and answer.json["code"] == "SERVICE_UNAVAILABLE" and answer.header("Retry-After")
    titles = [c["activity_title"] for c in two_learners["alice"].get("/api/me/claims").json["claims"]]
    assert "Throttled" not in titles  # nothing half-written
    retry = two_learners["alice"].post("/api/me/claims", claim_body(other))
    assert retry.status == 201  # and the learner's retry goes through
