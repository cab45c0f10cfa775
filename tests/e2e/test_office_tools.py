"""The activity page's office tools in a real browser, at 390 px and 1280 px: "Copy" asks for the
new dates and opens the copy (unpublished, same title, its own code); the collapsible History
names who did what (the copy, by the coordinator, by name and email); both pass axe and need no
sideways scroll. The claims page links the evaluation answers' CSV."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from infra.local.seed import DEMO_PASSWORD
from tests.support import journeys
from tests.support.stack_clock import office_today

pytestmark = pytest.mark.e2e

SHOTS = Path("build/screenshots")


def _axe(page: Any) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_copy_an_activity_and_read_its_history(page: Any, base_url: str, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    admin = journeys.coordinator(base_url, DEMO_PASSWORD)
    today = office_today()
    source = journeys.publish_activity(admin, today.isoformat(), title=f"Grand Rounds {width}")
    journeys.sign_in(page, journeys.COORDINATOR, DEMO_PASSWORD)
    page.goto(f"/admin-activity.html?id={source}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit activity")
    copy = page.get_by_role("button", name="Copy", exact=True)
    expect(copy).to_have_attribute("aria-expanded", "false")
    copy.click()
    expect(copy).to_have_attribute("aria-expanded", "true")
    start = page.get_by_label("New start date")
    expect(start).to_be_focused()

    # an end before the start: the API's refusal, in words, and nothing made
    week = today + timedelta(days=7)
    start.fill(week.isoformat())
    page.get_by_label("New end date").fill(today.isoformat())
    page.get_by_role("button", name="Make the copy").click()
    expect(page.get_by_role("alert").filter(has_text="end date is before the start date")).to_be_visible()

    page.get_by_label("New end date").fill(week.isoformat())
    assert _axe(page) == []
    page.get_by_role("button", name="Make the copy").click()
    expect(page).not_to_have_url(re.compile(re.escape(f"id={source}")))
    expect(page).to_have_url(re.compile(r"/admin-activity\.html\?id=[0-9a-f-]{36}$"))
    expect(page.get_by_role("textbox", name="Title", exact=True)).to_have_value(f"Grand Rounds {width}")
    expect(page.get_by_label("Start date", exact=True)).to_have_value(week.isoformat())
    expect(page.get_by_label("Published")).not_to_be_checked()

    # the copy's History, read when opened: made by the coordinator, named, never by a key
    page.get_by_text("History", exact=True).click()
    entry = page.locator(".audit-entry").first
    expect(entry).to_contain_text("Made as a copy of another activity")
    expect(entry).to_contain_text("By Avery Coordinator (admin@example.org)")
    entry.get_by_text("Details").click()
    expect(entry).to_contain_text(source)  # copied_from: the source activity's id
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    assert _axe(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"activity-copy-history-{width}.png"), full_page=True)


def test_the_claims_page_links_the_evaluation_answers(page: Any, base_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    admin = journeys.coordinator(base_url, DEMO_PASSWORD)
    activity = journeys.publish_activity(admin, office_today().isoformat())
    journeys.sign_in(page, journeys.COORDINATOR, DEMO_PASSWORD)
    page.goto(f"/admin-claims.html?id={activity}")
    link = page.get_by_role("link", name="Download answers (CSV)")
    expect(link).to_have_attribute("href", f"/api/admin/activities/{activity}/evaluation?format=csv")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    assert _axe(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "claims-evaluation-link-390.png"), full_page=True)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("evaluation-")
