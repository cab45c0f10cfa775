"""A coordinator's attendance at scale: a searched, paged list with an exact total, the CSV of
every row, one person added, one wrong entry removed (audited; refused when claimed)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from tests.integration.conftest import account
from tests.integration.test_claims import claim_body, verify_primary
from tests.integration.test_publisher import create
from tests.support.calls import count_calls
from tests.support.client import ApiClient
from tests.support.faults import inject_faults

__all__ = ["inject_faults"]  # the fixture, used by name below

ROWS = 400


def url(activity: dict[str, Any], tail: str = "") -> str:
    return f"/api/admin/activities/{activity['activity_id']}/attendance{tail}"


def person(n: int) -> dict[str, str]:
    if n == 7:
        return {"email": "raul.pena@hospital.org", "first_name": "Raúl", "last_name": "Peña"}
    if n == 8:
        return {"email": "zoe.m@clinic.org", "first_name": "Zoë", "last_name": "Łukasiewicz-Müller"}
    return {"email": f"learner{n:03d}@example.org", "first_name": "Learner", "last_name": f"Number{n:03d}"}


@pytest.fixture
def big(admin: ApiClient) -> dict[str, Any]:
    """An activity with 400 attendees (one roster request)."""
    activity = create(admin)
    report = admin.post(url(activity), {"rows": [person(n) for n in range(ROWS)]})
    assert report.status == 200 and report.json["added"] == ROWS
    return activity


def page(admin: ApiClient, activity: dict[str, Any], **params: Any) -> dict[str, Any]:
    answer = admin.get(url(activity), query=urlencode(params))
    assert answer.status == 200, answer.json
    return answer.json


def test_every_row_is_on_exactly_one_page(admin: ApiClient, big: dict[str, Any]) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        reply = page(admin, big, **({"cursor": cursor} if cursor else {}))
        assert reply["total"] == ROWS
        assert len(reply["rows"]) <= 50
        seen += [row["email"] for row in reply["rows"]]
        pages += 1
        cursor = reply["next_cursor"]
        if cursor is None:
            break
    assert pages == 8 and len(seen) == ROWS and len(set(seen)) == ROWS
    assert seen == sorted(seen)
    first = page(admin, big, limit=1)["rows"][0]
    assert set(first) == {"email", "first_name", "last_name", "source", "recorded_at", "claimed", "undeliverable"}
    assert first["source"] == "roster" and first["claimed"] is False
    biggest = page(admin, big, limit=200)
    assert len(biggest["rows"]) == 200 and biggest["next_cursor"]
    last = page(admin, big, limit=200, cursor=biggest["next_cursor"])
    assert len(last["rows"]) == 200 and last["next_cursor"] is None  # no empty page after an exact fit


def test_search_by_email_or_name_ignores_case_and_accents(admin: ApiClient, big: dict[str, Any]) -> None:
    assert [r["email"] for r in page(admin, big, q="PENA")["rows"]] == ["raul.pena@hospital.org"]
    assert [r["email"] for r in page(admin, big, q="raul pena")["rows"]] == ["raul.pena@hospital.org"]
    assert [r["first_name"] for r in page(admin, big, q="lukasiewicz muller")["rows"]] == ["Zoë"]
    assert page(admin, big, q="zoe.m@clinic")["total"] == 1
    tens = page(admin, big, q="number01")  # Number010..Number019
    assert tens["total"] == 10 and len(tens["rows"]) == 10 and tens["next_cursor"] is None
    paged = page(admin, big, q="example.org", limit=150)
    assert paged["total"] == ROWS - 2 and len(paged["rows"]) == 150
    rest = page(admin, big, q="example.org", limit=150, cursor=paged["next_cursor"])
    assert rest["total"] == ROWS - 2 and rest["rows"][0]["email"] > paged["rows"][-1]["email"]
    nobody = page(admin, big, q="nobody-by-this-name")
    assert nobody == {"rows": [], "next_cursor": None, "total": 0}


def test_bad_page_requests_are_explained(admin: ApiClient, big: dict[str, Any]) -> None:
    for params, status, code in (
        ({"limit": 0}, 422, "VALIDATION_FAILED"),  # as the activity lists answer it
        ({"limit": 201}, 422, "VALIDATION_FAILED"),
        ({"limit": "many"}, 422, "VALIDATION_FAILED"),
        ({"cursor": "not-a-cursor"}, 400, "CURSOR_INVALID"),  # as the activity lists answer it
        ({"format": "pdf"}, 422, "VALIDATION_FAILED"),
    ):
        answer = admin.get(url(big), query=urlencode(params))
        assert answer.status == status and answer.json["code"] == code, (params, answer.json)
    missing = admin.get("/api/admin/activities/no-such-activity/attendance")
    assert missing.status == 404 and missing.json["code"] == "NOT_FOUND"


def test_csv_holds_every_row_named_after_the_activity(admin: ApiClient) -> None:
    activity = create(admin, title="Grand Rounds: Sepsis / Shock — Peña & Co.")
    rows = [person(n) for n in range(ROWS)]
    rows[3] = {"email": "formula@example.org", "first_name": "=HYPERLINK(1)", "last_name": "X"}
    assert admin.post(url(activity), {"rows": rows}).json["added"] == ROWS
    with count_calls() as counts:
        answer = admin.get(url(activity), query="format=csv")
    assert answer.status == 200
    assert answer.header("Content-Type") == "text/csv; charset=utf-8"
    disposition = answer.header("Content-Disposition") or ""
    assert disposition == (
        f'attachment; filename="attendance-grand-rounds-sepsis-shock-pena-co-{activity["start_date"]}.csv"'
    )
    table = list(csv.reader(io.StringIO(answer.raw.decode("utf-8-sig"))))
    assert table[0][:4] == ["Email", "First name", "Last name", "Source"] and table[0][5] == "Claimed"
    assert len(table) == ROWS + 1 and len({line[0] for line in table[1:]}) == ROWS
    assert next(line[:4] for line in table if line[0] == "formula@example.org") == [
        "formula@example.org",
        "'=HYPERLINK(1)",
        "X",
        "Roster",
    ]
    assert all(len(line[4]) == len("2026-01-01 12:00:00") for line in table[1:])  # to the second
    # every row: one Query, the email owners in 4 batches of 100 (none verified: no claim batch)
    assert counts["dynamodb:Query"] == 1 and counts["dynamodb:BatchGetItem"] == 4 and counts["dynamodb:Scan"] == 0


def test_calls_per_page_are_bounded(admin: ApiClient, big: dict[str, Any]) -> None:
    first = page(admin, big)
    for params in ({}, {"cursor": first["next_cursor"]}):
        with count_calls() as counts:
            assert admin.get(url(big), query=urlencode(params)).status == 200
        # the session (authorizer), the activity; the page's Query and the COUNT Query; the
        # page's email owners (one batch; nobody here has confirmed an email: no claims batch)
        assert dict(counts) == {"dynamodb:GetItem": 2, "dynamodb:Query": 2, "dynamodb:BatchGetItem": 1}
    with count_calls() as counts:
        assert admin.get(url(big), query="q=pena").status == 200
    assert dict(counts) == {"dynamodb:GetItem": 2, "dynamodb:Query": 1, "dynamodb:BatchGetItem": 1}
    with count_calls() as counts:
        assert admin.get(url(big), query="limit=200").status == 200
    assert dict(counts) == {"dynamodb:GetItem": 2, "dynamodb:Query": 2, "dynamodb:BatchGetItem": 2}


def test_add_one_person_then_remove_them_audited(admin: ApiClient, big: dict[str, Any]) -> None:
    one = {"email": "New.Person@Example.org", "first_name": "New", "last_name": "Person"}
    assert admin.post(url(big), {"rows": [one]}).json == {"added": 1, "already_present": 0, "rejected": []}
    assert page(admin, big)["total"] == ROWS + 1
    with count_calls() as counts:
        removed = admin.call("DELETE", url(big, "/" + quote("new.person@example.org")), headers={"user-agent": "UA/1"})
    assert removed.status == 204 and removed.raw == b""
    # session; the row + its email's owner (one batch); the removal + audit (one transaction); the count
    assert dict(counts) == {
        "dynamodb:GetItem": 1,
        "dynamodb:BatchGetItem": 1,
        "dynamodb:TransactWriteItems": 1,
        "dynamodb:UpdateItem": 1,
    }
    assert page(admin, big)["total"] == ROWS and page(admin, big, q="new.person")["total"] == 0
    listed = next(
        a for a in admin.get("/api/admin/activities").json["activities"] if a["activity_id"] == big["activity_id"]
    )
    assert listed["attendance_count"] == ROWS

    from cme.platform.models import AuditRecord

    records = list(AuditRecord.query(f"activity#{big['activity_id']}"))
    assert len(records) == 1
    record = records[0]
    assert record.action == "attendance_removed" and record.user_agent == "UA/1" and record.source_ip
    from cme.platform.models import EmailOwner

    coordinator = EmailOwner.get("coordinator@example.org")
    assert record.actor == coordinator.learner_id
    assert record.detail.as_dict() == {
        "activity_id": big["activity_id"],
        "email": "new.person@example.org",
        "first_name": "New",
        "last_name": "Person",
        "source": "roster",
        "recorded_at": record.detail.as_dict()["recorded_at"],
    }
    again = admin.call("DELETE", url(big, "/new.person%40example.org"))  # a double click: removed once only
    assert again.status == 404 and again.json["code"] == "NOT_FOUND"
    assert len(list(AuditRecord.query(f"activity#{big['activity_id']}"))) == 1


def test_missing_rows_and_activities_are_404(admin: ApiClient, big: dict[str, Any]) -> None:
    for path in (
        url(big, "/nobody%40example.org"),
        url(big, "/not-an-email"),
        "/api/admin/activities/nope/attendance/a%40b.org",
    ):
        answer = admin.call("DELETE", path)
        assert answer.status == 404 and answer.json["code"] == "NOT_FOUND", path
    assert page(admin, big)["total"] == ROWS


def test_claimed_attendance_is_shown_and_kept(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    activity = create(admin)
    md = new_client()
    assert md.post("/api/accounts", account(email="md@example.org", degree="MD", phone="480-555-0101")).status == 201
    verify_primary(md, outbox, new_client)
    rows = [{"email": "md@example.org", "first_name": "Mo", "last_name": "Dee"}, {"email": "other@example.org"}]
    assert admin.post(url(activity), {"rows": rows}).json["added"] == 2
    assert md.post("/api/me/claims", claim_body(activity)).status == 201
    with count_calls() as counts:
        listed = page(admin, activity)
    assert {r["email"]: r["claimed"] for r in listed["rows"]} == {"md@example.org": True, "other@example.org": False}
    assert counts["dynamodb:BatchGetItem"] == 2  # the owners, then the one verified owner's claim
    refused = admin.call("DELETE", url(activity, "/md%40example.org"))
    assert refused.status == 409 and refused.json["code"] == "ATTENDANCE_CLAIMED"
    assert page(admin, activity)["total"] == 2

    from cme.platform.models import AuditRecord

    assert list(AuditRecord.query(f"activity#{activity['activity_id']}")) == []
    table = list(csv.reader(io.StringIO(admin.get(url(activity), query="format=csv").raw.decode("utf-8-sig"))))
    assert [(line[0], line[5]) for line in table[1:]] == [("md@example.org", "yes"), ("other@example.org", "no")]
    assert admin.call("DELETE", url(activity, "/other%40example.org")).status == 204


def test_learners_and_strangers_are_refused(admin: ApiClient, client: ApiClient, new_client: Any) -> None:
    activity = create(admin)
    assert admin.post(url(activity), {"rows": [{"email": "a@example.org"}]}).json["added"] == 1
    assert client.post("/api/accounts", account()).status == 201
    for method, path, query in (
        ("GET", url(activity), ""),
        ("GET", url(activity), "format=csv"),
        ("DELETE", url(activity, "/a%40example.org"), ""),
    ):
        learner = client.call(method, path, query=query)
        assert learner.status == 403 and learner.json["code"] == "FORBIDDEN", (method, query)
        stranger = new_client().call(method, path, query=query)
        assert stranger.status == 401 and stranger.json["code"] == "SIGN_IN_REQUIRED"
    assert page(admin, activity)["total"] == 1


def test_a_claim_made_meanwhile_refuses_the_removal(
    admin: ApiClient, new_client: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The email was confirmed and claimed after the removal read its owner: the transaction's
    checks refuse it, the second read sees the claim, and nothing was removed or audited."""
    from cme.platform.models import AuditRecord
    from cme.publishing import attendance

    activity = create(admin)
    assert admin.post(url(activity), {"rows": [{"email": "md@example.org"}]}).json["added"] == 1
    md = new_client()
    assert md.post("/api/accounts", account(email="md@example.org", degree="MD", phone="480-555-0101")).status == 201
    verify_primary(md, outbox, new_client)
    assert md.post("/api/me/claims", claim_body(activity)).status == 201
    real = attendance.get_many
    reads: list[int] = []

    def stale_first(*items: Any) -> list[Any]:
        found = real(*items)
        reads.append(len(found))
        return [found[0], None] if len(reads) == 1 else found  # as if the email had no owner yet

    monkeypatch.setattr(attendance, "get_many", stale_first)
    refused = admin.call("DELETE", url(activity, "/md%40example.org"))
    assert refused.status == 409 and refused.json["code"] == "ATTENDANCE_CLAIMED" and len(reads) == 2
    assert page(admin, activity)["total"] == 1
    assert list(AuditRecord.query(f"activity#{activity['activity_id']}")) == []


def test_removal_survives_transaction_conflicts(
    admin: ApiClient, big: dict[str, Any], inject_faults: Callable[..., Any]
) -> None:
    from cme.platform import retry
    from cme.platform.models import Activity, AuditRecord

    inject_faults(conflict=0.6, throttle=0.2, seed=3)
    for n in range(10, 20):
        assert admin.call("DELETE", url(big, "/" + quote(person(n)["email"]))).status == 204
    assert retry.stats()["retries"] > 0  # the faults were met, and retried
    assert len(list(AuditRecord.query(f"activity#{big['activity_id']}"))) == 10
    assert Activity.get(big["activity_id"]).attendance_count == ROWS - 10
    assert page(admin, big)["total"] == ROWS - 10
