"""50 parallel claims by one learner for one activity, on the local stack: exactly one is stored;
every other answer is that same claim or 409 ALREADY_CLAIMED."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlparse

import pytest

from infra.local.seed import DEMO_PASSWORD
from tests.support.http import StackClient
from tests.support.stack_clock import office_today

pytestmark = pytest.mark.e2e


def test_fifty_parallel_claims_store_exactly_one(base_url: str) -> None:
    admin = StackClient(base_url)
    admin.sign_in("admin@example.org", DEMO_PASSWORD)
    today = office_today().isoformat()
    status, created = admin.call(
        "POST",
        "/api/admin/activities",
        {
            "title": f"Race test {uuid.uuid4().hex[:6]}",
            "format": "live",
            "start_date": today,
            "end_date": today,
            "credits": [{"type": "AMA_PRA_1", "max": 2.0}],
            "claim_window_days": 7,
            "published": True,
        },
    )
    assert status == 201, created
    activity_id = created["activity"]["activity_id"]

    email = f"racer-{uuid.uuid4().hex[:8]}@example.org"
    learner = StackClient(base_url)
    status, body = learner.call(
        "POST",
        "/api/accounts",
        {
            "email": email,
            "password": "a racing passphrase",
            "first_name": "Rae",
            "last_name": "Cer",
            "degree": "MD",
            "phone": "+1 480 555 0177",
        },
    )
    assert status == 201, body
    token = parse_qs(urlparse(learner.latest_link(email, "verify-email.html")).query)["token"][0]
    assert learner.call("POST", "/api/accounts/verify-email", {"token": token})[0] == 200  # in its own session
    status, report = admin.call("POST", f"/api/admin/activities/{activity_id}/attendance", {"rows": [{"email": email}]})
    assert status == 200 and report["added"] == 1

    def claim(n: int) -> tuple[int, dict]:
        client = StackClient(base_url, cookie=learner.cookie)
        credits = 2.0 if n % 2 == 0 else 1.0  # half repeat one claim, half ask for another amount
        return client.call(
            "POST",
            "/api/me/claims",
            {
                "activity_id": activity_id,
                "credit_type": "AMA_PRA_1",
                "credits": credits,
                "attestation": True,
            },
        )

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(claim, range(50)))

    status, mine = learner.call("GET", "/api/me/claims")
    stored = [c for c in mine["claims"] if c["activity_id"] == activity_id]
    assert len(stored) == 1
    winner = stored[0]
    statuses = sorted({s for s, _ in answers})
    assert set(statuses) <= {201, 409}, answers
    for status, body in answers:
        if status == 201:
            assert body["claim"] == winner
        else:
            assert body["code"] == "ALREADY_CLAIMED"
    assert sum(1 for s, _ in answers if s == 201) >= 1
    _, listed = admin.call("GET", f"/api/admin/activities?q={created['activity']['title'].replace(' ', '%20')}")
    assert next(a for a in listed["activities"] if a["activity_id"] == activity_id)["claim_count"] == 1
