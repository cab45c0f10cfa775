"""Issue 12, parts 1, 2 and 4 (docs/api.md "Email confirmation needs the account that asked for it"):
a colleague's email cannot be confirmed into another account, an unconfirmed email is only a
hold that its real owner can take back, and a password reset spends every older reset link."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest

from tests.integration.conftest import account, delivered
from tests.integration.test_claims import claim_body
from tests.integration.test_publisher import create as create_activity
from tests.support.client import ApiClient
from tests.support.faults import inject_faults

PASSWORD = "correct horse battery staple"
MALLORY_PASSWORD = "mallory keeps other peoples credit"
VICTIM = "victim@hospital.org"
__all__ = ["inject_faults"]  # the fixture, used by name below

UNRECOGNIZED = "Sorry, unrecognized email or password. Please click Create Account below to proceed."


def token_in(message: dict[str, Any], page: str) -> str:
    found = re.search(rf"/{page}\?token=([A-Za-z0-9_-]+)", message["text"])
    assert found, message["text"]
    return found.group(1)


def newest_to(outbox: Any, to: str) -> dict[str, Any]:
    sent = [m for m in outbox() if to in m["to"]]
    assert sent, f"nothing was sent to {to}"
    return sent[-1]


def sign_in(client: ApiClient, email: str, password: str = PASSWORD) -> Any:
    return client.post("/api/auth/sign-in", {"email": email, "password": password})


def new_account(client: ApiClient, email: str, **overrides: Any) -> dict[str, Any]:
    answer = client.post("/api/accounts", account(email=email, **overrides))
    assert answer.status == 201, answer.json
    return answer.json["learner"]


def confirm_newest(client: ApiClient, outbox: Any, email: str) -> None:
    """Confirm the newest link sent to ``email``, in ``client``'s session (the account that asked)."""
    answer = client.post(
        "/api/accounts/verify-email", {"token": token_in(newest_to(outbox, email), "verify-email.html")}
    )
    assert answer.status == 200, answer.json


def door_made_before_this_deploy(learner_id: str, email: str) -> None:
    """What the portal let the maker do before issue 22: his own address added and confirmed
    (POST /api/me/emails, then its link in his session), written as those two calls did."""
    from cme.platform import clock
    from cme.platform.models import EmailOwner, Learner

    now = clock.now()
    EmailOwner(email, learner_id=learner_id, verified=True, primary=False, added_at=now, verified_at=now).save()
    Learner(learner_id).update(actions=[Learner.verified_emails.add({email})])


def later(monkeypatch: pytest.MonkeyPatch, delta: timedelta) -> None:
    from cme.platform import clock

    real = clock.now
    monkeypatch.setattr(clock, "now", lambda: real() + delta)


@pytest.fixture
def mallory(new_client: Any) -> ApiClient:
    """The attacker: an account of her own, confirmed."""
    return new_client()


def attacker_asks_for(path: str, mallory: ApiClient, outbox: Any, email: str = VICTIM) -> None:
    """Mallory asks for the victim's address: by adding it, or by creating an account with it."""
    if path == "added":
        new_account(
            mallory, "mallory@example.org", first_name="Mallory", last_name="Attacker", password=MALLORY_PASSWORD
        )
        confirm_newest(mallory, outbox, "mallory@example.org")
        added = mallory.post("/api/me/emails", {"email": email})
        assert added.status == 201, added.json
    else:
        new_account(mallory, email, first_name="Mallory", last_name="Attacker", password=MALLORY_PASSWORD)


# ---------------------------------------------------------------- 1. confirming needs the asking account


