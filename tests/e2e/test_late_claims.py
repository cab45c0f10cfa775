"""Late-claim requests in a real browser (issue 24): on My Portal a closed activity offers
"Request a late claim" (a reason) instead of the dead end, then shows "Requested", and once the
office approves, "Reopened until ..."; the coordinators' Late requests page (in the menu) lists
the requests by status, approves for a number of days and declines with a reason. At 390 px
and 1280 px, no sideways scroll and no serious axe finding."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.test_claim_flow import activity_row, coordinator, new_activity, new_learner, today
from tests.e2e.test_publisher_flow import COORDINATORS_ONLY, no_sideways_scroll
from tests.e2e.test_publisher_flow import sign_in as sign_in_admin
from tests.support.http import StackClient
from tests.support.journeys import attend, sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def _serious(page: Any) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _closed_activity(admin: StackClient, email: str, title: str) -> str:
    """An activity 60 days ago (window 30 days: closed) that ``email`` attended."""
    long_ago = today() - timedelta(days=60)
    activity_id = new_activity(
        admin, title, format="live", start_date=long_ago.isoformat(), end_date=long_ago.isoformat()
    )
    attend(admin, activity_id, email)
    return activity_id


def _asked(base_url: str, email: str, password: str, activity_id: str, reason: str) -> str:
    learner = StackClient(base_url)
    learner.sign_in(email, password)
    status, body = learner.call("POST", "/api/me/late-claims", {"activity_id": activity_id, "reason": reason})
    assert status == 201, body
    return str(body["request"]["request_id"])


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["390", "1280"])
def test_a_learner_requests_a_late_claim_from_my_activities(
    page: Any, base_url: str, problems: Any, size: dict[str, int]
) -> None:
    admin = coordinator(base_url)
    email, password = new_learner(base_url, "Ines", "Okafor")
    title = f"Annual Stroke Update {uuid.uuid4().hex[:6]}"
    activity_id = _closed_activity(admin, email, title)

    page.set_viewport_size(size)
    sign_in(page, email, password)
    row = activity_row(page, title)
    expect(row.locator(".status")).to_have_text("Status: Closed")
    expect(row).to_contain_text("The claim window closed on")
    ask = row.get_by_role("button", name="Request a late claim")
    expect(ask).to_be_visible()
    expect(ask).to_have_attribute("aria-expanded", "false")
    ask.click()
    reason = row.get_by_label("Why are you claiming late?")
    expect(reason).to_be_focused()
    row.get_by_role("button", name="Send request").click()  # empty: said, nothing sent
    expect(row.get_by_role("alert")).to_have_text("Please say why you are claiming late.")
    no_sideways_scroll(page)
    assert _serious(page) == []
    reason.fill("I was on parental leave when the window closed.")
    row.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("status").filter(has_text="Your request for a late claim is sent")).to_be_visible()
    row = activity_row(page, title)
    expect(row.locator(".late-claim__badge")).to_have_text("Requested")
    expect(row.locator(".status")).to_have_text("Status: Closed")
    expect(row.get_by_role("button", name="Request a late claim")).to_have_count(0)
    no_sideways_scroll(page)

    page.reload()
    row = activity_row(page, title)
    expect(row).to_contain_text("Requested")
    expect(row.get_by_role("button", name="Request a late claim")).to_have_count(0)

    # the office approves for 10 days: the activity is claimable again, "Reopened until ..."
    status, listed = admin.call("GET", "/api/admin/late-claims?status=open")
    assert status == 200
    rid = next(r["request_id"] for r in listed["requests"] if r["activity_id"] == activity_id)
    status, _ = admin.call("POST", f"/api/admin/late-claims/{rid}/approve", {"days": 10})
    assert status == 200
    page.reload()
    row = activity_row(page, title)
    until = today() + timedelta(days=10)
    expect(row.locator(".status")).to_have_text("Status: Claimable")
    expect(row).to_contain_text(f"Reopened until {until:%B} {until.day}, {until.year}")
    expect(row.get_by_role("button", name="Claim credit")).to_be_visible()
    no_sideways_scroll(page)
    page.wait_for_load_state("networkidle")
    problems.assert_none("on My Portal")


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["390", "1280"])
def test_the_coordinators_approve_and_decline_on_the_late_requests_page(
    page: Any, base_url: str, problems: Any, size: dict[str, int]
) -> None:
    admin = coordinator(base_url)
    email, password = new_learner(base_url, "Tomasz", "Wiśniewski")
    tag = uuid.uuid4().hex[:6]
    first = f"Sepsis Review {tag}"
    second = f"Airway Workshop {tag}"
    first_id = _closed_activity(admin, email, first)
    second_id = _closed_activity(admin, email, second)
    _asked(base_url, email, password, first_id, "My attendance was recorded late.")
    _asked(base_url, email, password, second_id, "I was travelling.")

    page.set_viewport_size(size)
    sign_in_admin(page, "admin@example.org")
    if size == PHONE:
        page.goto("/admin-late-claims.html")
    else:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Late requests").click()
    expect(page).to_have_url(re.compile(r"/admin-late-claims\.html$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Late requests")
    listed = page.get_by_role("list", name="Requests")
    one = listed.get_by_role("listitem").filter(has=page.get_by_role("heading", name=first, exact=True))
    expect(one).to_contain_text("Tomasz Wiśniewski")
    expect(one).to_contain_text("“My attendance was recorded late.”")
    no_sideways_scroll(page)
    assert _serious(page) == []

    one.get_by_label("Days to reopen").fill("7")
    one.get_by_role("button", name="Approve").click()
    until = today() + timedelta(days=7)
    expect(page.get_by_role("status").filter(has_text="Approved: Tomasz Wiśniewski")).to_contain_text(
        f"until {until:%B} {until.day}, {until.year}"
    )
    expect(listed.get_by_role("heading", name=first, exact=True)).to_have_count(0)

    other = listed.get_by_role("listitem").filter(has=page.get_by_role("heading", name=second, exact=True))
    other.get_by_role("button", name="Decline").click()  # no reason: said, nothing sent
    expect(page.get_by_role("alert")).to_contain_text("Please give the reason for declining")
    other.get_by_label("Reason for declining (emailed)").fill("The roster shows no attendance that day.")
    other.get_by_role("button", name="Decline").click()
    expect(page.get_by_role("status").filter(has_text="Declined: Tomasz Wiśniewski")).to_be_visible()

    page.get_by_label("Show").select_option("approved")
    expect(listed.get_by_role("listitem").filter(has=page.get_by_role("heading", name=first))).to_contain_text(
        "Approved: reopened until"
    )
    page.get_by_label("Show").select_option("declined")
    expect(listed.get_by_role("listitem").filter(has=page.get_by_role("heading", name=second))).to_contain_text(
        "Declined: The roster shows no attendance that day."
    )
    no_sideways_scroll(page)
    page.wait_for_load_state("networkidle")
    problems.assert_none("on the Late requests page")


def test_a_learner_is_told_the_page_is_for_coordinators(page: Any, base_url: str) -> None:
    email, password = new_learner(base_url, "Ada", "Lovelace")
    sign_in(page, email, password)
    page.goto("/admin-late-claims.html")
    expect(page.get_by_role("alert")).to_contain_text(COORDINATORS_ONLY)
