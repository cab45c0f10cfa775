"""The activity lists in a real browser (issue 14, part 1): the public catalogue is searched
(case and accents ignored) and paged with "More activities"; the coordinators' list is searched
and paged the same way; both at 390 px wide with no sideways scroll and no serious axe finding."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from infra.local.seed import DEMO_PASSWORD
from tests.support.http import StackClient
from tests.support.stack_clock import office_today

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
ROUNDS = 56  # more than a page of the coordinators' list (50) and of the catalogue (20)


def _office_day(offset: int) -> str:
    return (office_today() + timedelta(days=offset)).isoformat()


def _create(admin: StackClient, title: str, day: str, location: str = "Auditorium B", **fields: Any) -> str:
    body = {
        "title": title,
        "format": "rss",
        "start_date": day,
        "end_date": day,
        "location": location,
        "credits": [{"type": "AMA_PRA_1", "max": 1.0}],
        "claim_window_days": 30,
        "published": True,
        **fields,
    }
    status, created = admin.call("POST", "/api/admin/activities", body)
    assert status == 201, created
    return str(created["activity"]["activity_id"])


@pytest.fixture
def rounds(base_url: str) -> dict[str, Any]:
    """ROUNDS grand rounds with one tag, one a day from tomorrow (a few drafts), and one café talk
    whose title and location carry accents."""
    tag = uuid.uuid4().hex[:6]
    admin = StackClient(base_url)
    admin.sign_in("admin@example.org", DEMO_PASSWORD)
    made = [
        _create(admin, f"Paging Rounds {tag} {n:02d}", _office_day(n + 1), published=n % 7 != 3) for n in range(ROUNDS)
    ]
    cafe = _create(admin, f"Café Cardiología {tag}", _office_day(3), location="Sala Müller")
    return {"tag": tag, "ids": made, "cafe": cafe, "drafts": sum(1 for n in range(ROUNDS) if n % 7 == 3)}


def _serious(page: Any) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.viewport_size["width"]


def test_the_catalogue_is_searched_and_paged_on_a_phone(page: Any, rounds: dict[str, Any]) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/index.html")
    upcoming = page.get_by_role("list", name="Upcoming activities")
    more = page.get_by_role("button", name="More activities")
    expect(more).to_be_visible()  # the catalogue holds more than one page now
    expect(upcoming.get_by_role("heading", level=3)).to_have_count(20)
    _no_sideways_scroll(page)

    # accents and case do not matter; the title and the location are both searched
    search = page.get_by_role("searchbox", name="Search activities")
    search.fill(f"CAFE cardiologia {rounds['tag']}")
    page.get_by_role("button", name="Search", exact=True).click()
    cards = upcoming.get_by_role("heading", level=3)
    expect(cards).to_have_text([f"Café Cardiología {rounds['tag']}"])
    expect(page.get_by_role("status").filter(has_text="found")).to_have_text("1 activity found.")
    expect(more).to_be_hidden()
    search.fill(f"sala muller {rounds['tag']}")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(cards).to_have_text([f"Café Cardiología {rounds['tag']}"])

    # the tag alone: every published round and the café talk, 20 at a time, soonest first
    published = ROUNDS - rounds["drafts"] + 1
    search.fill(f"paging rounds {rounds['tag']}")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(cards).to_have_count(20)
    more.click()
    expect(cards).to_have_count(40)
    expect(page.locator(":focus")).to_have_text(cards.nth(20).inner_text())  # focus on the first new card
    more.click()
    expect(cards).to_have_count(published - 1)
    expect(more).to_be_hidden()
    titles = cards.all_inner_texts()
    assert titles == sorted(titles) and len(set(titles)) == len(titles)
    assert not [t for t in titles if t.endswith(tuple(f" {n:02d}" for n in range(ROUNDS) if n % 7 == 3))]
    _no_sideways_scroll(page)
    assert _serious(page) == []

    # a date range: only the activities of those days
    page.get_by_role("button", name="Show all").click()
    page.get_by_label("From").fill(_office_day(2))
    page.get_by_label("To").fill(_office_day(4))
    search.fill(rounds["tag"])
    page.get_by_role("button", name="Search", exact=True).click()
    expect(cards).to_have_count(3)  # rounds 01 and 02 (03 is a draft) and the café talk
    expect(page.get_by_role("status").filter(has_text="found")).to_have_text("3 activities found.")


def test_the_coordinators_list_is_searched_and_paged(page: Any, rounds: dict[str, Any]) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/sign-in.html")
    page.get_by_label("Email").fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url("**/portal.html")
    page.goto("/admin.html")
    table = page.get_by_role("table")
    rows = table.locator("tbody tr")
    more = page.get_by_role("button", name="More activities")
    expect(rows).to_have_count(50)
    expect(more).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Showing 50 activities;"))).to_be_visible()

    page.get_by_role("searchbox", name="Search activities").fill(f"Paging Rounds {rounds['tag']}")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(rows).to_have_count(50)
    more.click()
    expect(rows).to_have_count(ROUNDS)  # drafts included
    expect(more).to_be_hidden()
    expect(page.get_by_text(f"{ROUNDS} activities found.")).to_be_visible()
    listed = [row.get_attribute("data-activity-id") for row in rows.all()]
    assert listed == rounds["ids"]  # soonest first, each once
    expect(rows.filter(has_text="Draft")).to_have_count(rounds["drafts"])
    _no_sideways_scroll(page)
    assert _serious(page) == []

    page.get_by_role("searchbox", name="Search activities").fill(f"nothing like this {rounds['tag']}")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("No activities match your search.")).to_be_visible()
    expect(table).to_be_hidden()
    page.get_by_role("button", name="Show all").click()
    expect(rows).to_have_count(50)
    expect(page.get_by_role("searchbox", name="Search activities")).to_be_focused()