@pytest.mark.parametrize("path", ["added", "created"])
def test_a_colleague_clicking_the_link_gives_the_asker_nothing(
    path: str, mallory: ApiClient, new_client: Any, admin: ApiClient, outbox: Any
) -> None:
    activity = create_activity(admin)
    rows = {"rows": [{"email": VICTIM, "first_name": "Vic", "last_name": "Tim"}]}
    assert admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", rows).status == 200
    attacker_asks_for(path, mallory, outbox)

    message = newest_to(outbox, VICTIM)
    token = token_in(message, "verify-email.html")

    # the victim clicks, signed out: nothing confirmed, nothing of Mallory's shown
    victim_browser = new_client()
    signed_out = victim_browser.post("/api/accounts/verify-email", {"token": token})
    assert signed_out.status == 401 and signed_out.json["code"] == "SIGN_IN_REQUIRED"
    assert "Mallory" not in signed_out.raw.decode() and "learner" not in signed_out.json

    # ... or signed in to their own account: another account's link, refused and not spent
    new_account(victim_browser, "vic.personal@example.org", first_name="Vic", last_name="Tim", phone="602-555-0101")
    elsewhere = victim_browser.post("/api/accounts/verify-email", {"token": token})
    assert elsewhere.status == 400 and elsewhere.json["code"] == "TOKEN_INVALID"
    assert "Mallory" not in elsewhere.raw.decode() and "learner" not in elsewhere.json
    again = victim_browser.post("/api/accounts/verify-email", {"token": token})
    assert again.status == 400 and "another account" in again.json["message"]

    # the email said which account the address would join, and to ignore it if not yours
    masked = "m***@example.org" if path == "added" else "v***@hospital.org"
    for part in (message["text"], message["html"]):
        assert "Mallory Attacker" in part and masked in part
        assert "If that is not your account, ignore this email" in part

    # Mallory has a session but not the victim's mailbox: the address stays unconfirmed, so
    # no attendance, no claim, and no way in with it
    if path == "created":
        assert mallory.get("/api/me").json["email_verified"] is False
    assert {"email": VICTIM, "verified": False, "primary": path == "created", "undeliverable": None} in mallory.get(
        "/api/me/emails"
    ).json["emails"]
    assert mallory.get("/api/me/activities").json["activities"] == []
    refused = mallory.post("/api/me/claims", claim_body(activity))
    assert refused.status == 422 and refused.json["code"] == "NOT_ATTENDED"
    if path == "added":
        in_with_it = sign_in(new_client(), VICTIM, MALLORY_PASSWORD)
        assert in_with_it.status == 401 and in_with_it.json["code"] == "UNRECOGNIZED_EMAIL"


def test_a_link_opened_in_another_accounts_session_still_works_in_its_own(
    client: ApiClient, new_client: Any, outbox: Any
) -> None:
    new_account(client, "sean.obriain@example.org")
    confirm_newest(client, outbox, "sean.obriain@example.org")
    client.post("/api/me/emails", {"email": "sean@hospital.org"})
    token = token_in(newest_to(outbox, "sean@hospital.org"), "verify-email.html")
    shared_computer = new_client()
    new_account(shared_computer, "colleague@example.org", phone="602-555-0102")
    assert shared_computer.post("/api/accounts/verify-email", {"token": token}).status == 400
    answer = client.post("/api/accounts/verify-email", {"token": token})
    assert answer.status == 200 and answer.json["email"] == "sean@hospital.org"
    assert answer.json["learner"]["email"] == "sean.obriain@example.org"  # the profile, to its own account only


@pytest.fixture
def director(monkeypatch: pytest.MonkeyPatch, aws: None) -> str:
    from cme.platform.settings import reset_settings

    monkeypatch.setenv("ADMIN_EMAILS", "director@hospital.org")
    reset_settings()
    return "director@hospital.org"


@pytest.mark.parametrize("path", ["added", "created"])
def test_the_directors_email_in_another_account_grants_nothing(
    path: str, director: str, mallory: ApiClient, new_client: Any, outbox: Any
) -> None:
    attacker_asks_for(path, mallory, outbox, director)
    token = token_in(newest_to(outbox, director), "verify-email.html")
    assert new_client().post("/api/accounts/verify-email", {"token": token}).status == 401  # the director clicks
    signed = sign_in(new_client(), director, MALLORY_PASSWORD)
    if path == "added":  # a secondary email that is not confirmed is no way in
        assert signed.status == 401 and signed.json["code"] == "UNRECOGNIZED_EMAIL"
    else:  # Mallory's own (unconfirmed) primary: in, but as a learner
        assert signed.status == 200 and signed.json["learner"]["role"] == "learner"
    if path == "added":
        assert sign_in(new_client(), "mallory@example.org", MALLORY_PASSWORD).json["learner"]["role"] == "learner"
    assert mallory.get("/api/admin/activities").status == 403


