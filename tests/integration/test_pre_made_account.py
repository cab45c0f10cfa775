"""Issue 22, finding 1 (docs/api.md "An account made before its owner"): an account set up with
someone else's email keeps no door for whoever set it up. The whole attack, through the API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_claims import claim_body
from tests.integration.test_email_trust import (
    MALLORY_PASSWORD,
    PASSWORD,
    door_made_before_this_deploy,
    newest_to,
    sign_in,
    token_in,
)
from tests.integration.test_publisher import create as create_activity
from tests.support.client import ApiClient

MAKER_OWN = "maker@example.org"
MAKER_IP = "192.0.2.80"
WRONG_TRIES = 10  # failed sign-ins per email and untrusted client per 15 minutes (tests/integration/test_lockout.py)


def reset_through(new_client: Any, outbox: Any, email: str, password: str) -> int:
    """Ask for a reset link at ``email`` and use it (when one came); the confirm's status, or 0."""
    before = len([m for m in outbox() if email in m["to"]])
    assert new_client().post("/api/auth/password-reset", {"email": email}).status == 202
    sent = [m for m in outbox() if email in m["to"]]
    if len(sent) == before:
        return 0
    token = token_in(sent[-1], "reset-password.html")
    return new_client().post("/api/auth/password-reset/confirm", {"token": token, "password": password}).status


@pytest.fixture
def director(monkeypatch: pytest.MonkeyPatch, aws: None) -> str:
    from cme.platform.settings import reset_settings

    monkeypatch.setenv("ADMIN_EMAILS", "director@hospital.org")
    reset_settings()
    return "director@hospital.org"


@pytest.mark.parametrize("victim_kind", ["learner", "coordinator"])
def test_the_maker_of_an_account_keeps_no_door_once_its_owner_moves_in(
    victim_kind: str, request: pytest.FixtureRequest, admin: ApiClient, new_client: Any, outbox: Any
) -> None:
    from cme.platform.models import AuditRecord

    victim = request.getfixturevalue("director") if victim_kind == "coordinator" else "victim@hospital.org"
    activity = create_activity(admin)
    rows = {"rows": [{"email": victim, "first_name": "Vic", "last_name": "Tim"}]}
    assert admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", rows).status == 200

    # 1. the maker creates the account with the victim's email (and his own phone); his own
    #    address cannot be added, nor his phone confirmed, while the primary is unconfirmed
    maker = new_client(MAKER_IP)
    made = maker.post(
        "/api/accounts",
        {
            "email": victim,
            "password": MALLORY_PASSWORD,
            "first_name": "Vic",
            "last_name": "Tim",
            "degree": "MD",
            "phone": "(480) 555-0199",
        },
    )
    assert made.status == 201
    added = maker.post("/api/me/emails", {"email": MAKER_OWN})
    assert added.status == 409 and added.json["code"] == "PRIMARY_UNCONFIRMED", added.json
    assert not [m for m in outbox() if MAKER_OWN in m["to"]]
    # ... an account made before this deploy may hold his confirmed address all the same
    door_made_before_this_deploy(made.json["learner"]["learner_id"], MAKER_OWN)
    assert sign_in(maker, victim, MALLORY_PASSWORD).status == 200  # this browser: a known device of the email
    assert "cme_device" in maker.cookies

    # 2. the victim is told the email has an account, resets through it and moves in
    victim_browser = new_client()
    told = sign_in(victim_browser, victim, "not the password")
    assert told.status == 401 and told.json["code"] == "PASSWORD_MISMATCH"
    assert reset_through(new_client, outbox, victim, PASSWORD) == 204
    signed = sign_in(victim_browser, victim)
    assert signed.status == 200
    assert signed.json["learner"]["role"] == ("admin" if victim_kind == "coordinator" else "learner")
    assert signed.json["learner"]["email_verified"] is True
    claimed = victim_browser.post("/api/me/claims", claim_body(activity))
    assert claimed.status == 201, claimed.json

    # 3. the maker's session is over, and his own address is no way back in
    assert maker.get("/api/me").status == 401
    assert reset_through(new_client, outbox, MAKER_OWN, "the maker is back again") == 0  # no link sent
    for password in (MALLORY_PASSWORD, "the maker is back again"):
        for email in (MAKER_OWN, victim):
            attempt = sign_in(new_client(), email, password)
            assert attempt.status == 401, (email, attempt.json)
    # ... nor is his browser a known device of the email any more: its failures count as a stranger's
    assert [sign_in(maker, victim, "guess").status for _ in range(WRONG_TRIES)] == [401] * WRONG_TRIES
    assert sign_in(new_client(MAKER_IP), victim, "guess").status == 429

    # 4. what the maker set up is gone, audited, and My Portal says so once
    assert victim_browser.get("/api/me/emails").json["emails"] == [
        {"email": victim, "verified": True, "primary": True, "undeliverable": None}
    ]
    me = victim_browser.get("/api/me").json
    assert me["phone"] == ""
    assert [notice["code"] for notice in me["notices"]] == ["owner_moved_in"]
    assert victim_browser.call("DELETE", "/api/me/notices").status == 204
    assert victim_browser.get("/api/me").json["notices"] == []
    (record,) = [r for r in AuditRecord.query(f"learner#{me['learner_id']}") if r.action == "owner_moved_in"]
    assert record.detail["emails_removed"] == [MAKER_OWN]
    assert record.detail["phone_removed"] is True and record.detail["sessions_ended"] >= 1


