"""The board files in the boards' own layouts (docs/domain.md "Reporting to boards"), each read
back as the board's upload would read it: ACCME PARS's Excel learner template and its
tab-delimited text, and NABP CPE Monitor's records; what the MOC files leave out (activities
without a PARS activity id) and the board-reports status that lists it; the due dates; stored
partial claims of whole-only credit, flagged.

Fixtures copied from the published templates:

- ``PARS_TEMPLATE_HEADER``: row 2 of ACCME's Excel learner template
  ``917_20240125_Learner_Excel_CME_MOC_Template.xlsx`` (accme.org/resource/excel-learner-batch-template/,
  dated January 25, 2024), which "Excel Template Instructions for Submitting Learner Completion Data"
  (https://accme.org/resource/excel-learner-upload-instructions/, November 19, 2025) goes with: the
  header as read from that file by the public repository stormchaser-creator/CredentialDOMD
  (src/utils/cmeImport.js, read 2026-12-07; the template itself could not be loaded here). Its
  sample row: "Add", "202212345", a date, "All", "Learner", "09/10", ..., "ABIM", "999999", "5",
  "Medical Knowledge", "1" (Date of Birth MM/DD; the board's credit type and its points).
- ``CPE_FIELDS``: the fields of ACPE's "CPE Monitor Technical Specifications" (Steven Janis, RWK
  Design, for ACPE; created 02/10/2012, revised 08/28/2013; docplayer.net/13658386), "Submitting
  Pharmacist/Pharmacy Technician Activity using HTTP Get With JSON Response", in the order and
  with the names a public client sends to ``SubmitCPEActivityJSON`` (read 2026-12-07).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from tests.integration.test_board_reports import MOC_HEADER, claim, get, rows_of
from tests.integration.test_publisher import create
from tests.support.client import ApiClient

PARS_TEMPLATE_HEADER = [
    "Record Action",
    "ACCME Activity ID",
    "Completion Date",
    "First Name",
    "Last Name",
    "Date of Birth",
    "Licensing State",
    "Licensing ID or NPI",
    "Number of CME Credits",
    "Certifying Board",
    "Certifying Board ID",
    "Total Board Credits",
    "Credit Type",
    "Credits Awarded for Credit Type",
]
CPE_FIELDS = ["provider_number", "epid", "date_of_birth", "uan", "date_of_participation", "action"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def physicians(admin: ApiClient) -> dict[str, Any]:
    return create(
        admin,
        format="live",
        credits=[{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ABIM_MOC", "max": 1.0}],
        pars_activity_id="PARS-12345",
    )


@pytest.fixture
def no_pars_id(admin: ApiClient) -> dict[str, Any]:
    return create(
        admin,
        title="Grand Rounds without a PARS id",
        format="live",
        credits=[{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ABIM_MOC", "max": 1.0}],
    )


def download(admin: ApiClient, board: str, fmt: str, start: str = "2026-11-01", end: str = "2026-11-30") -> Any:
    answer = get(admin, f"/api/admin/reports/{board}?from={start}&to={end}&format={fmt}")
    assert answer.status == 200, answer.raw[:300]
    assert answer.header("content-disposition").startswith("attachment; filename=")
    return answer


def test_pars_excel_file_is_the_learner_template(
    admin: ApiClient, physicians: dict[str, Any], no_pars_id: dict[str, Any]
) -> None:
    from openpyxl import load_workbook

    consent = {"moc_consent": True, "board_ids": {"ABIM": "123456"}}
    claim(physicians, date(2026, 11, 2), [("AMA_PRA_1", 1.0), ("ABIM_MOC", 0.75)], first="=Mary", **consent)
    claim(no_pars_id, date(2026, 11, 3), [("ABIM_MOC", 1.0)], first="Left", last="Out", **consent)
    answer = download(admin, "moc", "pars-xlsx")
    assert answer.header("content-type") == XLSX
    assert 'filename="pars-learners-2026-11-01-to-2026-11-30.xlsx"' in answer.header("content-disposition")
    sheet = load_workbook(io.BytesIO(answer.raw)).active
    assert sheet.title == "Sheet1"
    assert sheet["A1"].value.startswith("Learner completions for ACCME PARS")  # row 1: guidance, as the template's
    assert [c.value for c in sheet[2]] == PARS_TEMPLATE_HEADER
    assert sheet.max_row == 3  # the activity without a PARS id is left out
    row = dict(zip(PARS_TEMPLATE_HEADER, sheet[3], strict=True))
    assert row["Record Action"].value == "Add"
    assert row["ACCME Activity ID"].value == "PARS-12345"
    assert row["Completion Date"].value == datetime(2026, 11, 2)  # a date cell, as the template's sample
    assert row["Completion Date"].number_format == "mm/dd/yyyy"
    assert (row["First Name"].value, row["First Name"].data_type) == ("=Mary", "s")  # text, never a formula
    assert (row["Last Name"].value, row["Date of Birth"].value) == ("Ruiz", "07/04")
    for empty in ("Licensing State", "Licensing ID or NPI", "Number of CME Credits"):
        assert row[empty].value is None
    assert (row["Certifying Board"].value, row["Certifying Board ID"].value) == ("ABIM", "123456")
    assert (row["Total Board Credits"].value, row["Credit Type"].value) == (0.75, "Medical Knowledge")
    assert row["Credits Awarded for Credit Type"].value == 0.75


def test_pars_text_file_has_no_header_and_the_template_positions(
    admin: ApiClient, physicians: dict[str, Any], no_pars_id: dict[str, Any]
) -> None:
    consent = {"moc_consent": True, "board_ids": {"ABIM": "99"}}
    claim(physicians, date(2026, 11, 4), [("ABIM_MOC", 1.0)], first="Ana\tMaria", last="Ruiz", **consent)
    claim(physicians, date(2026, 11, 2), [("ABIM_MOC", 0.5)], first="Bo", last="Li", birth_mmdd="1231", **consent)
    claim(no_pars_id, date(2026, 11, 3), [("ABIM_MOC", 1.0)], **consent)
    answer = download(admin, "moc", "pars-txt")
    assert answer.header("content-type").startswith("text/plain")
    assert 'filename="pars-learners-2026-11-01-to-2026-11-30.txt"' in answer.header("content-disposition")
    text = answer.raw.decode("utf-8")
    assert not text.startswith("\ufeff") and text.endswith("\r\n")
    records = [line.split("\t") for line in text.split("\r\n")[:-1]]
    assert all(len(r) == len(PARS_TEMPLATE_HEADER) for r in records)  # no header row: every line a record
    at = {name: i for i, name in enumerate(PARS_TEMPLATE_HEADER)}
    assert [r[at["First Name"]] for r in records] == ["Bo", "Ana Maria"]  # by completion date; no tab inside
    first = records[0]
    assert first[at["Record Action"]] == "Add" and first[at["ACCME Activity ID"]] == "PARS-12345"
    assert first[at["Completion Date"]] == "11/02/2026" and first[at["Date of Birth"]] == "12/31"
    assert (first[at["Certifying Board"]], first[at["Certifying Board ID"]]) == ("ABIM", "99")
    assert (first[at["Total Board Credits"]], first[at["Credit Type"]]) == ("0.5", "Medical Knowledge")
    assert first[at["Credits Awarded for Credit Type"]] == "0.5"
    assert first[at["Licensing State"]] == first[at["Number of CME Credits"]] == ""


def test_cpe_monitor_records_take_the_uan_of_the_learners_audience(admin: ApiClient) -> None:
    both = create(
        admin,
        format="live",
        credits=[{"type": "ACPE", "max": 2.0}],
        uan_pharmacist="0204-0000-26-001-L01-P",
        uan_technician="0204-0000-26-001-L01-T",
    )
    legacy = create(
        admin, title="Older", format="live", credits=[{"type": "ACPE", "max": 1.0}], uan="0204-0000-25-009-L04-P"
    )
    claim(both, date(2026, 11, 3), [("ACPE", 2.0)], degree="PharmD", nabp="1111111", birth_mmdd="1231")
    claim(both, date(2026, 11, 4), [("ACPE", 2.0)], degree="CPhT", nabp="2222222", birth_mmdd="0101")
    claim(legacy, date(2026, 11, 5), [("ACPE", 1.0)], degree="PharmD", nabp="3333333", birth_mmdd="0704")
    answer = download(admin, "cpe", "cpe-monitor")
    assert 'filename="cpe-monitor-2026-11-01-to-2026-11-30.csv"' in answer.header("content-disposition")
    records = list(csv.DictReader(io.StringIO(answer.raw.decode("utf-8"))))
    assert list(records[0]) == CPE_FIELDS
    assert [tuple(r.values()) for r in records] == [
        ("0204", "1111111", "1231", "0204-0000-26-001-L01-P", "2026-11-03", "I"),
        ("0204", "2222222", "0101", "0204-0000-26-001-L01-T", "2026-11-04", "I"),
        ("0204", "3333333", "0704", "0204-0000-25-009-L04-P", "2026-11-05", "I"),
    ]
    # the technician is told apart by the UAN's suffix, as CPE Monitor does
    assert [r["uan"][-1] for r in records] == ["P", "T", "P"]
    # the review CSV shows the same UAN per audience
    review = rows_of(get(admin, "/api/admin/reports/cpe?from=2026-11-01&to=2026-11-30"))
    assert [r[2] for r in review[1:]] == [r["uan"] for r in records]


def test_a_format_for_the_other_board_is_refused(admin: ApiClient) -> None:
    for url in ("/api/admin/reports/cpe?format=pars-xlsx", "/api/admin/reports/moc?format=cpe-monitor"):
        answer = get(admin, url)
        assert answer.status == 422 and answer.json["code"] == "VALIDATION_FAILED", url
        assert answer.json["details"][0]["field"] == "format"
    unknown = get(admin, "/api/admin/reports/moc?format=xml")
    assert unknown.status == 422 and unknown.json["code"] == "VALIDATION_FAILED"
    # no format: today's CSV for review, as before
    assert rows_of(get(admin, "/api/admin/reports/moc?from=2026-11-01&to=2026-11-30")) == [MOC_HEADER.split(",")]


def test_missing_pars_ids_are_listed_left_out_and_not_marked(
    admin: ApiClient, physicians: dict[str, Any], no_pars_id: dict[str, Any]
) -> None:
    from cme.platform import clock

    today = clock.office_today()
    consent = {"moc_consent": True, "board_ids": {"ABIM": "99"}}
    claim(no_pars_id, today - timedelta(days=3), [("AMA_PRA_1", 1.0), ("ABIM_MOC", 1.0)], **consent)
    claim(no_pars_id, today - timedelta(days=2), [("ABIM_MOC", 1.0)], first="Bo", **consent)
    claim(no_pars_id, today - timedelta(days=2), [("ABIM_MOC", 1.0)], first="No", last="Consent")
    claim(physicians, today - timedelta(days=2), [("ABIM_MOC", 1.0)], **consent)
    status = admin.get("/api/admin/reports/status").json
    assert status["missing_pars_ids"] == [
        {"activity_id": no_pars_id["activity_id"], "title": "Grand Rounds without a PARS id", "lines": 2}
    ]
    assert status["moc"]["unreported"] == 3  # still due: the office fills the id in
    span = f"from={today - timedelta(days=5)}&to={today}"
    assert len(rows_of(get(admin, f"/api/admin/reports/moc?{span}"))) == 2  # the header and the one with an id
    assert admin.post("/api/admin/reports/moc/submitted", {"through": today.isoformat()}).json == {"marked": 1}
    # the id filled in: its lines go in the files and leave the list
    activity = admin.get(f"/api/admin/activities/{no_pars_id['activity_id']}").json["activity"]
    fields = ("title", "description", "format", "start_date", "end_date", "location", "credits", "claim_window_days")
    body = {k: activity[k] for k in fields} | {"evaluation": activity["evaluation"], "pars_activity_id": "PARS-9"}
    assert admin.put(f"/api/admin/activities/{no_pars_id['activity_id']}", body).status == 200
    status = admin.get("/api/admin/reports/status").json
    assert status["missing_pars_ids"] == [] and status["moc"]["unreported"] == 2
    assert len(rows_of(get(admin, f"/api/admin/reports/moc?{span}"))) == 4


def test_due_dates_pars_from_the_claim_cpe_from_participation(
    admin: ApiClient, physicians: dict[str, Any], clock: Any
) -> None:
    from cme.platform import clock as office_clock

    pharmacy = create(
        admin, format="live", credits=[{"type": "ACPE", "max": 1.0}], uan_pharmacist="0204-0000-26-002-L01-P"
    )
    now, today = office_clock.now(), office_clock.office_today()
    consent = {"moc_consent": True, "board_ids": {"ABIM": "99"}}
    # completed 40 days ago, claimed 3 days ago: PARS's 30 days run from the claim, not yet due
    claim(physicians, today - timedelta(days=40), [("ABIM_MOC", 1.0)], claimed_at=now - timedelta(days=3), **consent)
    # claimed 25 days ago: due within 7 days; claimed 31 days ago: overdue
    claim(physicians, today - timedelta(days=25), [("ABIM_MOC", 1.0)], claimed_at=now - timedelta(days=25), **consent)
    claim(physicians, today - timedelta(days=31), [("ABIM_MOC", 1.0)], claimed_at=now - timedelta(days=31), **consent)
    # ACPE: 60 days from the date of participation, whenever claimed
    claim(pharmacy, today - timedelta(days=61), [("ACPE", 1.0)], nabp="1", claimed_at=now)
    claim(pharmacy, today - timedelta(days=55), [("ACPE", 1.0)], nabp="2", claimed_at=now)
    claim(pharmacy, today - timedelta(days=20), [("ACPE", 1.0)], nabp="3", claimed_at=now)
    status = admin.get("/api/admin/reports/status").json
    assert status["moc"] == {"unreported": 3, "due_soon": 1, "overdue": 1}
    assert status["cpe"] == {"unreported": 3, "due_soon": 1, "overdue": 1}
    year, until = (
        (today.year - 1, date(today.year, 3, 31))
        if today <= date(today.year, 3, 31)
        else (
            today.year,
            date(today.year + 1, 3, 31),
        )
    )
    assert status["pars_year_end"] == {"year": year, "until": until.isoformat()}


def test_stored_partial_claims_of_whole_only_credit_are_flagged(admin: ApiClient) -> None:
    peds = create(
        admin,
        title="Pediatric sepsis",
        format="live",
        credits=[{"type": "AMA_PRA_1", "max": 2.0}, {"type": "ABP_MOC", "max": 2.0}],
        pars_activity_id="PARS-2",
    )
    pharmacy = create(
        admin,
        title="Anticoagulation",
        format="live",
        credits=[{"type": "ACPE", "max": 2.0}],
        uan="0204-0000-26-003-L01-P",
    )
    day = date(2026, 11, 2)
    partial = claim(
        peds, day, [("AMA_PRA_1", 1.0), ("ABP_MOC", 0.75)], first="Pat", last="Ng"
    )  # no consent: still flagged
    claim(peds, day, [("AMA_PRA_1", 0.5), ("ABP_MOC", 2.0)], first="Whole", last="Points")  # AMA may be partial
    hours = claim(pharmacy, day, [("ACPE", 0.25)], degree="PharmD", first="Ria", last="Das", nabp="1")
    claim(pharmacy, day, [("ACPE", 2.0)], degree="PharmD", first="Full", last="Hours", nabp="2")
    flagged = admin.get("/api/admin/reports/status").json["partial_claims"]
    assert flagged == [
        {
            "claim_id": hours.claim_id,
            "learner_name": "Ria Das",
            "activity_id": pharmacy["activity_id"],
            "activity_title": "Anticoagulation",
            "credit_type": "ACPE",
            "label": "ACPE contact hours",
            "claimed": 0.25,
            "designated": 2.0,
        },
        {
            "claim_id": partial.claim_id,
            "learner_name": "Pat Ng",
            "activity_id": peds["activity_id"],
            "activity_title": "Pediatric sepsis",
            "credit_type": "ABP_MOC",
            "label": "ABP MOC points",
            "claimed": 0.75,
            "designated": 2.0,
        },
    ]
    # flagged, never changed
    from cme.platform.models import Claim

    stored = Claim.get(partial.learner_id, partial.activity_id)
    assert [(x.credit_type, x.credits) for x in stored.lines] == [("AMA_PRA_1", 1.0), ("ABP_MOC", 0.75)]


def test_a_claim_is_never_refused_for_the_offices_missing_pars_id(
    admin: ApiClient, new_client: Any, outbox: Any, no_pars_id: dict[str, Any]
) -> None:
    """The claim route takes an MOC claim with consent whatever the activity's PARS id; the line
    waits in the status's list until the office fills the id in."""
    from tests.integration.test_claim_lines import AMA_MOC, MOC_DETAILS, learner, lines_body

    md = learner(admin, new_client, outbox, no_pars_id, "md", "MD")
    answer = md.post("/api/me/claims", lines_body(no_pars_id, AMA_MOC, **MOC_DETAILS))
    assert answer.status == 201, answer.json
    status = admin.get("/api/admin/reports/status").json
    assert status["missing_pars_ids"] == [
        {"activity_id": no_pars_id["activity_id"], "title": "Grand Rounds without a PARS id", "lines": 1}
    ]