def test_an_admin_email_counts_only_as_the_confirmed_primary(director: str, client: ApiClient, outbox: Any) -> None:
    new_account(client, "pat@example.org")
    confirm_newest(client, outbox, "pat@example.org")
    client.post("/api/me/emails", {"email": director})
    confirm_newest(client, outbox, director)  # confirmed, but not the primary email
    for email in (director, "pat@example.org"):
        signed = sign_in(client, email)
        assert signed.status == 200 and signed.json["learner"]["role"] == "learner", email
    assert client.get("/api/admin/activities").status == 403

    assert client.post(f"/api/me/emails/{quote(director)}/primary").status == 200
    signed = sign_in(client, director)
    assert signed.json["learner"]["role"] == "admin"
    assert client.get("/api/admin/activities").status == 200


# ---------------------------------------------------------------- 2. an unconfirmed email is only a hold


def test_create_account_wins_over_an_account_made_with_my_email(
    mallory: ApiClient, new_client: Any, outbox: Any
) -> None:
    attacker_asks_for("created", mallory, outbox)
    mallory_link = token_in(newest_to(outbox, VICTIM), "verify-email.html")
    other_device = new_client()
    assert sign_in(other_device, VICTIM, MALLORY_PASSWORD).status == 200

    victim = new_client()
    created = victim.post("/api/accounts", account(email=VICTIM, first_name="Vic", last_name="Tim"))
    assert created.status == 201, created.json
    assert created.json["learner"]["email"] == VICTIM

    # Mallory's account had only that address, never confirmed: it is closed, sessions and all
    for device in (mallory, other_device):
        assert device.get("/api/me").status == 401
    wrong = sign_in(new_client(), VICTIM, MALLORY_PASSWORD)
    assert wrong.status == 401 and wrong.json["code"] == "PASSWORD_MISMATCH"  # the victim's account now
    assert victim.post("/api/accounts/verify-email", {"token": mallory_link}).status == 400  # not this account's link
    confirm_newest(victim, outbox, VICTIM)
    assert victim.get("/api/me").json["email_verified"] is True
    assert sign_in(new_client(), VICTIM, PASSWORD).status == 200


def test_create_account_wins_over_an_address_someone_added(mallory: ApiClient, new_client: Any, outbox: Any) -> None:
    attacker_asks_for("added", mallory, outbox)
    mallory_link = token_in(newest_to(outbox, VICTIM), "verify-email.html")
    sent_before = len(delivered(outbox))

    victim = new_client()
    unknown = sign_in(victim, VICTIM)
    assert unknown.status == 401 and unknown.json == {"code": "UNRECOGNIZED_EMAIL", "message": UNRECOGNIZED}
    assert victim.post("/api/auth/password-reset", {"email": VICTIM}).status == 202
    assert len(delivered(outbox)) == sent_before  # a hold gets no reset link

    assert victim.post("/api/accounts", account(email=VICTIM)).status == 201
    # Mallory's account goes on without it; her link for it is dead even in her own session
    assert [e["email"] for e in mallory.get("/api/me/emails").json["emails"]] == ["mallory@example.org"]
    dead = mallory.post("/api/accounts/verify-email", {"token": mallory_link})
    assert dead.status == 400 and dead.json["code"] == "TOKEN_INVALID"
    assert mallory.get("/api/me").status == 200
    confirm_newest(victim, outbox, VICTIM)
    assert {"email": VICTIM, "verified": True, "primary": True, "undeliverable": None} in victim.get(
        "/api/me/emails"
    ).json["emails"]


