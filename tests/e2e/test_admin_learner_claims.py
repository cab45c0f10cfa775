"""The office's claims on a learner's behalf and revocations in a real browser, on the claims
report (web/admin-claims.html, through web/js/admin-learner-claims.js) at 390 px and 1280 px:
"Claim for" an attendee with an account who has not claimed, "Revoke" a claimant's claim (the
claim leaves the report and its learner can be claimed for again), with no axe violation of
any impact."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.test_claim_flow import coordinator, today
from tests.e2e.test_claims_report import claimant
from tests.e2e.test_publisher_flow import no_sideways_scroll, sign_in
from tests.support.http import StackClient

pytestmark = pytest.mark.e2e

USEFUL = "How useful was it for your practice?"


def confirmed_attendee(base_url: str, activity_id: str, admin: StackClient, first: str, last: str) -> str:
    """A confirmed MD who attended and did not claim; returns the email."""
    email = f"e2e-behalf-{uuid.uuid4().hex[:10]}@example.org"
    client = StackClient(base_url)
    profile = {
        "email": email,
        "password": "steady lighthouse claims credit",
        "first_name": first,
        "last_name": last,
        "degree": "MD",
        "phone": f"(480) 555-{uuid.uuid4().int % 9000 + 1000}",
    }
    status, body = client.call("POST", "/api/accounts", profile)
    assert status == 201, body
    token = parse_qs(urlparse(client.latest_link(email, "verify-email.html")).query)["token"][0]
    assert client.call("POST", "/api/accounts/verify-email", {"token": token})[0] == 200
    rows = {"rows": [{"email": email, "first_name": first, "last_name": last}]}
    assert admin.call("POST", f"/api/admin/activities/{activity_id}/attendance", rows)[0] == 200
    return email


def seed(base_url: str) -> dict[str, Any]:
    admin = coordinator(base_url)
    status, created = admin.call(
        "POST",
        "/api/admin/activities",
        {
            "title": f"Grand Rounds: Sepsis bundles {uuid.uuid4().hex[:6]}",
            "format": "rss",
            "start_date": today().isoformat(),
            "end_date": today().isoformat(),
            "location": "Auditorium B",
            "credits": [{"type": "AMA_PRA_1", "max": 1.0}],
            "claim_window_days": 30,
            "evaluation": [{"question_id": "useful", "text": USEFUL, "kind": "rating"}],
            "published": True,
        },
    )
    assert status == 201, created
    activity_id = created["activity"]["activity_id"]
    claimant(base_url, activity_id, admin, "Amara", "Okoye", evaluation={"useful": 5})
    confirmed_attendee(base_url, activity_id, admin, "Nadia", "Haddad")
    email = f"e2e-noacct-{uuid.uuid4().hex[:8]}@example.org"
    no_account = {"email": email, "first_name": "Tomás", "last_name": "Reyes"}
    assert admin.call("POST", f"/api/admin/activities/{activity_id}/attendance", {"rows": [no_account]})[0] == 200
    return {"id": activity_id}


def axe_violations(page: Any) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in Axe().run(page).response["violations"]
    ]


@pytest.mark.parametrize("width", [390, 1280])
def test_claim_for_a_learner_and_revoke_on_the_claims_report(
    browser: Any, base_url: str, problems: Any, tmp_path: Path, width: int
) -> None:
    seeded = seed(base_url)
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        page.on("console", lambda m: m.type == "error" and problems.console_errors.append(m.text))
        sign_in(page, "admin@example.org")
        page.goto(f"/admin-claims.html?id={seeded['id']}")

        claims = page.get_by_role("table", name="Credit claimed")
        unclaimed = page.get_by_role("table", name="Attended, not claimed")
        expect(claims.get_by_role("row")).to_have_count(2)  # head + Amara
        expect(unclaimed.get_by_role("row").filter(has_text="Tomás Reyes")).to_contain_text("No account")
        assert axe_violations(page) == []

        # Claim for Nadia: the form asks the evaluation, the attestation and the reason
        unclaimed.get_by_role("button", name="Claim for Nadia Haddad").click()
        form = page.get_by_role("form", name="Claim credit for Nadia Haddad")
        expect(form).to_be_visible()
        form.get_by_role("button", name="Record the claim").click()
        expect(form.get_by_role("alert")).to_contain_text("Please fill in:")
        form.get_by_label(USEFUL).select_option("4")
        form.get_by_label("Reason (kept in the audit trail)").fill("Signed the paper sheet at the event.")
        form.get_by_role("button", name="Record the claim").click()
        expect(form.get_by_role("alert")).to_contain_text("Please confirm the learner's attestation")
        form.get_by_label("The learner attests to their participation").check()
        assert axe_violations(page) == []
        form.get_by_role("button", name="Record the claim").click()
        expect(page.get_by_role("status").filter(has_text="Credit was claimed for Nadia Haddad.")).to_be_visible()
        expect(claims.get_by_role("row")).to_have_count(3)
        expect(claims).to_contain_text("Nadia Haddad")
        expect(unclaimed.get_by_role("row").filter(has_text="Nadia Haddad")).to_have_count(0)

        # Revoke Amara's claim: she leaves the claims and can be claimed for again
        claims.get_by_role("button", name="Revoke the claim of Amara Okoye").click()
        confirm = page.get_by_role("form", name="Revoke the claim of Amara Okoye?")
        confirm.get_by_label("Reason (kept in the audit trail)").fill("Claimed in error: she left early.")
        if width == 390:
            no_sideways_scroll(page)
            page.screenshot(path=str(tmp_path / "claims-report-revoke-390.png"), full_page=True)
        assert axe_violations(page) == []
        confirm.get_by_role("button", name="Revoke the claim").click()
        expect(page.get_by_role("status").filter(has_text="The claim of Amara Okoye was revoked.")).to_be_visible()
        expect(claims.get_by_role("row")).to_have_count(2)
        expect(claims).not_to_contain_text("Amara Okoye")
        expect(unclaimed.get_by_role("button", name="Claim for Amara Okoye")).to_be_visible()
        if width == 390:
            no_sideways_scroll(page)
        assert axe_violations(page) == []
        problems.assert_none("on the claims report's claim-for and revoke controls")
    finally:
        context.close()


def test_a_revoked_reported_line_is_listed_to_withdraw(
    browser: Any, base_url: str, problems: Any, tmp_path: Path
) -> None:
    admin = coordinator(base_url)
    day = today().isoformat()
    status, created = admin.call(
        "POST",
        "/api/admin/activities",
        {
            "title": f"Cardiology MOC {uuid.uuid4().hex[:6]}",
            "format": "live",
            "start_date": day,
            "end_date": day,
            "credits": [{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ABIM_MOC", "max": 1.0}],
            "claim_window_days": 30,
            "evaluation": [],
            "published": True,
            "pars_activity_id": "PARS-24000",
        },
    )
    assert status == 201, created
    activity_id = created["activity"]["activity_id"]
    last = f"Withdrawn{uuid.uuid4().hex[:6]}"
    lines = [{"credit_type": "AMA_PRA_1", "credits": 1.0}, {"credit_type": "ABIM_MOC", "credits": 1.0}]
    moc = {"moc_consent": True, "board_ids": {"ABIM": "123456"}, "birth_mmdd": "0704", "lines": lines}
    claimant(base_url, activity_id, admin, "Ines", last, **moc, credit_type=None, credits=None)
    assert admin.call("POST", "/api/admin/reports/moc/submitted", {"through": day})[0] == 200
    status, body = admin.call("GET", f"/api/admin/activities/{activity_id}/claims")
    (row,) = body["claims"]
    url = f"/api/admin/learners/{row['learner_id']}/claims/{activity_id}/revoke"
    assert admin.call("POST", url, {"reason": "Claimed in error"})[0] == 200

    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 900})
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        page.on("console", lambda m: m.type == "error" and problems.console_errors.append(m.text))
        sign_in(page, "admin@example.org")
        page.goto("/admin-reports.html")
        section = page.get_by_role("region", name="Revoked after reporting: withdraw")
        listed = section.get_by_role("row").filter(has_text=f"Ines {last}")
        expect(listed).to_contain_text("MOC (ACCME PARS)")
        expect(listed).to_contain_text(created["activity"]["title"])
        no_sideways_scroll(page)
        section.screenshot(path=str(tmp_path / "withdrawals-390.png"))
        violations = Axe().run(page, context="#withdraw-section").response["violations"]
        assert [f"{v['id']} ({v['impact']})" for v in violations] == []
        problems.assert_none("on the board reports' withdrawals")
    finally:
        context.close()
        # the PARS file with its Delete row is sent: withdrawn, the stack's MOC files are as before
        assert admin.call("POST", "/api/admin/reports/moc/submitted", {"through": day})[0] == 200
    status, after = admin.call("GET", "/api/admin/reports/status")
    assert all(w["activity_id"] != activity_id for w in after["withdrawals"])


@pytest.mark.parametrize("width", [390, 1280])
def test_revoke_and_claim_for_on_a_learners_record(
    browser: Any, base_url: str, problems: Any, tmp_path: Path, width: int
) -> None:
    admin = coordinator(base_url)
    status, created = admin.call(
        "POST",
        "/api/admin/activities",
        {
            "title": f"Grand Rounds: Stroke {uuid.uuid4().hex[:6]}",
            "format": "rss",
            "start_date": today().isoformat(),
            "end_date": today().isoformat(),
            "credits": [{"type": "AMA_PRA_1", "max": 1.0}],
            "claim_window_days": 30,
            "evaluation": [],
            "published": True,
        },
    )
    assert status == 201, created
    activity_id = created["activity"]["activity_id"]
    last = f"Record{uuid.uuid4().hex[:6]}"
    claimant(base_url, activity_id, admin, "Amara", last)
    status, body = admin.call("GET", f"/api/admin/activities/{activity_id}/claims")
    learner = body["claims"][0]["learner_id"]
    name = f"Amara {last}"

    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        page.on("console", lambda m: m.type == "error" and problems.console_errors.append(m.text))
        sign_in(page, "admin@example.org")
        page.goto(f"/admin-learners.html?q={last}&id={learner}")
        claims = page.locator("#claims-table")
        expect(claims).to_contain_text(created["activity"]["title"])
        claims.get_by_role("button", name=f"Revoke the claim of {name}").click()
        confirm = page.get_by_role("form", name=f"Revoke the claim of {name}?")
        confirm.get_by_label("Reason (kept in the audit trail)").fill("Claimed in error")
        confirm.get_by_role("button", name="Revoke the claim").click()
        expect(page.locator("#no-claims")).to_be_visible()
        expect(page.locator("#audit-table")).to_contain_text("Claim revoked")

        attendance = page.locator("#attendance-table")
        attendance.get_by_role("button", name=f"Claim for {name}").click()
        form = page.get_by_role("form", name=f"Claim credit for {name}")
        form.get_by_label("The learner attests to their participation").check()
        form.get_by_label("Reason (kept in the audit trail)").fill("Signed the paper sheet")
        if width == 390:
            no_sideways_scroll(page)
            page.screenshot(path=str(tmp_path / "learner-record-claim-for-390.png"), full_page=True)
        violations = Axe().run(page, context="#record").response["violations"]
        assert [f"{v['id']} ({v['impact']})" for v in violations] == []
        form.get_by_role("button", name="Record the claim").click()
        expect(claims).to_contain_text(created["activity"]["title"])
        expect(page.locator("#audit-table")).to_contain_text("Credit claimed by the office")
        violations = Axe().run(page, context="#record").response["violations"]
        assert [f"{v['id']} ({v['impact']})" for v in violations] == []
        problems.assert_none("on a learner's record")
    finally:
        context.close()
