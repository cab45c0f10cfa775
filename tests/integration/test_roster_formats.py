"""Roster uploads as coordinators have them, through the gateway: XLSX, and CSV in the
encodings Excel saves, with accents stored as sent."""

from __future__ import annotations

import io
from typing import Any

from tests.integration.test_publisher import create
from tests.support.calls import count_calls
from tests.support.client import ApiClient

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stored(activity_id: str) -> dict[str, tuple[str, str]]:
    """The attendance rows as stored (read from the table, whatever the list route answers)."""
    from cme.platform.models import Attendance

    return {item.email: (item.first_name, item.last_name) for item in Attendance.query(activity_id)}


def upload(admin: ApiClient, activity_id: str, raw: bytes, content_type: str) -> Any:
    return admin.call("POST", f"/api/admin/activities/{activity_id}/attendance", raw=raw, content_type=content_type)


def test_an_excel_workbook_imports_with_its_row_numbers(admin: ApiClient) -> None:
    activity = create(admin)["activity_id"]
    raw = workbook(
        [
            ["Grand Rounds sign-in sheet"],
            ["E-mail Address", "First Name", "Last Name", "Department"],
            ["Raul.Pena@Example.org", "Raúl", "Peña", "ICU"],
            ["zoe@example.org", "Zoë", "Ångström", "Pharmacy"],
            [None, None, None, None],
            ["not an email", "Ann", "Lee", None],
            [None, "No", "Email", None],
            ["zoe@example.org", "Zoë", "Ångström", "Pharmacy"],
        ]
    )
    answer = upload(admin, activity, raw, XLSX)
    assert answer.status == 200, answer.json
    assert answer.json["added"] == 2 and answer.json["already_present"] == 1
    assert [r["row"] for r in answer.json["rejected"]] == [6, 7]
    assert stored(activity) == {"raul.pena@example.org": ("Raúl", "Peña"), "zoe@example.org": ("Zoë", "Ångström")}


def test_a_2000_row_workbook_in_one_request(admin: ApiClient) -> None:
    activity = create(admin)["activity_id"]
    raw = workbook(
        [["Email Address", "First Name", "Last Name"]]
        + [[f"learner{n}@example.org", "Renée", f"Núñez{n}"] for n in range(2000)]
    )
    assert len(raw) < 200 * 1024  # far inside the upload limit (2 MB) and Lambda's 6 MB
    with count_calls() as counts:
        answer = upload(admin, activity, raw, XLSX)
    assert answer.status == 200 and answer.json == {"added": 2000, "already_present": 0, "rejected": []}
    assert counts["dynamodb:TransactWriteItems"] == 40 and counts["dynamodb:PutItem"] == 0
    rows = stored(activity)
    assert len(rows) == 2000 and rows["learner1999@example.org"] == ("Renée", "Núñez1999")


def test_a_windows_1252_csv_keeps_its_accents(admin: ApiClient) -> None:
    activity = create(admin)["activity_id"]
    raw = "E-mail,First Name,Last Name\r\nraul.pena@example.org,Raúl,Peña\r\n".encode("cp1252")
    answer = upload(admin, activity, raw, "text/csv")
    assert answer.status == 200 and answer.json["added"] == 1, answer.json
    assert stored(activity) == {"raul.pena@example.org": ("Raúl", "Peña")}


def test_utf16_and_utf8_bom_csv_and_a_zoom_report(admin: ApiClient) -> None:
    activity = create(admin)["activity_id"]
    utf16 = "Email\tFirst Name\tLast Name\r\nfrancois@example.org\tFrançois\tMüller\r\n".encode("utf-16")
    assert upload(admin, activity, utf16, "text/csv").json["added"] == 1
    zoom = (
        "Meeting ID,Topic,Start Time,User Email\r\n"
        "81234567890,Grand Rounds,11/27/2026 07:00:00 AM,host@example.org\r\n"
        "\r\n"
        "Name (Original Name),User Email,Total Duration (Minutes),Guest\r\n"
        "Siobhán Ní Bhriain (iPad),siobhan@example.org,58,Yes\r\n"
    ).encode("utf-8-sig")
    answer = upload(admin, activity, zoom, "text/csv; charset=utf-8")
    assert answer.status == 200 and answer.json == {"added": 1, "already_present": 0, "rejected": []}
    assert stored(activity) == {
        "francois@example.org": ("François", "Müller"),
        "siobhan@example.org": ("Siobhán Ní", "Bhriain"),
    }


def test_files_nothing_can_read_are_refused_with_their_reason(admin: ApiClient) -> None:
    activity = create(admin)["activity_id"]
    undecodable = upload(admin, activity, b"email\r\nann\x81@example.org\r\n", "text/csv")
    assert undecodable.status == 422 and undecodable.json["code"] == "ENCODING_INVALID"
    not_a_workbook = upload(admin, activity, b"email\r\nann@example.org\r\n", XLSX)
    assert not_a_workbook.status == 422 and not_a_workbook.json["code"] == "ROSTER_UNREADABLE"
    no_email = upload(admin, activity, workbook([["Name", "Phone"], ["Ann Lee", "555-0100"]]), XLSX)
    assert no_email.status == 422 and no_email.json["code"] == "ROSTER_INVALID"
    assert "email" in no_email.json["message"].lower()
    too_big = upload(admin, activity, b"PK\x03\x04" + bytes(2 * 1024 * 1024), XLSX)
    assert too_big.status == 413 and too_big.json["code"] == "PAYLOAD_TOO_LARGE"
    bad_json = upload(admin, activity, b'{"rows": [{"email": "ann\xff@example.org"}]}', "application/json")
    assert bad_json.status == 400 and bad_json.json["code"] == "MALFORMED_JSON"
    legacy = upload(admin, activity, b"\xd0\xcf\x11\xe0", "application/vnd.ms-excel")
    assert legacy.status == 415
    assert stored(activity) == {}
