"""Board reporting files (docs/api.md "Reporting to boards"): the MOC file for ACCME PARS, the CPE
file for NABP CPE Monitor, submissions that mark lines reported, and the deadline counts."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.integration.conftest import account
from tests.integration.test_publisher import create
from tests.support.client import ApiClient

MOC_HEADER = "Board,Board ID,First Name,Last Name,Birth Month,Birth Day,Activity ID,Completion Date,Points"
CPE_HEADER = "NABP e-Profile ID,Birth Date (MMDD),UAN,Completion Date,Contact Hours"


def claim(
    activity: dict[str, Any],
    completed: date,
    lines: list[tuple[str, float]],
    *,
    first: str = "Ana",
    last: str = "Ruiz",
    degree: str = "MD",
    moc_consent: bool = False,
    board_ids: dict[str, str] | None = None,
    birth_mmdd: str | None = "0704",
    nabp: str | None = None,
    claimed_at: datetime | None = None,
) -> Any:
    """A claim as claim_credit records it (lines, consent, the reporting snapshot, report fields)."""
    from cme.platform import clock
    from cme.platform.models import Claim
    from cme.platform.models.tables import ClaimLine
    from cme.records import board_files
    from cme.rules import credit

    item = Claim(
        str(uuid.uuid4()),
        activity["activity_id"],
        claim_id=str(uuid.uuid4()),
        activity_title=activity["title"],
        activity_start=activity["start_date"],
        activity_end=activity["end_date"],
        activity_format=activity["format"],
        completed_on=completed.isoformat(),
        credit_type=lines[0][0],
        credits=lines[0][1],
        lines=[ClaimLine(credit_type=t, credits=c) for t, c in lines],
        moc_consent=moc_consent,
        board_ids=board_ids,
        birth_mmdd=birth_mmdd,
        nabp_eprofile_id=nabp,
        attested=True,
        claimed_at=claimed_at or clock.now(),
        certificate_code=credit.certificate_code(),
        learner_name=f"{first} {last}",
        degree=degree,
        email=f"{uuid.uuid4().hex[:8]}@example.org",
    )
    board_files.prepare(item, first, last)
    item.save()
    return item


def get(client: ApiClient, url: str) -> Any:
    path, _, query = url.partition("?")
    return client.get(path, query=query)


def rows_of(answer: Any) -> list[list[str]]:
    assert answer.status == 200, answer.raw[:300]
    assert answer.header("content-type").startswith("text/csv")
    assert answer.header("content-disposition").startswith("attachment; filename=")
    text = answer.raw.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def physicians(admin: ApiClient) -> dict[str, Any]:
    return create(
        admin,
        format="live",
        credits=[{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ABIM_MOC", "max": 1.0}],
        pars_activity_id="PARS-12345",
    )


@pytest.fixture
def pharmacists(admin: ApiClient) -> dict[str, Any]:
    return create(
        admin,
        format="live",
        credits=[{"type": "AMA_PRA_1", "max": 2.0}, {"type": "ACPE", "max": 2.0}],
        uan="JA0000000-0000-26-001-L01-P",
    )


def test_activity_keeps_its_uan_and_pars_id(admin: ApiClient, pharmacists: dict[str, Any]) -> None:
    assert pharmacists["uan"] == "JA0000000-0000-26-001-L01-P" and pharmacists["pars_activity_id"] is None
    got = admin.get(f"/api/admin/activities/{pharmacists['activity_id']}").json["activity"]
    assert got["uan"] == "JA0000000-0000-26-001-L01-P"
    # the public catalogue does not carry them
    assert "uan" not in admin.get(f"/api/activities/{pharmacists['activity_id']}").json


def test_moc_file_has_consented_lines_only(admin: ApiClient, physicians: dict[str, Any]) -> None:
    day = date(2026, 11, 2)
    claim(
        physicians,
        day,
        [("AMA_PRA_1", 1.0), ("ABIM_MOC", 0.75)],
        first="Mary Ann",
        last="O'Neil",
        moc_consent=True,
        board_ids={"ABIM": "123456"},
        birth_mmdd="0229",
    )
    claim(physicians, day, [("AMA_PRA_1", 1.0), ("ABIM_MOC", 1.0)], first="No", last="Consent", moc_consent=False)
    claim(physicians, day, [("AMA_PRA_1", 1.0)], first="Only", last="Ama")
    rows = rows_of(get(admin, "/api/admin/reports/moc?from=2026-11-01&to=2026-11-30"))
    assert ",".join(rows[0]) == MOC_HEADER
    assert rows[1:] == [["ABIM", "123456", "Mary Ann", "O'Neil", "02", "29", "PARS-12345", "11/02/2026", "0.75"]]


def test_cpe_file_has_every_acpe_line(admin: ApiClient, pharmacists: dict[str, Any]) -> None:
    claim(pharmacists, date(2026, 11, 3), [("ACPE", 2.0)], degree="PharmD", nabp="1234567", birth_mmdd="1231")
    claim(pharmacists, date(2026, 11, 4), [("ACPE", 1.5)], degree="PharmD", nabp="7654321", birth_mmdd="0101")
    claim(pharmacists, date(2026, 11, 4), [("AMA_PRA_1", 2.0)])  # a physician: nothing to NABP
    rows = rows_of(get(admin, "/api/admin/reports/cpe?from=2026-11-01&to=2026-11-30"))
    assert ",".join(rows[0]) == CPE_HEADER
    uan = "JA0000000-0000-26-001-L01-P"
    assert rows[1:] == [
        ["1234567", "1231", uan, "11/03/2026", "2.0"],
        ["7654321", "0101", uan, "11/04/2026", "1.5"],
    ]


def test_files_cover_the_date_range_only(admin: ApiClient, pharmacists: dict[str, Any]) -> None:
    for day in (date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 1)):
        claim(pharmacists, day, [("ACPE", 1.0)], degree="PharmD", nabp=day.strftime("%m%d"))
    rows = rows_of(get(admin, "/api/admin/reports/cpe?from=2026-11-01&to=2026-11-30"))
    assert [r[0] for r in rows[1:]] == ["1101", "1130"]
    assert rows_of(get(admin, "/api/admin/reports/moc?from=2026-11-01&to=2026-11-30")) == [MOC_HEADER.split(",")]
    backwards = get(admin, "/api/admin/reports/cpe?from=2026-12-01&to=2026-11-01")
    assert backwards.status == 422 and backwards.json["code"] == "DATES_INVALID"
    assert get(admin, "/api/admin/reports/pars?from=2026-11-01&to=2026-11-30").status == 404
    assert get(admin, "/api/admin/reports/cpe?from=yesterday").status == 422


def test_submitted_marks_audits_and_the_counts_drop(admin: ApiClient, physicians: dict[str, Any]) -> None:
    from cme.platform import clock
    from cme.platform.models import AuditRecord

    today, now = clock.office_today(), clock.now()
    consent = {"moc_consent": True, "board_ids": {"ABIM": "99"}}

    def ago(days: int) -> dict[str, Any]:  # completed and claimed that many days ago (PARS: 30 days from the claim)
        return {"claimed_at": now - timedelta(days=days)}

    claim(physicians, today - timedelta(days=40), [("ABIM_MOC", 1.0)], **consent, **ago(40))  # overdue
    claim(physicians, today - timedelta(days=25), [("ABIM_MOC", 1.0)], **consent, **ago(25))  # due in 5 days
    claim(physicians, today - timedelta(days=2), [("ABIM_MOC", 1.0)], **consent, **ago(2))  # due in 28 days
    claim(physicians, today - timedelta(days=40), [("ABIM_MOC", 1.0)], **ago(40))  # no consent: never counted
    status = admin.get("/api/admin/reports/status")
    assert status.status == 200
    assert {k: status.json[k] for k in ("moc", "cpe")} == {
        "moc": {"unreported": 3, "due_soon": 1, "overdue": 1},
        "cpe": {"unreported": 0, "due_soon": 0, "overdue": 0},
    }
    through = (today - timedelta(days=10)).isoformat()
    # what marking would mark, asked first (the page confirms the number and the day)
    preview = get(admin, f"/api/admin/reports/moc/unreported?through={through}")
    assert preview.status == 200 and preview.json == {"through": through, "count": 2}
    assert admin.get("/api/admin/reports/status").json["moc"]["unreported"] == 3  # asking marks nothing
    marked = admin.post("/api/admin/reports/moc/submitted", {"through": through})
    assert marked.status == 200 and marked.json == {"marked": 2}
    assert admin.get("/api/admin/reports/status").json["moc"] == {"unreported": 1, "due_soon": 0, "overdue": 0}
    assert get(admin, f"/api/admin/reports/moc/unreported?through={through}").json["count"] == 0
    # again: nothing left to mark through that day
    assert admin.post("/api/admin/reports/moc/submitted", {"through": through}).json == {"marked": 0}
    audit = list(AuditRecord.query("reports#MOC"))
    assert [(a.action, a.detail["kind"], a.detail["through"], a.detail["count"]) for a in audit] == [
        ("report_submitted", "MOC", through, 2),
        ("report_submitted", "MOC", through, 0),
    ]
    assert audit[0].actor and audit[0].at
    # reported lines stay in the files for their dates
    start = (today - timedelta(days=60)).isoformat()
    rows = rows_of(get(admin, f"/api/admin/reports/moc?from={start}&to={today.isoformat()}"))
    assert len(rows) == 4
    future = admin.post("/api/admin/reports/moc/submitted", {"through": (today + timedelta(days=1)).isoformat()})
    assert future.status == 422
    ahead = get(admin, f"/api/admin/reports/moc/unreported?through={(today + timedelta(days=1)).isoformat()}")
    assert ahead.status == 422 and ahead.json["code"] == "DATES_INVALID"
    assert get(admin, "/api/admin/reports/moc/unreported?through=someday").status == 422
    assert get(admin, "/api/admin/reports/pars/unreported?through=2026-11-01").status == 404


def test_submitted_leaves_claims_made_after_the_file(admin: ApiClient, pharmacists: dict[str, Any]) -> None:
    from cme.platform import clock

    today = clock.office_today()
    made = clock.now()
    claim(pharmacists, today, [("ACPE", 1.0)], nabp="1", claimed_at=made - timedelta(minutes=5))
    claim(pharmacists, today, [("ACPE", 1.0)], nabp="2", claimed_at=made + timedelta(minutes=5))
    body = {"through": today.isoformat(), "downloaded_at": made.isoformat()}
    query = urlencode(body)
    assert get(admin, f"/api/admin/reports/cpe/unreported?{query}").json["count"] == 1
    assert get(admin, f"/api/admin/reports/cpe/unreported?through={today.isoformat()}").json["count"] == 2
    assert admin.post("/api/admin/reports/cpe/submitted", body).json == {"marked": 1}
    assert admin.get("/api/admin/reports/status").json["cpe"]["unreported"] == 1


def test_reports_are_for_coordinators(client: ApiClient, new_client: Any) -> None:
    assert client.post("/api/accounts", account()).status == 201
    for method, url in [
        ("GET", "/api/admin/reports/moc?from=2026-11-01&to=2026-11-30"),
        ("GET", "/api/admin/reports/cpe"),
        ("GET", "/api/admin/reports/status"),
        ("POST", "/api/admin/reports/moc/submitted"),
        ("POST", "/api/admin/reports/cpe/submitted"),
        ("GET", "/api/admin/reports/moc/unreported?through=2026-11-01"),
    ]:
        body = {"through": "2026-11-01"} if method == "POST" else None
        path, _, query = url.partition("?")
        learner = client.call(method, path, body, query=query)
        assert learner.status == 403 and learner.json["code"] == "FORBIDDEN", (method, path)
        stranger = new_client().call(method, path, body, query=query)
        assert stranger.status == 401 and stranger.json["code"] == "SIGN_IN_REQUIRED"


def test_board_of_a_claims_lines(aws: None) -> None:
    from cme.platform.models import Claim
    from cme.platform.models.tables import ClaimLine
    from cme.platform.schemas import CreditType
    from cme.records import board_files
    from cme.rules import credit

    ama, moc, acpe = (
        credit.Line(CreditType.AMA_PRA_1, 1.0),
        credit.Line(CreditType.ABIM_MOC, 1.0),
        credit.Line(CreditType.ACPE, 1.0),
    )
    assert board_files.board_of([ama, moc], True) == "MOC"
    assert board_files.board_of([ama, moc], False) is None
    assert board_files.board_of([acpe], False) == "CPE"
    assert board_files.board_of([ama], True) is None
    for lines, consent, board, key in [
        ([ama], True, None, None),
        ([ama, moc], False, None, None),
        ([ama, moc], True, "MOC", "U#2026-11-02"),
        ([acpe], False, "CPE", "U#2026-11-02"),
    ]:
        item = Claim(
            "l",
            "a",
            completed_on="2026-11-02",
            moc_consent=consent,
            lines=[ClaimLine(credit_type=x.credit_type.value, credits=x.credits) for x in lines],
        )
        board_files.prepare(item, "Ana", "Ruiz")
        assert (item.report_board, item.report_key) == (board, key)
        assert item.first_name == ("Ana" if board else None)


def test_a_line_the_lagging_index_missed_stays_unreported(admin: ApiClient, pharmacists: dict[str, Any]) -> None:
    """docs/architecture.md "What AWS does that moto hides": a global secondary index lags its
    table. A claim made a moment ago may be missing from a file; the submission that follows
    does not mark it, so it stays counted."""
    from cme.platform import clock
    from tests.support.index_lag import index_lag

    today = clock.office_today()
    with index_lag(seconds=60) as lag:
        claim(pharmacists, today, [("ACPE", 1.0)], nabp="1")
        rows = rows_of(get(admin, f"/api/admin/reports/cpe?from={today}&to={today}"))
        assert rows == [CPE_HEADER.split(",")]
        assert admin.post("/api/admin/reports/cpe/submitted", {"through": today.isoformat()}).json == {"marked": 0}
        assert lag.hidden > 0
        lag.seconds = 0  # the index has caught up
        assert admin.get("/api/admin/reports/status").json["cpe"]["unreported"] == 1
        assert len(rows_of(get(admin, f"/api/admin/reports/cpe?from={today}&to={today}"))) == 2


def test_claims_made_through_the_api_are_in_the_files(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    """The claim route records what the files need: an MD's AMA + ABIM MOC claim with consent,
    a pharmacist's ACPE claim."""
    from cme.platform import clock
    from tests.integration.test_claim_lines import AMA_MOC, MOC_DETAILS, learner, lines_body

    today = clock.office_today()
    moc = create(
        admin,
        format="live",
        credits=[{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ABIM_MOC", "max": 1.0}],
        pars_activity_id="PARS-777",
    )
    md = learner(admin, new_client, outbox, moc, "md", "MD")
    assert md.post("/api/me/claims", lines_body(moc, AMA_MOC, **MOC_DETAILS)).status == 201
    rows = rows_of(get(admin, f"/api/admin/reports/moc?from={today}&to={today}"))
    day = today.strftime("%m/%d/%Y")
    assert rows[1:] == [["ABIM", "123456", "Seán", "Ó Briain", "07", "04", "PARS-777", day, "1.0"]]

    cpe = create(
        admin,
        title="Pharmacy update",
        format="live",
        credits=[{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ACPE", "max": 1.0}],
        uan="JA0000001-0000-26-001-L01-P",
    )
    rph = learner(admin, new_client, outbox, cpe, "rph", "PharmD")
    body = lines_body(cpe, [{"credit_type": "ACPE", "credits": 1.0}], nabp_eprofile_id="1234567", birth_mmdd="1231")
    answer = rph.post("/api/me/claims", body)
    assert answer.status == 201, answer.json
    rows = rows_of(get(admin, f"/api/admin/reports/cpe?from={today}&to={today}"))
    assert rows[1:] == [["1234567", "1231", "JA0000001-0000-26-001-L01-P", day, "1.0"]]
    assert admin.get("/api/admin/reports/status").json["moc"]["unreported"] == 1
