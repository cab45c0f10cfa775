"""The coordinators' board reports page in a real browser: reached from the navigation, it
shows the counts of completions not yet reported and PARS's year-end cut-off, downloads each
board's file in the format chosen (PARS's Excel learner template, CPE Monitor's records, the CSV
for review: cme.records.board_files.LAYOUTS and REVIEW_COLUMNS); marking a file reported answers
with how many."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_publisher_flow import office_today, sign_in
from tests.integration.test_board_files import CPE_FIELDS, PARS_TEMPLATE_HEADER

pytestmark = pytest.mark.e2e

MOC_HEADER = "Board,Board ID,First Name,Last Name,Birth Month,Birth Day,Activity ID,Completion Date,Points"


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

    page.get_by_role("button", name=re.compile(r"^Mark MOC lines through .+ reported$")).click()
    expect(page.get_by_role("status").filter(has_text="marked reported")).to_be_visible()
    problems.assert_none("on the board reports page")
