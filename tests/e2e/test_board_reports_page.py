"""The coordinators' board reports page in a real browser: reached from the navigation, it
shows the counts of completions not yet reported and PARS's year-end cut-off, downloads each
board's file in the format chosen (PARS's Excel learner template, CPE Monitor's records, the CSV
for review: cme.records.board_files.LAYOUTS and REVIEW_COLUMNS); marking a file reported answers
with how many."""

from __future__ import annotations

import re
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from infra.local.seed import DEMO_PASSWORD
from tests.e2e.test_publisher_flow import office_today, sign_in
from tests.integration.test_board_files import CPE_FIELDS, PARS_TEMPLATE_HEADER
from tests.support import journeys

pytestmark = pytest.mark.e2e

PASSWORD = "lantern orchard quietly"
MOC_HEADER = "Board,Board ID,First Name,Last Name,Birth Month,Birth Day,Activity ID,Completion Date,Points"
UNDO_MS = 10_000  # web/js/admin-reports.js UNDO_SECONDS


def save(page: Any, link_name: str, tmp_path: Path) -> Path:
    with page.expect_download() as saved:
        page.get_by_role("link", name=link_name).click()
    download = saved.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return target


def test_reports_page_downloads_the_files(page: Any, problems: Any, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    sign_in(page, "admin@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Board reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board reports")
    table = page.locator("#due-table")
    expect(table.get_by_role("row")).to_have_count(3)  # the head, MOC, ACPE
    expect(table.get_by_role("row").nth(1)).to_contain_text("MOC (ACCME PARS)")
    expect(page.get_by_label("Completed through")).to_have_value(office_today())
    expect(page.locator("#pars-year-end")).to_have_text(
        re.compile(r"^PARS accepts \d{4}'s learner data until March 31, \d{4}")
    )

    # the upload formats are the defaults
    expect(page.get_by_label("MOC file format")).to_have_value("pars-xlsx")
    excel = save(page, "Download the MOC file", tmp_path)
    assert re.fullmatch(r"pars-learners-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.xlsx", excel.name)
    sheet = load_workbook(excel).active
    assert [c.value for c in sheet[2]] == PARS_TEMPLATE_HEADER

    expect(page.get_by_label("CPE file format")).to_have_value("cpe-monitor")
    records = save(page, "Download the CPE file", tmp_path)
    assert re.fullmatch(r"cpe-monitor-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv", records.name)
    assert records.read_text(encoding="utf-8").splitlines()[0] == ",".join(CPE_FIELDS)

    page.get_by_label("MOC file format").select_option(label="PARS tab-delimited text (.txt)")
    text = save(page, "Download the MOC file", tmp_path)
    assert text.suffix == ".txt" and text.read_text(encoding="utf-8") == ""  # no header row, no lines yet

    page.get_by_label("MOC file format").select_option(label="CSV for review (.csv)")
    review = save(page, "Download the MOC file", tmp_path)
    assert re.fullmatch(r"moc-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv", review.name)
    assert review.read_text(encoding="utf-8-sig").splitlines()[0] == MOC_HEADER
    expect(page).to_have_url(re.compile(r"/admin-reports\.html$"))  # attachments: the page stays

    problems.assert_none("on the board reports page")


def moc_claims(base_url: str, count: int) -> None:
    """``count`` MDs who each claimed AMA 1.0 + ABIM MOC 1.0 today, with consent, for an activity
    with a PARS activity id (so their MOC lines are in the MOC file and waiting to be marked)."""
    admin = journeys.coordinator(base_url, DEMO_PASSWORD)
    day = office_today()
    activity_id = journeys.publish_activity(
        admin,
        day,
        credits=[{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ABIM_MOC", "max": 1.0}],
        pars_activity_id=str(uuid.uuid4().int % 10**8),
    )
    for _ in range(count):
        email = journeys.unique_email("moc")
        learner = journeys.sign_up(base_url, email, PASSWORD)
        journeys.attend(admin, activity_id, email)
        status, body = learner.call(
            "POST",
            "/api/me/claims",
            {
                "activity_id": activity_id,
                "lines": [{"credit_type": "AMA_PRA_1", "credits": 1.0}, {"credit_type": "ABIM_MOC", "credits": 1.0}],
                "moc_consent": True,
                "board_ids": {"ABIM": "123456"},
                "birth_mmdd": "0704",
                "attestation": True,
            },
        )
        assert status == 201, body


def unreported_moc(base_url: str) -> int:
    """What marking the MOC file through today would mark (GET .../moc/unreported)."""
    admin = journeys.coordinator(base_url, DEMO_PASSWORD)
    status, body = admin.call("GET", f"/api/admin/reports/moc/unreported?through={office_today()}")
    assert status == 200, body
    return int(body["count"])


@pytest.mark.parametrize("width", [390, 1280])
def test_marking_reported_is_secondary_asked_first_and_undone(
    browser: Any, base_url: str, problems: Any, width: int
) -> None:
    """ "Mark MOC lines reported" is a secondary (outlined) button; it asks first, saying how many
    lines and through which day; Cancel marks nothing; after Yes, Undo within 10 seconds marks
    nothing; left alone, the lines are marked.

    The 10 seconds (web/js/admin-reports.js UNDO_SECONDS) pass on Playwright's fake clock,
    installed before the first page loads: ``run_for`` fires the page's timers at once. The
    timer is set only once the dialog's asynchronous ``close`` event has resolved its question,
    so the clock is run only after the page shows the pending marking (its Undo focused)."""
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.clock.install()  # before any page's script: its setTimeout is the fake clock's
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        moc_claims(base_url, 2)
        sign_in(page, "admin@example.org")
        page.goto("/admin-reports.html")
        mark = page.get_by_role("button", name=re.compile(r"^Mark MOC lines through .+ reported$"))
        expect(mark).to_have_class(re.compile(r"\bbutton--secondary\b"))
        background = mark.evaluate("b => getComputedStyle(b).backgroundColor")
        surface = page.evaluate("getComputedStyle(document.querySelector('.card')).backgroundColor")
        assert background == surface, (background, surface)  # not filled
        posts: list[str] = []
        page.on("request", lambda r: r.method == "POST" and "/submitted" in r.url and posts.append(r.url))

        waiting = unreported_moc(base_url)
        assert waiting >= 2
        today = date.fromisoformat(office_today())
        day = f"{today:%B} {today.day}, {today.year}"
        mark.click()
        dialog = page.get_by_role("dialog", name="Mark these lines reported?")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text(f"Mark {waiting} MOC lines completed through {day} as reported?")
        assert Axe().run(page, context="#mark-dialog").response["violations"] == []
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_be_hidden()
        expect(mark).to_be_focused()

        mark.click()
        dialog.get_by_role("button", name="Mark reported").click()
        undo = page.get_by_role("button", name="Undo")
        expect(undo).to_be_focused()
        pending = f"Marking {waiting} MOC lines through {day} reported in 10 seconds."
        expect(page.locator("#moc-pending")).to_contain_text(pending)
        undo.click()
        expect(page.get_by_role("status").filter(has_text="Undone: nothing was marked reported.")).to_be_visible()
        expect(undo).to_be_hidden()
        page.clock.run_for(UNDO_MS + 1_000)  # past the Undo time: the marking undone never goes
        assert posts == [] and unreported_moc(base_url) == waiting

        mark.click()
        dialog.get_by_role("button", name="Mark reported").click()
        expect(undo).to_be_focused()  # the timer is set
        expect(page.locator("#moc-pending")).to_contain_text(pending)
        page.clock.run_for(UNDO_MS)
        expect(page.get_by_role("status").filter(has_text=f"{waiting} completions marked reported.")).to_be_visible()
        expect(page.locator("#moc-pending")).to_be_hidden()
        assert len(posts) == 1  # the undone marking was never sent, this one once
        assert unreported_moc(base_url) == 0
        assert not problems.page_errors
    finally:
        context.close()
