"""My Portal at real scale, on a phone: a clinician with 30 activities (8 to claim, 16 claimed over
two years, 6 closed) seeded through the API (the coordinator's activities and rosters, the
learner's claims). The page groups them by status: to claim (nearest deadline first), claimed
(collapsed, by year) and closed (collapsed, with the reason); each claim shows once, with its
certificate right there; nothing drops in and pushes the page down once the API answers."""

from __future__ import annotations

import os
import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support import journeys
from tests.support.http import StackClient
from tests.support.journeys import sign_up, unique_email
from tests.support.stack_clock import office_today

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "Demo-Password-2026"
PASSWORD = "thirty activities on one phone"
PHONE = {"width": 390, "height": 844}
# The page was 21,750 px tall at 390 px with 30 activities before the groups (each claim twice).
MAX_HEIGHT = 6000

# Every layout shift the page makes, as Lighthouse counts them (not those right after an input).
LAYOUT_SHIFTS = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shifts.push(entry.value);
}).observe({ type: 'layout-shift', buffered: true });
"""


def today() -> date:
    return office_today()


def new_learner(base_url: str) -> str:
    email = unique_email("portal")
    sign_up(base_url, email, PASSWORD)
    return email


def new_activity(admin: StackClient, title: str, end: date, window: int) -> str:
    status, created = admin.call(
        "POST",
        "/api/admin/activities",
        {
            "title": title,
            "format": "live",
            "start_date": end.isoformat(),
            "end_date": end.isoformat(),
            "location": "Auditorium A",
            "credits": [{"type": "AMA_PRA_1", "max": 1.0}],
            "claim_window_days": window,
            "evaluation": [],
            "published": True,
        },
    )
    assert status == 201, created
    return str(created["activity"]["activity_id"])


@pytest.fixture(scope="module")
def seeded(base_url: str) -> dict[str, Any]:
    """30 activities attended by one new learner: 8 to claim, 16 claimed, 6 closed."""
    admin = StackClient(base_url)
    admin.sign_in("admin@example.org", DEMO_PASSWORD)
    email = new_learner(base_url)
    learner = StackClient(base_url)
    learner.sign_in(email, PASSWORD)
    tag = uuid.uuid4().hex[:6]
    day = today()
    plan: list[tuple[str, date, int]] = []
    # to claim: deadlines 5..40 days ahead, created in a shuffled order
    for n, ahead in enumerate([30, 5, 40, 12, 21, 8, 35, 17]):
        plan.append((f"To claim {n + 1} {tag}", day - timedelta(days=30 - ahead), 30))
    for n in range(8):  # claimed, this year's activities and last year's
        plan.append((f"Claimed recent {n + 1} {tag}", day - timedelta(days=2 + n), 365))
        plan.append((f"Claimed old {n + 1} {tag}", day - timedelta(days=330 + n), 365))
    for n in range(6):  # closed: the 30-day window has passed
        plan.append((f"Closed {n + 1} {tag}", day - timedelta(days=60 + 10 * n), 30))
    ids: dict[str, str] = {}
    for title, end, window in plan:
        ids[title] = new_activity(admin, title, end, window)
        status, report = admin.call(
            "POST", f"/api/admin/activities/{ids[title]}/attendance", {"rows": [{"email": email}]}
        )
        assert status == 200 and report["added"] == 1, report
    codes: dict[str, str] = {}
    years: dict[str, int] = {}
    for title, _end, _ in plan:
        if not title.startswith("Claimed"):
            continue
        status, body = learner.call(
            "POST",
            "/api/me/claims",
            {"activity_id": ids[title], "credit_type": "AMA_PRA_1", "credits": 1.0, "attestation": True},
        )
        assert status == 201, body
        codes[title] = body["claim"]["certificate_code"]
        years[title] = date.fromisoformat(body["claim"]["completed_on"]).year
    deadlines = {title: end + timedelta(days=window) for title, end, window in plan if title.startswith("To claim")}
    return {
        "email": email,
        "to_claim": sorted(deadlines, key=lambda t: deadlines[t]),
        "claimed": codes,
        "years": years,
        "closed": [t for t, _, _ in plan if t.startswith("Closed")],
    }


def sign_in(page: Any, email: str) -> None:
    journeys.sign_in(page, email, PASSWORD)


def screenshot(page: Any, name: str) -> None:
    """A full-page screenshot into $CME_SCREENSHOTS (a directory), when it is set: to look at."""
    folder = os.environ.get("CME_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def groups_text(page: Any) -> str:
    """The text of the activity groups (collapsed ones included), where claims are listed."""
    return " ".join(page.locator("main .activity-group").all_text_contents())


def titles_in(list_locator: Any) -> list[str]:
    return [t.strip() for t in list_locator.locator(":scope > li .my-activity__title").all_inner_texts()]


def test_thirty_activities_grouped_on_a_phone(browser: Any, base_url: str, problems: Any, seeded: dict) -> None:
    context = browser.new_context(base_url=base_url, viewport=PHONE, is_mobile=True, accept_downloads=True)
    context.set_default_timeout(15_000)
    context.add_init_script(LAYOUT_SHIFTS)
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        page.on("console", lambda m: m.type == "error" and problems.console_errors.append(m.text))
        sign_in(page, seeded["email"])
        page.wait_for_load_state("networkidle")
        expect(page.get_by_role("heading", name="My activities")).to_be_visible()
        height = page.evaluate("document.documentElement.scrollHeight")
        print(f"\nMy Portal at 390 px with 30 activities: {height} px tall")
        to_claim = page.get_by_role("list", name="My activities: to claim")
        expect(to_claim.locator(":scope > li")).to_have_count(8)
        assert height <= MAX_HEIGHT, height
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "my-portal-390.png")
        shift = page.evaluate("window.__shifts.reduce((a, b) => a + b, 0)")
        print(f"layout shift while loading: {shift:.3f}")
        assert shift < 0.1, shift

        # to claim: nearest deadline first, each with its deadline and a Claim credit button
        assert [t for t in titles_in(to_claim) if t in seeded["to_claim"]] == seeded["to_claim"]
        first = to_claim.locator(":scope > li").first
        expect(first).to_contain_text(re.compile(r"Claim by [A-Z][a-z]+ \d{1,2}, \d{4}"))
        expect(first.get_by_role("button", name="Claim credit")).to_be_visible()

        # claimed: collapsed, then by year (newest first), each claim once with its certificate
        claimed = page.locator("details.activity-group--claimed")
        expect(claimed).not_to_have_attribute("open", "")
        expect(claimed.locator("summary")).to_contain_text("Claimed (16)")
        expect(page.get_by_role("list", name=re.compile("^My activities: claimed in"))).to_have_count(0)
        claimed.locator("summary").click()
        years = sorted(set(seeded["years"].values()), reverse=True)
        headings = claimed.get_by_role("heading", level=4).all_inner_texts()
        assert [int(h[:4]) for h in headings] == years, headings
        for year in years:
            group = page.get_by_role("list", name=f"My activities: claimed in {year}")
            expected = sorted(t for t, y in seeded["years"].items() if y == year)
            assert sorted(titles_in(group)) == expected
        assert page.get_by_role("table", name="My claims").count() == 0  # no second list of claims
        main_text = groups_text(page)
        for code in seeded["claimed"].values():
            assert main_text.count(code) == 1, code

        # closed: collapsed too, each with the reason
        closed = page.locator("details.activity-group--closed")
        expect(closed).not_to_have_attribute("open", "")
        expect(closed.locator("summary")).to_contain_text("Closed (6)")
        closed.locator("summary").click()
        closed_list = page.get_by_role("list", name="My activities: closed")
        assert sorted(titles_in(closed_list)) == sorted(seeded["closed"])
        for item in closed_list.locator(":scope > li").all():
            expect(item).to_contain_text(re.compile(r"The claim window closed on [A-Z][a-z]+ \d{1,2}, \d{4}\."))
            expect(item.get_by_role("button", name="Claim credit")).to_be_hidden()

        # both groups open: still no serious or critical accessibility problem
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']}"
            for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not violations, violations

        # the certificate of a claimed activity, right there: a fresh link from the API, a PDF
        title = next(t for t, y in seeded["years"].items() if y == years[-1])
        row = (
            page.get_by_role("list", name=f"My activities: claimed in {years[-1]}")
            .locator(":scope > li")
            .filter(has=page.get_by_role("heading", name=title, exact=True))
        )
        expect(row.locator(".my-activity__claim .code")).to_have_text(seeded["claimed"][title])
        button = row.get_by_role("button", name="Download certificate")
        expect(button).to_have_accessible_description(title)
        expect(row.get_by_role("link", name="Verify", exact=True)).to_have_attribute(
            "href", f"/verify.html?code={seeded['claimed'][title]}"
        )
        with (
            page.expect_download() as saved,
            page.expect_response(lambda r: r.url.endswith("/certificate")) as answer,
        ):
            button.click()
        assert answer.value.status == 200
        assert saved.value.suggested_filename.endswith(".pdf")
        with open(saved.value.path(), "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
        expect(page).to_have_url(re.compile(r"/portal\.html$"))
        screenshot(page, "my-portal-390-open.png")
        problems.assert_none("on My Portal with 30 activities")
    finally:
        context.close()


def test_a_claim_made_on_the_page_moves_to_claimed_at_once(
    browser: Any, base_url: str, problems: Any, seeded: dict
) -> None:
    """Claiming takes the activity out of To claim at once (its count goes down, no reload) and
    shows it under Claimed, opened, its title focused, with its certificate; the status line says
    where it went. (It once stayed under "To claim (0)" until a reload, then hid in a collapsed
    Claimed.)"""
    context = browser.new_context(base_url=base_url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        sign_in(page, seeded["email"])
        page.evaluate("window.__sameDocument = true")  # gone if the page reloads
        title = seeded["to_claim"][-1]
        to_claim = page.get_by_role("list", name="My activities: to claim")
        heading = page.locator(".activity-group--to-claim h3.activity-group__title")
        expect(heading).to_contain_text("To claim (8)")
        expect(to_claim.locator(":scope > li")).to_have_count(8)
        claimed_group = page.locator("details.activity-group--claimed")
        expect(claimed_group).not_to_have_attribute("open", "")
        row = to_claim.locator(":scope > li").filter(has=page.get_by_role("heading", name=title, exact=True))
        row.get_by_role("button", name="Claim credit").click()
        form = row.get_by_role("form", name="Claim credit")
        form.get_by_role("checkbox", name=re.compile("^I attest")).check()
        form.get_by_role("button", name="Claim", exact=True).click()

        expect(heading).to_contain_text("To claim (7)")
        expect(to_claim.locator(":scope > li")).to_have_count(7)
        expect(row).to_have_count(0)
        expect(claimed_group).to_have_attribute("open", "")
        expect(claimed_group.locator("summary")).to_contain_text("Claimed (17)")
        moved = claimed_group.get_by_role("listitem").filter(has=page.get_by_role("heading", name=title, exact=True))
        expect(moved.locator(".status")).to_have_text("Status: Claimed")
        expect(moved.get_by_role("heading", name=title, exact=True)).to_be_focused()
        expect(moved.get_by_role("button", name="Download certificate")).to_be_visible()
        code = moved.locator(".my-activity__claim .code").inner_text()
        expect(page.get_by_role("status").filter(has_text="Your claim is recorded")).to_contain_text(
            f"Certificate code: {code}. It is under Claimed, with its certificate."
        )
        assert groups_text(page).count(code) == 1  # in its row only (the status line also names it)
        assert page.evaluate("window.__sameDocument === true"), "moved without a reload"

        page.reload()  # and after a reload, the same
        expect(to_claim.locator(":scope > li")).to_have_count(7)
        expect(page.locator("details.activity-group--claimed summary")).to_contain_text("Claimed (17)")
        assert not problems.page_errors
    finally:
        context.close()
