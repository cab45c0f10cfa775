"""The office's tools (issue 24): copy an activity, export its evaluation answers, read the audit
trail. Every route refuses learners (403) and strangers (401); bad input gets 4xx {code, message}."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest

from tests.integration.test_claims_report import QUESTIONS, claim, person
from tests.integration.test_publisher import create
from tests.support.calls import count_calls
from tests.support.client import ApiClient
from tests.support.clock import office_date

ROUTES = [
    ("POST", "/api/admin/activities/x/copy", {"start_date": "2031-06-01", "end_date": "2031-06-01"}),
    ("GET", "/api/admin/activities/x/evaluation", None),
    ("GET", "/api/admin/audit", None),
]


def test_every_new_route_refuses_learners_and_strangers(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    learner = person(new_client, outbox, "learner@example.org")
    activity = create(admin)
    for method, route, body in ROUTES:
        path = route.replace("/x/", f"/{activity['activity_id']}/")
        query = f"activity_id={activity['activity_id']}" if path.endswith("/audit") else ""
        refused = learner.call(method, path, body, query=query)
        assert refused.status == 403 and refused.json["code"] == "FORBIDDEN", (method, path)
        stranger = new_client().call(method, path, body, query=query)
        assert stranger.status == 401 and stranger.json["code"] == "SIGN_IN_REQUIRED", (method, path)
    # nothing was copied by the refused learner
    assert [a["title"] for a in admin.get("/api/admin/activities").json["activities"]] == [activity["title"]]


# ---------------------------------------------------------------- copy


def copy(admin: ApiClient, activity: dict[str, Any], start: date, end: date | None = None) -> Any:
    body = {"start_date": start.isoformat(), "end_date": (end or start).isoformat()}
    return admin.post(f"/api/admin/activities/{activity['activity_id']}/copy", body)


def test_a_copy_is_a_new_unpublished_activity_with_the_same_designations(admin: ApiClient) -> None:
    source = create(
        admin,
        evaluation=QUESTIONS,
        topics=["ethics", "patient_safety"],
        attendance_code="GRAND26",
        pars_activity_id="203112345",
        uan="JA0000000-0000-31-001-L01-P",
    )
    week = office_date() + timedelta(days=7)
    with count_calls() as counts:
        answer = copy(admin, source, week)
    assert answer.status == 201, answer.json
    # the session, the source, the lists' calendar (its month already filed); one transaction: the
    # copy, its attendance code and its audit record
    assert dict(counts) == {"dynamodb:GetItem": 3, "dynamodb:TransactWriteItems": 1}
    made = answer.json["activity"]
    assert made["activity_id"] != source["activity_id"]
    assert made["published"] is False
    assert (made["start_date"], made["end_date"]) == (week.isoformat(), week.isoformat())
    for same in ("title", "description", "format", "location", "credits", "claim_window_days", "evaluation", "topics"):
        assert made[same] == source[same], same
    # a new attendance code, generated as a new activity's is; the source keeps its own
    assert made["attendance_code"] not in ("GRAND26", "", None)
    assert made["attend_url"].endswith(f"code={made['attendance_code']}")
    assert admin.get(f"/api/admin/activities/{source['activity_id']}").json["activity"]["attendance_code"] == "GRAND26"
    # a series' session in the same year: one PARS activity, one UAN
    assert made["pars_activity_id"] == "203112345"
    assert made["uan"] == "JA0000000-0000-31-001-L01-P"
    # it is stored: the coordinators' list has both, the public catalogue only the published source
    listed = {a["activity_id"] for a in admin.get("/api/admin/activities").json["activities"]}
    assert listed == {source["activity_id"], made["activity_id"]}
    assert admin.get(f"/api/activities/{made['activity_id']}").status == 404


def test_a_live_course_given_again_gets_no_pars_id(admin: ApiClient) -> None:
    source = create(admin, format="live", pars_activity_id="203112345", uan="JA0000000-0000-31-001-L01-P")
    made = copy(admin, source, office_date() + timedelta(days=30)).json["activity"]
    assert made["pars_activity_id"] is None  # a live course given again is a new PARS activity
    assert made["uan"] == "JA0000000-0000-31-001-L01-P"  # the same ACPE activity on a new live date


def test_copy_dates_are_checked_as_a_save_checks_them(admin: ApiClient) -> None:
    source = create(admin)
    today = office_date()
    backwards = copy(admin, source, today, today - timedelta(days=1))
    assert backwards.status == 422
    assert backwards.json["code"] == "DATES_INVALID" and backwards.json["message"]
    for body in ({"start_date": "not a date", "end_date": "2031-06-01"}, {"start_date": "2031-06-01"}, {}):
        bad = admin.post(f"/api/admin/activities/{source['activity_id']}/copy", body)
        assert bad.status == 422 and bad.json["code"] == "VALIDATION_FAILED" and bad.json["message"], body
    unknown = copy(admin, {"activity_id": "no-such-activity"}, today)
    assert unknown.status == 404 and unknown.json["code"] == "NOT_FOUND" and unknown.json["message"]
    assert len(admin.get("/api/admin/activities").json["activities"]) == 1  # nothing was made


# ---------------------------------------------------------------- evaluation export


@pytest.fixture
def claimed(admin: ApiClient, new_client: Any, outbox: Any) -> dict[str, Any]:
    """An activity whose evaluation has a question written like a formula, claimed by two
    learners (one whose name and answer start like formulas)."""
    questions = [*QUESTIONS, {"question_id": "f", "text": '=HYPERLINK("x")', "kind": "text", "required": False}]
    activity = create(admin, evaluation=questions)
    md = person(new_client, outbox, "md@example.org", first_name="Ana", last_name="Alvarez", degree="MD")
    rn = person(new_client, outbox, "rn@example.org", first_name="=Cara", last_name="Chen", degree="RN")
    roster = [
        {"email": "md@example.org", "first_name": "Ana", "last_name": "Alvarez"},
        {"email": "rn@example.org", "first_name": "Cara", "last_name": "Chen"},
    ]
    assert admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": roster}).status == 200
    claim(md, activity, {"bias": "yes", "rate": 5, "format": "Lecture", "comment": "More cases, please."})
    claim(rn, activity, {"bias": "no", "rate": 2, "comment": "@SUM(1+1)", "f": "-2+3"}, credit_type="ANCC", credits=0.5)
    return {"activity": activity, "md": md, "rn": rn}


def test_evaluation_export_has_a_row_per_claim_and_a_column_per_question(
    claimed: dict[str, Any], admin: ApiClient
) -> None:
    activity = claimed["activity"]
    with count_calls() as counts:
        answer = admin.get(f"/api/admin/activities/{activity['activity_id']}/evaluation", query="format=csv")
    assert answer.status == 200
    # the authorizer's session, the activity; its claims (by_activity index); the claimants' names. No Scan.
    assert dict(counts) == {"dynamodb:GetItem": 2, "dynamodb:Query": 1, "dynamodb:BatchGetItem": 1}
    assert answer.header("content-type").startswith("text/csv")
    assert answer.header("content-disposition").startswith('attachment; filename="evaluation-')
    text = answer.raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "First name",
        "Last name",
        "Degree",
        "Email",
        "Claimed at",
        "Was it free of commercial bias?",
        "How useful was it?",
        "Which part helped most?",
        "What should we change?",
        '\'=HYPERLINK("x")',  # a question's text is shown as typed, never evaluated
    ]
    md, rn = rows[1], rows[2]
    assert md[:4] == ["Ana", "Alvarez", "MD", "md@example.org"]
    assert md[5:] == ["yes", "5", "Lecture", "More cases, please.", ""]
    # every cell a spreadsheet would read as a formula is neutralised
    assert rn[:4] == ["'=Cara", "Chen", "RN", "rn@example.org"]
    assert rn[5:] == ["no", "2", "", "'@SUM(1+1)", "'-2+3"]
    # the moment of the claim in the office's time zone (America/New_York: -04:00 in May)
    assert md[4].startswith(office_date().isoformat()) and md[4].endswith("-04:00")
    assert len(rows) == 3


def test_evaluation_export_of_an_unknown_activity_and_a_bad_format(admin: ApiClient) -> None:
    missing = admin.get("/api/admin/activities/no-such-activity/evaluation", query="format=csv")
    assert missing.status == 404 and missing.json["code"] == "NOT_FOUND"
    activity = create(admin)
    bad = admin.get(f"/api/admin/activities/{activity['activity_id']}/evaluation", query="format=xlsx")
    assert bad.status == 422 and bad.json["code"] == "VALIDATION_FAILED"
    empty = admin.get(f"/api/admin/activities/{activity['activity_id']}/evaluation", query="format=csv")
    assert empty.status == 200
    assert list(csv.reader(io.StringIO(empty.raw.decode("utf-8-sig")))) == [
        ["First name", "Last name", "Degree", "Email", "Claimed at", "Was it free of commercial bias?"]
    ]


# ---------------------------------------------------------------- the audit trail


def _no_ids(entries: list[dict[str, Any]], ids: set[str]) -> None:
    for entry in entries:
        assert set(entry["actor"]) == {"name", "email"}
        assert not ids & {entry["actor"]["name"], entry["actor"]["email"]}


def test_a_learners_audit_names_each_actor(claimed: dict[str, Any], admin: ApiClient) -> None:
    md_id = claimed["md"].get("/api/me").json["learner_id"]
    admin_id = admin.get("/api/me").json["learner_id"]
    changed = admin.put(f"/api/admin/learners/{md_id}/degree", {"degree": "DO", "reason": "Typed wrong at sign-up"})
    assert changed.status == 200, changed.json
    answer = admin.get("/api/admin/audit", query=f"learner_id={md_id}")
    assert answer.status == 200, answer.json
    entries = answer.json["entries"]
    assert [e["action"] for e in entries] == ["degree_changed", "claim"]  # newest first
    degree, made = entries
    assert degree["actor"] == {"name": "Avery Coordinator", "email": "coordinator@example.org"}
    assert made["actor"] == {"name": "Ana Alvarez", "email": "md@example.org"}
    assert degree["subject"] == {"kind": "learner", "id": md_id, "name": "Ana Alvarez"}
    assert degree["details"]["reason"] == "Typed wrong at sign-up"
    assert made["details"]["activity_id"] == claimed["activity"]["activity_id"]
    assert made["details"]["evaluation"]["rate"] == 5  # numbers as numbers
    assert degree["at"] > made["at"]
    assert answer.json["next_cursor"] is None
    _no_ids(entries, {md_id, admin_id})
    assert admin_id not in answer.raw.decode()  # the coordinator's key appears nowhere


def test_an_activitys_audit_gathers_claims_removals_and_its_copy(
    claimed: dict[str, Any], admin: ApiClient, new_client: Any
) -> None:
    activity = claimed["activity"]
    aid = activity["activity_id"]
    roster = [{"email": "walk.in@example.org", "first_name": "Walk", "last_name": "In"}]
    assert admin.post(f"/api/admin/activities/{aid}/attendance", {"rows": roster}).status == 200
    assert admin.call("DELETE", f"/api/admin/activities/{aid}/attendance/walk.in@example.org").status == 204
    with count_calls() as counts:
        answer = admin.get("/api/admin/audit", query=f"activity_id={aid}")
    assert answer.status == 200, answer.json
    entries = answer.json["entries"]
    assert [e["action"] for e in entries] == ["attendance_removed", "claim", "claim"]
    removal = entries[0]
    assert removal["subject"] == {"kind": "activity", "id": aid, "name": activity["title"]}
    assert removal["actor"] == {"name": "Avery Coordinator", "email": "coordinator@example.org"}
    assert {e["subject"]["name"] for e in entries[1:]} == {"Ana Alvarez", "=Cara Chen"}
    assert {e["actor"]["email"] for e in entries[1:]} == {"md@example.org", "rn@example.org"}
    # the authorizer's session, the activity (404 first), one Query of the index, one BatchGetItem of the people
    assert dict(counts) == {"dynamodb:GetItem": 2, "dynamodb:Query": 1, "dynamodb:BatchGetItem": 1}
    # a copy is audited on the copy, by whom and from which activity
    made = copy(admin, activity, office_date() + timedelta(days=7)).json["activity"]
    history = admin.get("/api/admin/audit", query=f"activity_id={made['activity_id']}").json["entries"]
    assert [(e["action"], e["details"]["copied_from"]) for e in history] == [("activity_copied", aid)]
    assert history[0]["actor"]["name"] == "Avery Coordinator"


def test_audit_pages_with_a_cursor(admin: ApiClient) -> None:
    from cme.platform import audit

    activity = create(admin)
    admin_id = admin.get("/api/me").json["learner_id"]
    for n in range(52):
        audit.about(f"activity#{activity['activity_id']}", "note", admin_id, {"n": n}).save()
    first = admin.get("/api/admin/audit", query=f"activity_id={activity['activity_id']}").json
    assert len(first["entries"]) == 50 and first["next_cursor"]
    rest = admin.get(
        "/api/admin/audit", query=f"activity_id={activity['activity_id']}&cursor={first['next_cursor']}"
    ).json
    assert len(rest["entries"]) == 2 and rest["next_cursor"] is None
    seen = [e["details"]["n"] for e in first["entries"] + rest["entries"]]
    assert sorted(seen) == list(range(52)) and len(set(seen)) == 52


def test_audit_bad_input(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    activity = create(admin)
    learner = person(new_client, outbox, "someone@example.org")
    learner_id = learner.get("/api/me").json["learner_id"]
    for query in ("", f"learner_id={learner_id}&activity_id={activity['activity_id']}", "learner_id=&activity_id="):
        refused = admin.get("/api/admin/audit", query=query)
        assert refused.status == 422 and refused.json["code"] == "SUBJECT_REQUIRED" and refused.json["message"], query
    for query in ("learner_id=nobody", "activity_id=nothing"):
        missing = admin.get("/api/admin/audit", query=query)
        assert missing.status == 404 and missing.json["code"] == "NOT_FOUND", query
    too_long = admin.get("/api/admin/audit", query="learner_id=" + "x" * 101)
    assert too_long.status == 422 and too_long.json["code"] == "VALIDATION_FAILED"
    for cursor in ("garbage", "eyJzIjoxfQ"):
        bad = admin.get("/api/admin/audit", query=f"learner_id={learner_id}&cursor={cursor}")
        assert bad.status == 400 and bad.json["code"] == "CURSOR_INVALID", cursor


def test_a_cursor_of_one_learner_does_not_read_another(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    from cme.platform import audit
    from cme.records.audit_trail import encode_cursor

    one = person(new_client, outbox, "one@example.org").get("/api/me").json["learner_id"]
    two = person(new_client, outbox, "two@example.org").get("/api/me").json["learner_id"]
    record = audit.entry(two, "note", two, {})
    record.save()
    stolen = admin.get("/api/admin/audit", query=f"learner_id={one}&cursor={encode_cursor(record)}")
    assert stolen.status == 400 and stolen.json["code"] == "CURSOR_INVALID"


def test_records_from_before_the_index_join_the_activitys_history_after_the_backfill(
    claimed: dict[str, Any], admin: ApiClient
) -> None:
    from cme.platform.models import AuditRecord
    from infra.tools.backfill_audit_activity import backfill

    aid = claimed["activity"]["activity_id"]
    claims = [r for r in AuditRecord.scan() if r.action == "claim"]
    for record in claims:  # as written before the index: no activity key
        record.update(actions=[AuditRecord.activity_id.remove()])
    assert admin.get("/api/admin/audit", query=f"activity_id={aid}").json["entries"] == []
    done = backfill()
    assert done["updated"] == 2
    assert backfill()["updated"] == 0  # run again: nothing left to do
    entries = admin.get("/api/admin/audit", query=f"activity_id={aid}").json["entries"]
    assert [e["action"] for e in entries] == ["claim", "claim"]
    after = {r.at: r for r in AuditRecord.scan() if r.action == "claim"}
    for record in claims:  # nothing but the key was written
        again = after[record.at]
        assert (again.subject, again.actor, again.action, again.detail.as_dict()) == (
            record.subject,
            record.actor,
            record.action,
            record.detail.as_dict(),
        )
