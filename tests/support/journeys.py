"""The set-up the browser tests share: a learner signs up (through the API, email confirmed from
the local outbox), is put on an activity's roster, claims, and signs in in the browser.

One place for these steps, so a change to sign-up, attendance or claims is made here once.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.support.http import StackClient

COORDINATOR = "admin@example.org"


def unique_email(prefix: str) -> str:
    """A fresh address for one test's learner (e2e-<prefix>-<12 hex>@example.org)."""
    return f"e2e-{prefix}-{uuid.uuid4().hex[:12]}@example.org"


def unique_phone() -> str:
    return f"(480) 555-{uuid.uuid4().int % 9000 + 1000}"


def sign_up(base_url: str, email: str, password: str, *, confirm: bool = True, **profile: Any) -> StackClient:
    """POST /api/accounts for an MD (profile overrides the names, degree, phone...), then, with
    confirm, the email confirmed by the link the outbox holds. Returns the client: signed in by
    sign-up, the confirmation made in its own session."""
    client = StackClient(base_url)
    body = {
        "email": email,
        "password": password,
        "first_name": "Imani",
        "last_name": "Okafor",
        "degree": "MD",
        "phone": unique_phone(),
        **profile,
    }
    status, answer = client.call("POST", "/api/accounts", body)
    assert status == 201, answer
    if confirm:
        token = parse_qs(urlparse(client.latest_link(email, "verify-email.html")).query)["token"][0]
        status, answer = client.call("POST", "/api/accounts/verify-email", {"token": token})  # in its own session
        assert status == 200 and answer["learner"]["email_verified"], answer
    return client


def coordinator(base_url: str, password: str) -> StackClient:
    """The seed's coordinator, signed in."""
    admin = StackClient(base_url)
    admin.sign_in(COORDINATOR, password)
    return admin


def publish_activity(admin: StackClient, day: str, **fields: Any) -> str:
    """A published one-day activity (1 AMA PRA Category 1 credit, a 30-day claim window, no
    evaluation) made by the coordinator on ``day``; ``fields`` replace any of its values.
    Returns its id."""
    activity = {
        "title": f"E2E activity {uuid.uuid4().hex[:6]}",
        "description": "An activity the browser tests make.",
        "format": "rss",
        "start_date": day,
        "end_date": day,
        "location": "Room 2",
        "credits": [{"type": "AMA_PRA_1", "max": 1.0}],
        "claim_window_days": 30,
        "evaluation": [],
        "published": True,
        **fields,
    }
    status, created = admin.call("POST", "/api/admin/activities", activity)
    assert status == 201, created
    return str(created["activity"]["activity_id"])


def attend(admin: StackClient, activity_id: str, email: str) -> None:
    """Put one learner on an activity's roster (the coordinator's add-one)."""
    status, report = admin.call("POST", f"/api/admin/activities/{activity_id}/attendance", {"rows": [{"email": email}]})
    assert status == 200 and report["added"] == 1, report


def claim(learner: StackClient, activity_id: str, credit_type: str, credits: float, **fields: Any) -> dict[str, Any]:
    """POST /api/me/claims with the attestation and no evaluation answers; returns the claim."""
    body: dict[str, Any] = {
        "activity_id": activity_id,
        "credit_type": credit_type,
        "credits": credits,
        "evaluation": {},
        "attestation": True,
        **fields,
    }
    status, answer = learner.call("POST", "/api/me/claims", body)
    assert status == 201, answer
    return answer


def sign_in(page: Any, email: str, password: str, *, lands: bool = True) -> None:
    """Sign in on the page; with lands, it must arrive on My Portal."""
    page.goto("/sign-in.html")
    page.get_by_role("textbox", name="Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign In", exact=True).click()
    if lands:
        expect(page).to_have_url(re.compile(r"/portal\.html$"))