def test_a_typo_in_the_primary_email_can_be_replaced_until_it_is_confirmed(
    client: ApiClient, new_client: Any, outbox: Any
) -> None:
    made = client.post(
        "/api/accounts",
        {
            "email": "sean.obriain@exmaple.org",
            "password": PASSWORD,
            "first_name": "Seán",
            "last_name": "Ó Briain",
            "degree": "RN",
            "phone": "(480) 555-0142",
        },
    )
    assert made.status == 201
    replaced = client.put("/api/me/email", {"email": "sean.obriain@example.org"})
    assert replaced.status == 200, replaced.json
    assert replaced.json["email"] == {
        "email": "sean.obriain@example.org",
        "verified": False,
        "primary": True,
        "undeliverable": None,
    }
    assert [e["email"] for e in client.get("/api/me/emails").json["emails"]] == ["sean.obriain@example.org"]
    assert sign_in(new_client(), "sean.obriain@exmaple.org").status == 401  # the typo left the account
    old_link = token_in(newest_to(outbox, "sean.obriain@exmaple.org"), "verify-email.html")
    assert client.post("/api/accounts/verify-email", {"token": old_link}).status == 400
    link = token_in(newest_to(outbox, "sean.obriain@example.org"), "verify-email.html")
    assert client.post("/api/accounts/verify-email", {"token": link}).status == 200

    # once confirmed, the primary changes only through My emails
    again = client.put("/api/me/email", {"email": "sean@hospital.org"})
    assert again.status == 422 and again.json["code"] == "EMAIL_CHANGE_NEEDS_VERIFICATION"
    assert client.post("/api/me/emails", {"email": "sean@hospital.org"}).status == 201


def test_an_email_added_before_the_primary_was_confirmed_cannot_be_confirmed(client: ApiClient, outbox: Any) -> None:
    """An account made before this deploy with a pending secondary address: its link is refused."""
    from cme.identity import emails
    from cme.platform import clock
    from cme.platform.models import EmailOwner

    made = client.post(
        "/api/accounts",
        {
            "email": "victim@hospital.org",
            "password": MALLORY_PASSWORD,
            "first_name": "Vic",
            "last_name": "Tim",
            "degree": "MD",
            "phone": "(480) 555-0199",
        },
    )
    learner_id = made.json["learner"]["learner_id"]
    EmailOwner(MAKER_OWN, learner_id=learner_id, verified=False, primary=False, added_at=clock.now()).save()
    raw, token = emails.new_verification(learner_id, MAKER_OWN)
    token.save()
    refused = client.post("/api/accounts/verify-email", {"token": raw})
    assert refused.status == 409 and refused.json["code"] == "PRIMARY_UNCONFIRMED"
    assert {"email": MAKER_OWN, "verified": False, "primary": False, "undeliverable": None} in client.get(
        "/api/me/emails"
    ).json["emails"]
