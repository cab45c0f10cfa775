"""Rosters as coordinators have them, uploaded through the attendance page in a real browser: an
Excel workbook, and a CSV that Excel on Windows saved in Windows-1252, accents intact."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.stack_clock import office_today

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "Demo-Password-2026"


def sign_in_as_coordinator(page: Any) -> None:
    page.goto("/sign-in.html")
    page.get_by_role("textbox", name="Email", exact=True).fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page).to_have_url(re.compile(r"/portal\.html$"))


def new_activity(page: Any) -> str:
    today = office_today().isoformat()
    answer = page.request.post(
        "/api/admin/activities",
        data={
            "title": f"Roster formats {uuid.uuid4().hex[:6]}",
            "description": "",
            "format": "live",
            "start_date": today,
            "end_date": today,
            "location": "Auditorium B",
            "credits": [{"type": "AMA_PRA_1", "max": 1.0}],
            "claim_window_days": 30,
            "evaluation": [],
            "published": True,
        },
    )
    assert answer.status == 201, answer.text()
    return str(answer.json()["activity"]["activity_id"])


def recorded(page: Any, activity_id: str) -> dict[str, tuple[str, str]]:
    """Who the API says attended: {email: (first name, last name)}."""
    answer = page.request.get(f"/api/admin/activities/{activity_id}/attendance?limit=200")
    assert answer.status == 200, answer.text()
    body = answer.json()
    rows = body["rows"] if "rows" in body else body["attendance"]  # the paged list, or the whole list
    return {row["email"]: (row["first_name"], row["last_name"]) for row in rows}


def upload(page: Any, activity_id: str, path: Path) -> Any:
    page.goto(f"/admin-attendance.html?id={activity_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance")
    page.get_by_label(re.compile("^Roster file")).set_input_files(str(path))
    with page.expect_request(re.compile(r"/api/admin/activities/[^/]+/attendance$")) as sent:
        page.get_by_role("button", name="Upload").click()
    return sent.value


def tally(page: Any, name: str) -> Any:
    return page.locator(".tally").locator("div").filter(has_text=name).locator("dd")


def test_an_excel_workbook_uploads_through_the_page(page: Any, problems: Any, tmp_path: Path) -> None:
    from openpyxl import Workbook

    sign_in_as_coordinator(page)
    activity_id = new_activity(page)
    tag = uuid.uuid4().hex[:8]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["E-mail Address", "First Name", "Last Name", "Department"])
    sheet.append([f"raul-{tag}@example.org", "Raúl", "Peña", "ICU"])
    sheet.append(["not an email", "Bad", "Row", None])
    sheet.append([f"zoe-{tag}@example.org", "Zoë", "Ångström", "Pharmacy"])
    path = tmp_path / "Grand Rounds sign-in.xlsx"
    book.save(path)

    request = upload(page, activity_id, path)
    assert request.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert request.post_data_buffer == path.read_bytes()  # sent as the file's bytes
    expect(tally(page, "Added")).to_have_text("2")
    expect(tally(page, "Rejected")).to_have_text("1")
    rejected = page.get_by_role("table", name=re.compile("^Rejected rows"))
    expect(rejected.get_by_role("row").nth(1)).to_contain_text("3")
    assert recorded(page, activity_id) == {
        f"raul-{tag}@example.org": ("Raúl", "Peña"),
        f"zoe-{tag}@example.org": ("Zoë", "Ångström"),
    }
    problems.assert_none("on the attendance page")


def test_a_windows_1252_csv_keeps_its_accents(page: Any, problems: Any, tmp_path: Path) -> None:
    sign_in_as_coordinator(page)
    activity_id = new_activity(page)
    tag = uuid.uuid4().hex[:8]
    path = tmp_path / "roster.csv"
    # what Excel on Windows writes for "CSV (Comma delimited)": Windows-1252, no byte-order mark
    path.write_bytes(
        f"Email,First Name,Last Name\r\nraul-{tag}@example.org,Raúl,Peña\r\nfrancois-{tag}@example.org,François,"
        "Müller–Smith\r\n".encode("cp1252")
    )
    assert b",Ra\xfal,Pe\xf1a\r\n" in path.read_bytes()  # one byte per accented letter, not UTF-8

    request = upload(page, activity_id, path)
    assert request.headers["content-type"] == "text/csv"
    expect(tally(page, "Added")).to_have_text("2")
    expect(tally(page, "Rejected")).to_have_text("0")
    assert recorded(page, activity_id) == {
        f"raul-{tag}@example.org": ("Raúl", "Peña"),
        f"francois-{tag}@example.org": ("François", "Müller–Smith"),
    }
    problems.assert_none("on the attendance page")


def test_a_file_of_another_kind_is_refused_on_the_page(page: Any, tmp_path: Path) -> None:
    sign_in_as_coordinator(page)
    activity_id = new_activity(page)
    path = tmp_path / "roster.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64))
    page.goto(f"/admin-attendance.html?id={activity_id}")
    page.get_by_label(re.compile("^Roster file")).set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text(re.compile(r"^Choose an Excel workbook \(\.xlsx\) or a CSV file"))).to_be_visible()
    assert recorded(page, activity_id) == {}


def test_an_undecodable_csv_says_why(page: Any, tmp_path: Path) -> None:
    sign_in_as_coordinator(page)
    activity_id = new_activity(page)
    path = tmp_path / "roster.csv"
    path.write_bytes(b"email\r\nann\x81@example.org\r\n")  # 0x81: in no encoding Excel saves
    upload(page, activity_id, path)
    expect(page.locator("#roster-alert")).to_contain_text("not text in UTF-8, UTF-16 or Windows-1252")
    assert recorded(page, activity_id) == {}
