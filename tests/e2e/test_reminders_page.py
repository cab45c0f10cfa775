"""Claim reminders in a real browser: the daily run (the local trigger, as of a day) emails an
attendee without a claim; the reminder's unsubscribe link opens a page that works signed out,
says so, and says so again on a second visit; a bad link is refused in words; the page has no
axe violation at 390 and 1280 px. The claims report's "Send reminders" queues them, then says
when it is too soon."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.test_claim_flow import coordinator, today
from tests.e2e.test_publisher_flow import no_sideways_scroll, sign_in
from tests.support.http import StackClient

pytestmark = pytest.mark.e2e

SHOTS = "build/screenshots"


def _violations(page: Any) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"]]


@pytest.fixture
def reminded(base_url: str) -> dict[str, Any]:
    """An activity today (30-day window) attended by someone with no account, who has been
    reminded by the daily run as of 7 days before the window closes."""
    admin = coordinator(base_url)
    title = f"Grand Rounds: Anticoagulation {uuid.uuid4().hex[:6]}"
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
            "evaluation": [],
            "published": True,
        },
    )
    assert status == 201, created
    activity_id = created["activity"]["activity_id"]
    email = f"e2e-remind-{uuid.uuid4().hex[:10]}@example.org"
    rows = {"rows": [{"email": email, "first_name": "Rosa", "last_name": "Reyes"}]}
    assert admin.call("POST", f"/api/admin/activities/{activity_id}/attendance", rows)[0] == 200
    day = (today() + timedelta(days=23)).isoformat()
    status, ran = StackClient(base_url).call("POST", f"/_local/schedules/reminders/run?today={day}")
    assert status == 200 and ran["queued"] >= 1 and ran["emails_sent"] >= 1, ran
    link = StackClient(base_url).latest_link(email, "reminders-unsubscribe.html")
    return {"activity_id": activity_id, "title": title, "email": email, "link": link, "admin": admin}


def test_the_unsubscribe_link_works_signed_out_and_says_so(page: Any, reminded: dict[str, Any], problems: Any) -> None:
    parsed = urlparse(reminded["link"])
    path = f"{parsed.path}?{parsed.query}"
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844 if width == 390 else 860})
        page.goto(path)  # signed out; the second visit is a repeated click
        expect(page.get_by_role("heading", name="Stop Claim Reminders")).to_be_visible()
        expect(page.get_by_text("Done: you will get no more reminders to claim credit.")).to_be_visible()
        expect(page.get_by_role("link", name="My Portal").last).to_be_visible()
        page.screenshot(path=f"{SHOTS}/reminders-unsubscribe-{width}.png", full_page=True)
        no_sideways_scroll(page)
        assert _violations(page) == [], width
    problems.assert_none()

    page.goto("/reminders-unsubscribe.html?token=not-a-token-the-portal-sent")
    expect(page.get_by_role("alert")).to_contain_text("This unsubscribe link is not valid.")
    expect(page.get_by_role("button", name="Try again")).to_be_hidden()
    assert _violations(page) == []
    page.goto("/reminders-unsubscribe.html")
    expect(page.get_by_role("alert")).to_contain_text("This link is incomplete.")
    problems.clear()  # the refused link's 400, logged by the browser, is this part's point


def test_send_reminders_on_the_claims_report(page: Any, reminded: dict[str, Any], problems: Any) -> None:
    sign_in(page, "admin@example.org")
    page.goto(f"/admin-claims.html?id={reminded['activity_id']}")
    send = page.get_by_role("button", name="Send reminders")
    expect(send).to_be_visible()
    send.click()
    expect(page.get_by_text("Reminders are on their way to 1 person.")).to_be_visible()
    expect(send).to_be_disabled()
    problems.assert_none()
    page.reload()
    page.get_by_role("button", name="Send reminders").click()
    expect(page.get_by_role("alert").filter(has_text="less than 24 hours ago")).to_be_visible()
    problems.clear()  # the 429 the browser logs is this step's point
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844 if width == 390 else 860})
        page.screenshot(path=f"{SHOTS}/admin-claims-reminders-{width}.png", full_page=True)
        assert _violations(page) == [], width
