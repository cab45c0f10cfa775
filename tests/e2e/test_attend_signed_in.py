"""The attendance page and the home page know who is signed in: the name and email are filled
in from GET /api/me, the button says "Record my attendance", the success text does not ask a
learner with an account to create one, and the home page's hero welcomes them back. A stale
signed-in hint (no session) falls back to the guest's page without a word."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.support import journeys
from tests.support.http import StackClient
from tests.support.stack_clock import office_today

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "Demo-Password-2026"
PASSWORD = "attending rounds on my phone"
FIRST, LAST = "Siobhán", "Nakamura-Reyes"


def textbox(page: Any, name: str) -> Any:
    return page.get_by_role("textbox", name=name, exact=True)


@pytest.fixture(scope="module")
def learner(base_url: str) -> str:
    email = f"e2e-attend-{uuid.uuid4().hex[:12]}@example.org"
    client = StackClient(base_url)
    status, body = client.call(
        "POST",
        "/api/accounts",
        {
            "email": email,
            "password": PASSWORD,
            "first_name": FIRST,
            "last_name": LAST,
            "degree": "MD",
            "phone": f"(480) 555-{uuid.uuid4().int % 9000 + 1000}",
        },
    )
    assert status == 201, body
    token = parse_qs(urlparse(client.latest_link(email, "verify-email.html")).query)["token"][0]
    status, body = client.call("POST", "/api/accounts/verify-email", {"token": token})
    assert status == 200, body
    return email


def open_activity(base_url: str, title: str) -> tuple[str, str]:
    """A live activity held today (attendance open); returns its id and attendance code."""
    admin = StackClient(base_url)
    admin.sign_in("admin@example.org", DEMO_PASSWORD)
    day = office_today().isoformat()
    status, created = admin.call(
        "POST",
        "/api/admin/activities",
        {
            "title": title,
            "format": "live",
            "start_date": day,
            "end_date": day,
            "location": "Auditorium D",
            "credits": [{"type": "AMA_PRA_1", "max": 1.0}],
            "claim_window_days": 30,
            "evaluation": [],
            "published": True,
        },
    )
    assert status == 201, created
    return created["activity"]["activity_id"], created["activity"]["attendance_code"]


def sign_in(page: Any, email: str) -> None:
    journeys.sign_in(page, email, PASSWORD)


def test_signed_in_learner_records_attendance_with_the_fields_filled_in(
    browser: Any, base_url: str, problems: Any, learner: str
) -> None:
    title = f"Grand Rounds: Sepsis Bundles {uuid.uuid4().hex[:6]}"
    activity_id, code = open_activity(base_url, title)
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        page.on("console", lambda m: m.type == "error" and problems.console_errors.append(m.text))
        sign_in(page, learner)

        # the home page welcomes the learner back, with the way to My Portal (no Sign In / Create Account)
        page.goto("/index.html")
        hero = page.locator("main .hero")
        expect(hero.get_by_role("heading", level=1)).to_have_text(f"Welcome back, {FIRST}")
        expect(hero.get_by_role("link", name="Go to My Portal")).to_have_attribute("href", "/portal.html")
        expect(hero.get_by_role("link", name="Create Account")).to_have_count(0)
        expect(hero.get_by_role("link", name="Sign In")).to_have_count(0)

        # the attendance page: name and email filled in, the button says what it does
        page.goto(f"/attend.html?code={code}")
        main = page.get_by_role("main")
        expect(textbox(page, "Email")).to_have_value(learner)
        expect(textbox(page, "First name")).to_have_value(FIRST)
        expect(textbox(page, "Last name")).to_have_value(LAST)
        expect(textbox(page, "Attendance code")).to_have_value(code)
        expect(main.get_by_role("button", name="Sign In", exact=True)).to_have_count(0)
        expect(main).to_contain_text(f"You are signed in to the CME Portal as {learner}")
        record = main.get_by_role("button", name="Record my attendance")
        record.click()

        done = page.locator("#attend-done")
        expect(done.get_by_role("status")).to_have_text(f"Your attendance at {title} is recorded.")
        expect(done).to_contain_text(learner)
        expect(done.get_by_role("link", name="My Portal").first).to_be_visible()
        expect(done.get_by_role("link", name="Create Account")).to_have_count(0)
        assert "Create Account" not in done.inner_text()

        # recorded under the learner's email: My Portal has it to claim
        client = StackClient(base_url)
        client.sign_in(learner, PASSWORD)
        _, mine = client.call("GET", "/api/me/activities")
        assert [a["status"] for a in mine["activities"] if a["activity_id"] == activity_id] == ["claimable"]

        # back home: the hero says what there is to claim
        page.goto("/index.html")
        expect(hero.locator(".lede:visible")).to_contain_text(
            re.compile(r"^You have \d+ activit(y|ies) to claim credit for")
        )

        # the next person on the same phone is a guest: empty fields, the guest's button
        page.goto(f"/attend.html?code={code}")
        expect(textbox(page, "Email")).to_have_value(learner)
        page.get_by_role("button", name="Record my attendance").click()
        expect(done.get_by_role("status")).to_have_text(f"Your attendance at {title} is recorded.")
        page.get_by_role("button", name="Sign in another person").click()
        expect(textbox(page, "Email")).to_have_value("")
        expect(main.locator("#attend-lede")).not_to_contain_text("You are signed in")
        expect(main.locator("#attend-activity")).to_contain_text(title)  # the code's activity, still shown
        expect(main.get_by_role("button", name="Record my attendance")).to_be_visible()
        page.wait_for_load_state("networkidle")
        problems.assert_none("signed in on the attendance and home pages")
    finally:
        context.close()


def test_another_email_is_pointed_to_my_emails_not_to_create_account(
    page: Any, base_url: str, problems: Any, learner: str
) -> None:
    title = f"Journal Club {uuid.uuid4().hex[:6]}"
    _, code = open_activity(base_url, title)
    sign_in(page, learner)
    page.goto(f"/attend.html?code={code}")
    expect(textbox(page, "Email")).to_have_value(learner)
    other = f"e2e-work-{uuid.uuid4().hex[:8]}@example.org"
    textbox(page, "Email").fill(other)
    page.get_by_role("button", name="Record my attendance").click()
    done = page.locator("#attend-done")
    expect(done.get_by_role("status")).to_have_text(f"Your attendance at {title} is recorded.")
    expect(done).to_contain_text("add it under My emails")
    assert "Create Account" not in done.inner_text()
    page.wait_for_load_state("networkidle")
    problems.assert_none("recording another email")


def test_a_stale_signed_in_hint_falls_back_to_the_guest_page(page: Any, base_url: str, problems: Any) -> None:
    page.goto("/index.html")
    page.evaluate("window.localStorage.setItem('cme.signedIn', '1')")  # no session cookie behind it
    with page.expect_response(lambda r: r.url.endswith("/api/me")) as asked:
        page.goto("/attend.html?code=ABC123")
    assert asked.value.status == 401
    page.wait_for_function("window.localStorage.getItem('cme.signedIn') === null")  # the hint is corrected
    main = page.get_by_role("main")
    expect(main.get_by_role("button", name="Record my attendance")).to_be_visible()  # for a guest too (issue 24)
    expect(main.get_by_role("button", name="Sign In", exact=True)).to_have_count(0)
    expect(textbox(page, "Email")).to_have_value("")
    expect(main.locator("#attend-alert")).to_be_empty()

    page.evaluate("window.localStorage.setItem('cme.signedIn', '1')")
    page.goto("/index.html")
    hero = page.locator("main .hero")
    expect(hero.get_by_role("heading", level=1)).to_have_text("Claim your CME credit")
    expect(hero.get_by_role("link", name="Create Account")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert not problems.page_errors
    # the browser logs each 401 answer, and the 404 of looking up ABC123 (no activity has it); nothing else
    assert all("status of 401" in text or "status of 404" in text for text in problems.console_errors), (
        problems.console_errors
    )
