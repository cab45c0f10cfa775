"""The coordinators' board reports page in a real browser: reached from the navigation, it
shows the counts of completions not yet reported and downloads the MOC and CPE files (the
header rows of cme.records.board_files.COLUMNS); marking a file reported answers with how many."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_publisher_flow import office_today, sign_in

pytestmark = pytest.mark.e2e

MOC_HEADER = "Board,Board ID,First Name,Last Name,Birth Month,Birth Day,Activity ID,Completion Date,Points"
CPE_HEADER = "NABP e-Profile ID,Birth Date (MMDD),UAN,Completion Date,Contact Hours"


def test_reports_page_downloads_the_files(page: Any, problems: Any, tmp_path: Path) -> None:
    sign_in(page, "admin@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Board reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board reports")
    table = page.locator("#due-table")
    expect(table.get_by_role("row")).to_have_count(3)  # the head, MOC, ACPE
    expect(table.get_by_role("row").nth(1)).to_contain_text("MOC (ACCME PARS)")
    expect(page.get_by_label("Completed through")).to_have_value(office_today())

    for name, header in (("Download the MOC file", MOC_HEADER), ("Download the CPE file", CPE_HEADER)):
        with page.expect_download() as saved:
            page.get_by_role("link", name=name).click()
        download = saved.value
        assert re.fullmatch(r"(moc|cpe)-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        text = target.read_text(encoding="utf-8-sig")
        assert text.splitlines()[0] == header, text[:200]
    expect(page).to_have_url(re.compile(r"/admin-reports\.html$"))  # attachments: the page stays

    page.get_by_role("button", name=re.compile(r"^Mark MOC lines through .+ reported$")).click()
    expect(page.get_by_role("status").filter(has_text="marked reported")).to_be_visible()
    problems.assert_none("on the board reports page")
