"""The coordinator's claims report in a real browser at phone width: the totals per credit type,
the evaluation summary (counts, the mean rating, the written answers), who attended but has not
claimed (with their emails to copy), shared NPIs flagged, and the CSV named after the activity."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.test_claim_flow import coordinator, today
from tests.e2e.test_publisher_flow import no_sideways_scroll, sign_in
from tests.support.http import StackClient

pytestmark = pytest.mark.e2e

NPI = "1234567893"
USEFUL = "How useful was it for your practice?"
CHANGE = "What should we change next time?"


def claimant(base_url: str, activity_id: str, admin: StackClient, first: str, last: str, **claim: Any) -> str:
    """A confirmed MD who attended and claimed (all through the API); returns the email."""
    email = f"e2e-report-{uuid.uuid4().hex[:10]}@example.org"
    client = StackClient(base_url)
    profile = {
        "email": email,
        "password": "steady lighthouse claims credit",
        "first_name": first,
        "last_name": last,
        "degree": "MD",
        "phone": f"(480) 555-{uuid.uuid4().int % 9000 + 1000}",
        "npi": NPI,  # both claimants give one NPI: accepted, and flagged in the report
    }
    status, body = client.call("POST", "/api/accounts", profile)
    assert status == 201, body
    token = parse_qs(urlparse(client.latest_link(email, "verify-email.html")).query)["token"][0]
    assert client.call("POST", "/api/accounts/verify-email", {"token": token})[0] == 200
    rows = {"rows": [{"email": email, "first_name": first, "last_name": last}]}
    assert admin.call("POST", f"/api/admin/activities/{activity_id}/attendance", rows)[0] == 200
    body = {"activity_id": activity_id, "credit_type": "AMA_PRA_1", "credits": 1.0, "attestation": True, **claim}
    status, answer = client.call("POST", "/api/me/claims", body)
    assert status == 201, answer
    return email


@pytest.fixture
def seeded(base_url: str) -> dict[str, Any]:
    admin = coordinator(base_url)
    title = f"Grand Rounds: Heart Failure, 2026 {uuid.uuid4().hex[:6]}"
    status, created = admin.call(
        "POST",
        "/api/admin/activities",
        {
            "title": title,
            "format": "rss",
            "start_date": today().isoformat(),
            "end_date": today().isoformat(),
            "location": "Auditorium B",
            "credits": [{"type": "AMA_PRA_1", "max": 1.0}],
            "claim_window_days": 30,
            "evaluation": [
                {"question_id": "bias", "text": "Was it free of commercial bias?", "kind": "yes_no"},
                {"question_id": "useful", "text": USEFUL, "kind": "rating"},
                {"question_id": "change", "text": CHANGE, "kind": "text", "required": False},
            ],
            "published": True,
        },
    )
    assert status == 201, created
    activity_id = created["activity"]["activity_id"]
    claimant(
        base_url,
        activity_id,
        admin,
        "Amara",
        "Okoye",
        evaluation={"bias": "yes", "useful": 5, "change": "More time for questions."},
    )
    claimant(
        base_url,
        activity_id,
        admin,
        "Björn",
        "Lindqvist",
        credits=0.5,
        evaluation={"bias": "yes", "useful": 4},
    )
    absent = [
        {"email": f"e2e-absent-{uuid.uuid4().hex[:8]}@example.org", "first_name": "Nadia", "last_name": "Haddad"},
        {"email": f"e2e-absent-{uuid.uuid4().hex[:8]}@example.org", "first_name": "Tomás", "last_name": "Reyes"},
    ]
    assert admin.call("POST", f"/api/admin/activities/{activity_id}/attendance", {"rows": absent})[0] == 200
    return {"id": activity_id, "title": title, "absent": [row["email"] for row in absent]}


def test_the_claims_report_on_a_phone(
    browser: Any, base_url: str, problems: Any, seeded: dict[str, Any], tmp_path: Path
) -> None:
    phone = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844})
    try:
        phone.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
        page = phone.new_page()
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        page.on("console", lambda m: m.type == "error" and problems.console_errors.append(m.text))
        sign_in(page, "admin@example.org")
        page.goto(f"/admin-claims.html?id={seeded['id']}")

        totals = page.get_by_role("table", name="Credit totals")
        row = totals.get_by_role("row").filter(has_text="AMA PRA Category 1 Credit™")
        expect(row.get_by_role("cell")).to_have_text(["AMA PRA Category 1 Credit™", "2", "1.5"])

        claims = page.get_by_role("table", name="Credit claimed")
        expect(claims.get_by_role("row").filter(has_text="Shared NPI")).to_have_count(2)
        expect(page.get_by_text("Some NPIs below are on more than one learner's claim.")).to_be_visible()

        summary = page.get_by_role("region", name="Evaluation summary")
        useful = summary.get_by_role("region", name=USEFUL)
        expect(useful).to_contain_text("2 answers · mean rating 4.5 of 5")
        expect(useful.get_by_role("table", name=USEFUL).get_by_role("row")).to_have_count(6)  # head + 1..5
        bias = summary.get_by_role("region", name="Was it free of commercial bias?")
        expect(bias.get_by_role("row").filter(has_text="Yes")).to_contain_text("100%")
        written = summary.get_by_role("list", name=f"Answers to: {CHANGE}")
        expect(written.get_by_role("listitem")).to_have_text(["More time for questions."])

        unclaimed = page.get_by_role("table", name="Attended, not claimed")
        expect(unclaimed.get_by_role("row")).to_have_count(3)  # head + the two who have not claimed
        for email in seeded["absent"]:
            expect(unclaimed).to_contain_text(email)
        expect(unclaimed.get_by_role("row").nth(1)).to_contain_text("Nadia Haddad")
        expect(page.get_by_text("2 people attended and have not claimed credit yet.")).to_be_visible()
        page.get_by_role("button", name="Copy emails").click()
        expect(page.get_by_role("status").filter(has_text="Copied 2 emails")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == ", ".join(seeded["absent"])

        no_sideways_scroll(page)
        page.screenshot(path=str(tmp_path / "claims-report-390.png"), full_page=True)

        with page.expect_download() as saved:
            page.get_by_role("link", name="Download CSV").click()
        download = saved.value
        named = rf"claims-{today().isoformat()}-Grand-Rounds-Heart-Failure-2026-[0-9a-f]{{6}}\.csv"
        assert re.fullmatch(named, download.suggested_filename), download.suggested_filename
        lines = Path(download.path()).read_text(encoding="utf-8-sig").splitlines()
        assert lines[0].startswith("Activity,Activity date,First name,Last name,")
        assert any(",Amara,Okoye,MD," in line and ",yes,AMA PRA Category 1 Credit™,1," in line for line in lines)

        violations = [
            f"{v['id']} ({v['impact']}): {v['help']}"
            for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert violations == []
        problems.assert_none("on the claims report")
    finally:
        phone.close()
