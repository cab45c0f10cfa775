"""Layout defects seen in the browser (issue 24), each measured in a real browser: the projected
QR page fits a projector's or laptop's screen without scrolling, tables never break a word in the
middle at 1280 px, the outside-credit row reads right on a phone and the page is in the menu, and
the coordinator is greeted by name without ", Other"."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from infra.local.seed import DEMO_PASSWORD
from tests.e2e.test_publisher_flow import office_today
from tests.support import journeys
from tests.support.http import StackClient

pytestmark = pytest.mark.e2e

PASSWORD = "lantern orchard quietly"
LONG_TITLE = "Interdisciplinary Perioperative Anticoagulation Management Conference"

# Each word of each cell's text (runs between spaces; a line may also break after a hyphen or
# before an "@"), with the tops of the lines it lies on: a word on two lines was broken inside.
BROKEN_WORDS = """
(selector) => {
  const broken = [];
  for (const cell of document.querySelectorAll(selector)) {
    if (!cell.getClientRects().length) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      const pieces = /[^\\s\\-@]+[\\-]?|@[^\\s\\-@]+[\\-]?/g;
      for (let match = pieces.exec(text); match; match = pieces.exec(text)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}
"""


def _coordinator_page(browser: Any, base_url: str, width: int, height: int) -> tuple[Any, Any]:
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height})
    context.set_default_timeout(15_000)
    page = context.new_page()
    journeys.sign_in(page, journeys.COORDINATOR, DEMO_PASSWORD)
    return context, page


@pytest.fixture(scope="module")
def claimed(base_url: str) -> dict[str, str]:
    """An activity with a long title, attended and claimed by a learner with a long name and an NPI."""
    admin = journeys.coordinator(base_url, DEMO_PASSWORD)
    activity_id = journeys.publish_activity(admin, office_today(), title=f"{LONG_TITLE} {uuid.uuid4().hex[:4]}")
    email = journeys.unique_email("layout")
    learner = journeys.sign_up(
        base_url, email, PASSWORD, first_name="Maximiliana", last_name="Vanderbilt-Oyelaran", npi="1234567893"
    )
    journeys.attend(admin, activity_id, email)
    journeys.claim(learner, activity_id, "AMA_PRA_1", 1.0)
    return {"activity_id": activity_id, "email": email}


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1280, 720), (1920, 1080)])
def test_the_projected_qr_page_fits_without_scrolling(
    browser: Any, base_url: str, problems: Any, claimed: dict[str, str], width: int, height: int
) -> None:
    """The QR code, the attendance code and the "or text" line all lie inside the window."""
    status, settings = StackClient(base_url).call("GET", "/api/settings")
    assert status == 200 and settings["sms_number"], settings  # the local stack texts: the line shows
    context, page = _coordinator_page(browser, base_url, width, height)
    try:
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        page.goto(f"/admin-qr.html?id={claimed['activity_id']}")
        code = page.locator(".projector__code")
        expect(code).to_have_text(journeys_code(base_url, claimed["activity_id"]))
        expect(page.locator("#sms-hint")).to_be_visible()
        page.wait_for_function(
            "() => { const i = document.getElementById('qr-image'); return i.complete && i.naturalWidth > 0; }"
        )
        boxes = {
            name: page.locator(selector).bounding_box()
            for name, selector in (
                ("QR code", "#qr-image"),
                ("attendance code", ".projector__code"),
                ("texting", "#sms-hint"),
            )
        }
        for name, box in boxes.items():
            assert box is not None, name
            right, bottom = box["x"] + box["width"], box["y"] + box["height"]
            assert box["x"] >= 0 and box["y"] >= 0 and right <= width and bottom <= height, (name, box, width, height)
        qr = boxes["QR code"]
        assert qr is not None and qr["width"] >= 0.3 * height, qr  # still a code to scan from the back of the room
        assert page.evaluate("window.scrollY") == 0
        texting = boxes["texting"]
        assert texting is not None
        print(
            f"\nQR page at {width}x{height}: QR {qr['width']:.0f} px,"
            f" texting ends at {texting['y'] + texting['height']:.0f}"
        )
        assert not problems.page_errors
    finally:
        context.close()


def journeys_code(base_url: str, activity_id: str) -> str:
    admin = journeys.coordinator(base_url, DEMO_PASSWORD)
    status, body = admin.call("GET", f"/api/admin/activities/{activity_id}")
    assert status == 200, body
    return str(body["activity"]["attendance_code"])


@pytest.mark.parametrize(
    ("path", "selector"),
    [
        ("/admin.html", "#activity-table td"),
        ("/admin-attendance.html?id={id}", "#attendance-table td"),
        ("/admin-claims.html?id={id}", "#claims-table td"),
    ],
)
def test_tables_break_no_word_at_1280(
    browser: Any, base_url: str, problems: Any, claimed: dict[str, str], path: str, selector: str
) -> None:
    """No cell's word lies on two lines ("Publish/ed", a name, an NPI over three lines)."""
    context, page = _coordinator_page(browser, base_url, 1280, 860)
    try:
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        page.goto(path.format(id=claimed["activity_id"]))
        expect(page.locator(selector).first).to_be_visible()
        if "claims" in path:
            expect(page.locator(selector).filter(has_text="1234567893")).to_be_visible()
        assert page.evaluate(BROKEN_WORDS, selector) == []
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 1280
        assert not problems.page_errors
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_outside_credit_row_reads_right_and_the_page_is_in_the_menu(
    browser: Any, base_url: str, problems: Any, width: int
) -> None:
    """Each stacked cell on a phone is its label and one box (the provider and the badge once took
    cells of their own); the page is in the learner's navigation."""
    email = journeys.unique_email("outside-row")
    learner = journeys.sign_up(base_url, email, PASSWORD)
    title = "Advanced Cardiovascular Life Support Recertification Course"
    status, body = learner.call(
        "POST",
        "/api/me/outside-credits",
        {
            "title": title,
            "provider": "American Heart Association Training Center",
            "completed_on": "2026-03-14",
            "credit_type": "AMA_PRA_1",
            "credits": 7.25,
        },
    )
    assert status == 201, body
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        journeys.sign_in(page, email, PASSWORD)
        nav = page.get_by_role("navigation", name="Main")
        if width < 721:
            page.get_by_role("button", name="Menu").click()
        nav.get_by_role("link", name="Outside credit").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Outside credit")
        expect(page.locator('#site-nav a[href="/outside-credit.html"]')).to_have_attribute("aria-current", "page")
        row = page.locator("#outside-table tbody tr").filter(has_text=title)
        activity = row.locator('td[data-label="Activity"]')
        expect(activity).to_contain_text("American Heart Association Training Center")
        expect(activity.locator(".badge")).to_have_text("Self-reported")
        if width < 721:
            # a stacked cell: the label (its ::before) and one box beside it, the provider and badge inside
            for cell in row.locator("td").all():
                assert cell.evaluate("c => c.childNodes.length") == 1, cell.inner_html()
            label_box = activity.evaluate(
                "c => { const r = c.getBoundingClientRect(); const b = c.firstElementChild.getBoundingClientRect();"
                " return [r.left, b.left, b.top - r.top]; }"
            )
            assert label_box[1] - label_box[0] > 80 and abs(label_box[2]) < 8, label_box  # beside the label
            badge = activity.locator(".badge").bounding_box()
            assert badge is not None and badge["height"] < 30, badge  # a pill, not a stretched circle
            upload = row.get_by_label(f"Attach certificate for {title}").bounding_box()
            assert upload is not None and upload["width"] > 250, upload  # the file box on its own line
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        assert not problems.page_errors
    finally:
        context.close()


def test_signed_out_menu_has_no_outside_credit(page: Any, problems: Any) -> None:
    page.goto("/index.html")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My Transcript")).to_be_visible()
    expect(nav.get_by_role("link", name="Outside credit")).to_have_count(0)
    problems.assert_none("on the home page")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_coordinator_is_welcomed_without_other(browser: Any, base_url: str, problems: Any, width: int) -> None:
    """The seed's coordinator's degree is "Other": no ", Other" (credit.with_degree's rule)."""
    context, page = _coordinator_page(browser, base_url, width, 900)
    try:
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        expect(page.locator("#welcome")).to_have_text("Welcome, Avery Coordinator")
        assert not problems.page_errors
    finally:
        context.close()


def test_a_learner_is_welcomed_with_the_degree(page: Any, base_url: str, problems: Any) -> None:
    email = journeys.unique_email("welcome")
    journeys.sign_up(base_url, email, PASSWORD, first_name="Ana", last_name="Ruiz", degree="RN")
    journeys.sign_in(page, email, PASSWORD)
    expect(page.locator("#welcome")).to_have_text("Welcome, Ana Ruiz, RN")
    problems.assert_none("on My Portal")
