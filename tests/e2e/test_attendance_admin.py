"""A coordinator's attendance page with 400 attendees, on a phone (390 px wide): searched, paged,
exported (the CSV downloaded through the page holds every row), one wrong entry removed after a
confirm step, one person added; a claimed row shows "Claimed" and offers no removal."""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from infra.local.seed import DEMO_PASSWORD
from tests.e2e.test_publisher_flow import no_sideways_scroll, office_today, sign_in
from tests.support.http import StackClient

pytestmark = pytest.mark.e2e

ROWS = 400
PHONE = {"width": 390, "height": 844}


def roster() -> list[dict[str, str]]:
    rows = [
        {"email": f"attendee{n:03d}@example.org", "first_name": "Attendee", "last_name": f"Number{n:03d}"}
        for n in range(ROWS - 3)
    ]
    rows += [
        {"email": "raul.pena@hospital.org", "first_name": "Raúl", "last_name": "Peña"},
        {"email": "learner@example.org", "first_name": "Lee", "last_name": "Learner"},
        {"email": "wrong.entry@example.org", "first_name": "Wrong", "last_name": "Entry"},
    ]
    return rows


@pytest.fixture
def conference(base_url: str) -> dict[str, str]:
    """A 400-person conference today; the demo learner attended and claimed credit."""
    admin = StackClient(base_url)
    admin.sign_in("admin@example.org", DEMO_PASSWORD)
    title = f"Regional Trauma Conference {uuid.uuid4().hex[:6]}"
    status, created = admin.call(
        "POST",
        "/api/admin/activities",
        {
            "title": title,
            "description": "Two days of trauma care.",
            "format": "rss",
            "start_date": office_today(),
            "end_date": office_today(),
            "location": "Hall A",
            "credits": [{"type": "AMA_PRA_1", "max": 1.0}],
            "claim_window_days": 30,
            "evaluation": [],
            "published": True,
        },
    )
    assert status == 201, created
    activity_id = created["activity"]["activity_id"]
    status, report = admin.call("POST", f"/api/admin/activities/{activity_id}/attendance", {"rows": roster()})
    assert status == 200 and report["added"] == ROWS, report
    learner = StackClient(base_url)
    learner.sign_in("learner@example.org", DEMO_PASSWORD)
    claim = {
        "activity_id": activity_id,
        "credit_type": "AMA_PRA_1",
        "credits": 1.0,
        "evaluation": {},
        "attestation": True,
    }
    status, body = learner.call("POST", "/api/me/claims", claim)
    assert status == 201, body
    return {"id": activity_id, "title": title}


def test_400_attendees_searched_paged_exported_and_edited_on_a_phone(
    browser: Any, base_url: str, problems: Any, conference: dict[str, str], tmp_path: Path
) -> None:
    context = browser.new_context(base_url=base_url, viewport=PHONE, is_mobile=True, accept_downloads=True)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and problems.console_errors.append(m.text))
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        sign_in(page, "admin@example.org")
        page.goto(f"/admin-attendance.html?id={conference['id']}")
        table = page.get_by_role("table", name=f"Attended ({ROWS})")
        status = page.locator("#attendance-status")
        expect(status).to_have_text(f"Showing 1–50 of {ROWS}.")
        expect(table.locator("tbody tr")).to_have_count(50)
        page.wait_for_load_state("networkidle")
        height = page.evaluate("document.scrollingElement.scrollHeight")
        print(f"\nattendance page height at 390 px with {ROWS} rows: {height} px (50 rows shown)")
        page.screenshot(path=str(tmp_path / "attendance-390.png"), full_page=True)
        assert height < 6000, height  # the one-page list of 406 rows was about 18,800 px
        no_sideways_scroll(page)

        # paging: every page once, then back
        pages = page.get_by_role("navigation", name="Attendance pages")
        for n in range(2, 9):
            pages.get_by_role("button", name="Next").click()
            expect(status).to_have_text(f"Showing {(n - 1) * 50 + 1}–{n * 50} of {ROWS}.")
            expect(pages).to_contain_text(f"Page {n} of 8")
        expect(pages.get_by_role("button", name="Next")).to_be_disabled()
        pages.get_by_role("button", name="Previous").click()
        expect(status).to_have_text(f"Showing 301–350 of {ROWS}.")

        # search (typed: the list follows after a pause), case and accents aside
        search = page.get_by_role("searchbox", name="Search by name or email")
        search.press_sequentially("PENA")
        expect(status).to_have_text("Showing 1–1 of 1 matching “PENA”.")
        expect(table.locator("tbody tr")).to_have_count(1)
        expect(table.locator("tbody tr").first).to_contain_text("Raúl Peña")
        expect(pages).to_be_hidden()
        search.fill("learner@example.org")
        expect(status).to_have_text("Showing 1–1 of 1 matching “learner@example.org”.")
        claimed = table.locator("tbody tr").first
        expect(claimed.get_by_text("Claimed", exact=True)).to_be_visible()
        expect(claimed.get_by_role("button", name=re.compile("^Remove"))).to_have_count(0)

        # the CSV of every row, downloaded through the page
        with page.expect_download() as saved:
            page.get_by_role("link", name="Download CSV").click()
        download = saved.value
        assert re.fullmatch(
            r"attendance-regional-trauma-conference-[0-9a-f]{6}-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename
        )
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        lines = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
        assert len(lines) == ROWS + 1 and lines[0][0] == "Email"
        assert {line[0] for line in lines[1:]} == {row["email"] for row in roster()}
        assert next(line for line in lines if line[0] == "learner@example.org")[5] == "yes"

        # one wrong entry removed, after a confirm step
        search.fill("wrong.entry")
        expect(status).to_have_text("Showing 1–1 of 1 matching “wrong.entry”.")
        row = table.locator("tbody tr").first
        row.get_by_role("button", name="Remove wrong.entry@example.org").click()
        expect(row).to_contain_text("Remove wrong.entry@example.org?")
        no_sideways_scroll(page)
        row.get_by_role("button", name="Cancel").click()
        row.get_by_role("button", name="Remove wrong.entry@example.org").click()
        row.get_by_role("button", name="Yes, remove").click()
        expect(status).to_have_text("Removed wrong.entry@example.org.")
        search.fill("")
        expect(page.get_by_role("table", name=f"Attended ({ROWS - 1})")).to_be_visible()
        expect(status).to_have_text(f"Showing 1–50 of {ROWS - 1}.")

        # one person added
        form = page.locator("#add-one-form")
        form.get_by_label("Email").fill("Added.Person@Example.org")
        form.get_by_label("First name").fill("Added")
        form.get_by_label("Last name").fill("Person")
        form.get_by_role("button", name="Add").click()
        expect(page.locator("#add-one-status")).to_have_text("Added Added.Person@Example.org.")
        expect(page.get_by_role("table", name=f"Attended ({ROWS})")).to_be_visible()
        search.fill("added.person")
        expect(table.locator("tbody tr").first).to_contain_text("added.person@example.org")
        page.wait_for_load_state("networkidle")
        problems.assert_none("on the attendance page")
    finally:
        context.close()