def test_a_hold_on_the_primary_of_an_account_with_a_confirmed_email_moves_its_primary(
    client: ApiClient, new_client: Any, outbox: Any
) -> None:
    made = new_account(client, "typo@hospital.org")
    # an account made before issue 22, which let a second email be confirmed before the primary
    door_made_before_this_deploy(made["learner_id"], "sean.obriain@example.org")
    # the only confirmed email stays while the primary is unconfirmed
    last = client.call("DELETE", f"/api/me/emails/{quote('sean.obriain@example.org')}")
    assert last.status == 422 and last.json["code"] == "LAST_CONFIRMED_EMAIL"

    assert new_client().post("/api/accounts", account(email="typo@hospital.org", phone="602-555-0103")).status == 201
    me = client.get("/api/me").json
    assert (me["email"], me["email_verified"]) == ("sean.obriain@example.org", True)
    assert client.get("/api/me/emails").json["emails"] == [
        {"email": "sean.obriain@example.org", "verified": True, "primary": True, "undeliverable": None}
    ]
    assert sign_in(new_client(), "sean.obriain@example.org").status == 200


def test_a_hold_lapses_after_a_day(
    mallory: ApiClient, client: ApiClient, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    attacker_asks_for("added", mallory, outbox)
    new_account(client, "vic.personal@example.org")
    confirm_newest(client, outbox, "vic.personal@example.org")
    held = client.post("/api/me/emails", {"email": VICTIM})
    assert held.status == 409 and held.json["code"] == "EMAIL_TAKEN"

    later(monkeypatch, timedelta(hours=24, minutes=1))
    assert sign_in(client, "vic.personal@example.org").status == 200  # the session has lapsed too
    assert client.post("/api/me/emails", {"email": VICTIM}).status == 201
    confirm_newest(client, outbox, VICTIM)
    assert sign_in(mallory, "mallory@example.org", MALLORY_PASSWORD).status == 200
    assert [e["email"] for e in mallory.get("/api/me/emails").json["emails"]] == ["mallory@example.org"]


def test_reset_goes_to_a_confirmed_email_or_the_accounts_own_unconfirmed_primary(
    client: ApiClient, new_client: Any, outbox: Any
) -> None:
    new_account(client, "sean.obriain@example.org")
    client.post("/api/me/emails", {"email": "sean@hospital.org"})  # a hold: no reset link until confirmed
    stranger = new_client()
    for email in ("sean.obriain@example.org", "sean@hospital.org"):
        assert stranger.post("/api/auth/password-reset", {"email": email}).status == 202
    resets = [m for m in delivered(outbox) if "password" in m["subject"].lower()]
    assert [m["to"] for m in resets] == [["sean.obriain@example.org"]]

    # the unconfirmed primary's reset link: redeeming it proves the mailbox too
    token = token_in(resets[0], "reset-password.html")
    reset = stranger.post("/api/auth/password-reset/confirm", {"token": token, "password": "a new harbour song"})
    assert reset.status == 204
    signed = sign_in(new_client(), "sean.obriain@example.org", "a new harbour song")
    assert signed.status == 200 and signed.json["learner"]["email_verified"] is True


def test_two_create_accounts_racing_for_one_held_address_end_with_one_owner(
    mallory: ApiClient, new_client: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both read the hold before either writes; the EmailOwner item decides: one 201, one 409."""
    from cme.identity import emails
    from cme.platform.models import EmailOwner, Learner

    attacker_asks_for("created", mallory, outbox)
    first, second = new_client(), new_client()
    real_plan = emails.Takeover.plan.__func__  # type: ignore[attr-defined]
    answers: list[Any] = []

    raced: list[bool] = []

    def plan_then_race(cls: type, current: Any) -> Any:
        plan = real_plan(cls, current)
        if current is not None and not raced:  # the first request decided to take the hold over;
            # the second one, which saw the same hold, runs to the end first
            raced.append(True)
            answers.append(second.post("/api/accounts", account(email=VICTIM, phone="602-555-0104")))
        return plan

    monkeypatch.setattr(emails.Takeover, "plan", classmethod(plan_then_race))
    lost = first.post("/api/accounts", account(email=VICTIM, phone="602-555-0105"))
    won = answers[0]
    assert won.status == 201 and lost.status == 409 and lost.json["code"] == "EMAIL_TAKEN"
    owner = EmailOwner.get(VICTIM, consistent_read=True)
    assert owner.learner_id == won.json["learner"]["learner_id"]
    assert Learner.get(owner.learner_id).email == VICTIM
    assert first.get("/api/me").status == 401 and second.get("/api/me").status == 200


def test_taking_holds_over_survives_transaction_conflicts(new_client: Any, inject_faults: Callable[..., Any]) -> None:
    """Under AWS's TransactionConflict and throttling, every takeover lands once (cme.platform.retry)."""
    from cme.platform import retry
    from cme.platform.models import EmailOwner, Learner

    holders = []
    for n in range(6):
        holder = new_client()
        new_account(holder, f"held{n}@hospital.org", phone=f"602-555-01{10 + n}")
        holders.append(holder)
    inject_faults(conflict=0.5, throttle=0.1, seed=12)
    for n in range(6):
        owner = new_client()
        assert owner.post("/api/accounts", account(email=f"held{n}@hospital.org", phone="602-555-0120")).status == 201
        item = EmailOwner.get(f"held{n}@hospital.org", consistent_read=True)
        assert Learner.get(item.learner_id).email == f"held{n}@hospital.org"
        assert owner.get("/api/me").json["learner_id"] == item.learner_id
    assert retry.stats()["retries"] > 0
    for holder in holders:
        assert holder.get("/api/me").status == 401


# ---------------------------------------------------------------- 4. old links stop working


def test_a_reset_spends_every_older_reset_link(client: ApiClient, new_client: Any, outbox: Any) -> None:
    new_account(client, "sean.obriain@example.org")
    confirm_newest(client, outbox, "sean.obriain@example.org")
    stranger = new_client()
    links = []
    for _ in range(2):
        assert stranger.post("/api/auth/password-reset", {"email": "sean.obriain@example.org"}).status == 202
        links.append(token_in(outbox()[-1], "reset-password.html"))
    t1, t2 = links
    assert (
        stranger.post("/api/auth/password-reset/confirm", {"token": t2, "password": "second link wins"}).status == 204
    )
    old = stranger.post("/api/auth/password-reset/confirm", {"token": t1, "password": "first link after all"})
    assert old.status == 400 and old.json["code"] == "TOKEN_INVALID"
    assert sign_in(new_client(), "sean.obriain@example.org", "second link wins").status == 200
    # a link asked for after the reset works
    stranger.post("/api/auth/password-reset", {"email": "sean.obriain@example.org"})
    t3 = token_in(outbox()[-1], "reset-password.html")
    assert (
        stranger.post("/api/auth/password-reset/confirm", {"token": t3, "password": "third time lucky"}).status == 204
    )


def test_a_verification_link_counts_only_for_the_address_as_it_was_added(client: ApiClient, outbox: Any) -> None:
    new_account(client, "sean.obriain@example.org")
    confirm_newest(client, outbox, "sean.obriain@example.org")
    client.post("/api/me/emails", {"email": "sean@hospital.org"})
    first_link = token_in(newest_to(outbox, "sean@hospital.org"), "verify-email.html")
    assert client.call("DELETE", f"/api/me/emails/{quote('sean@hospital.org')}").status == 204
    removed = client.post("/api/accounts/verify-email", {"token": first_link})
    assert removed.status == 400 and removed.json["code"] == "TOKEN_INVALID"
    assert client.post("/api/me/emails", {"email": "sean@hospital.org"}).status == 201
    readded = client.post("/api/accounts/verify-email", {"token": first_link})
    assert readded.status == 400 and readded.json["code"] == "TOKEN_INVALID"
    confirm_newest(client, outbox, "sean@hospital.org")


def test_closing_is_logged_without_the_address(
    mallory: ApiClient, new_client: Any, outbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from cme.platform.observability import logger

    attacker_asks_for("created", mallory, outbox)
    assert new_client().post("/api/accounts", account(email=VICTIM)).status == 201
    records = [r for r in caplog.records if r.getMessage().startswith("account closed")]
    assert len(records) == 1
    line = json.loads(logger.registered_formatter.format(records[0]))
    assert line["learner_id"] and line["sessions_ended"] == 1 and VICTIM not in json.dumps(line)
