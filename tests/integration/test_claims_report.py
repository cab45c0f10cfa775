"""The claims report a coordinator needs: totals per credit type, the evaluation summarised per
question, who attended but has not claimed, a readable CSV named after the activity, shared NPIs
flagged (never refused), and a bounded number of DynamoDB calls."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from tests.integration.conftest import account
from tests.integration.test_claims import verify_primary
from tests.integration.test_publisher import create
from tests.support.calls import count_calls
from tests.support.client import ApiClient

NPI = "1234567893"  # a valid NPI (check digit), given by two accounts
QUESTIONS = [
    {"question_id": "bias", "text": "Was it free of commercial bias?", "kind": "yes_no", "required": True},
    {"question_id": "rate", "text": "How useful was it?", "kind": "rating", "required": True},
    {
        "question_id": "format",
        "text": "Which part helped most?",
        "kind": "choice",
        "required": False,
        "choices": ["Lecture", "Case discussion", "Q&A"],
    },
    {"question_id": "comment", "text": "What should we change?", "kind": "text", "required": False},
]
CSV_HEADER = [
    "Activity",
    "Activity date",
    "First name",
    "Last name",
    "Degree",
    "Email",
    "NPI",
    "NPI shared with another learner",
    "Credit",
    "Credits",
    "Claimed at",
    "Completed on",
    "Certificate code",
]
AMA = "AMA PRA Category 1 Credit™"
ANCC = "ANCC contact hours"


def person(new_client: Any, outbox: Any, email: str, **profile: Any) -> ApiClient:
    client = new_client()
    answer = client.post("/api/accounts", account(email=email, **profile))
    assert answer.status == 201, answer.json
    verify_primary(client, outbox, new_client)
    return client


def claim(client: ApiClient, activity: dict[str, Any], answers: dict[str, Any], **credit: Any) -> None:
    body = {
        "activity_id": activity["activity_id"],
        "credit_type": "AMA_PRA_1",
        "credits": 1.0,
        "evaluation": answers,
        "attestation": True,
        **credit,
    }
    answer = client.post("/api/me/claims", body)
    assert answer.status == 201, answer.json


@pytest.fixture
def world(admin: ApiClient, new_client: Any, outbox: Any) -> dict[str, Any]:
    """Three claimants (two MDs who gave one NPI, one of them attending under a second confirmed
    email; an RN) and two attendees who have not claimed."""
    activity = create(admin, evaluation=QUESTIONS)
    first = person(
        new_client, outbox, "md.one@example.org", first_name="Ana", last_name="Alvarez", degree="MD", npi=NPI
    )
    # both accounts are made: an NPI is public, so refusing a second would let anyone block a colleague
    second = person(
        new_client,
        outbox,
        "md.two@example.org",
        first_name="Ben",
        last_name="Brown",
        degree="MD",
        npi=NPI,
        phone="480-555-0111",
    )
    nurse = person(
        new_client, outbox, "rn@example.org", first_name="=Cara", last_name="Chen", degree="RN", phone="480-555-0112"
    )
    assert first.post("/api/me/emails", {"email": "dr.one@hospital.org"}).status in (200, 201)
    verify_primary(first, outbox, new_client)  # confirms dr.one@hospital.org
    roster = [
        {"email": "dr.one@hospital.org", "first_name": "Ana", "last_name": "Alvarez"},  # claims as md.one
        {"email": "md.two@example.org", "first_name": "Ben", "last_name": "Brown"},
        {"email": "rn@example.org", "first_name": "Cara", "last_name": "Chen"},
        {"email": "zed@example.org", "first_name": "Zed", "last_name": "Adams"},
        {"email": "late@example.org", "first_name": "Lee", "last_name": "Young"},
    ]
    added = admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": roster})
    assert added.json["added"] == 5
    claim(first, activity, {"bias": "yes", "rate": 5, "format": "Lecture", "comment": "More cases, please."})
    claim(second, activity, {"bias": "no", "rate": 4, "format": "Lecture", "comment": "  "}, credits=0.75)
    claim(nurse, activity, {"bias": "yes", "rate": 2, "comment": "=Shorter slides"}, credit_type="ANCC", credits=0.5)
    return {"activity": activity, "url": f"/api/admin/activities/{activity['activity_id']}/claims", "md": first}


def test_totals_per_credit_type(world: dict[str, Any], admin: ApiClient) -> None:
    report = admin.get(world["url"]).json
    assert report["totals"] == [
        {"credit_type": "AMA_PRA_1", "label": AMA, "learners": 2, "credits": 1.75},
        {"credit_type": "ANCC", "label": ANCC, "learners": 1, "credits": 0.5},
    ]
    assert report["end_date"] == world["activity"]["end_date"]


def test_the_evaluation_summarised_per_question(world: dict[str, Any], admin: ApiClient) -> None:
    by_id = {q["question_id"]: q for q in admin.get(world["url"]).json["evaluation"]}
    assert list(by_id) == ["bias", "rate", "format", "comment"]  # the activity's order
    bias, rate, fmt, comment = by_id.values()
    assert (bias["text"], bias["kind"], bias["answers"]) == ("Was it free of commercial bias?", "yes_no", 3)
    assert bias["summary"] == {
        "counts": [{"answer": "yes", "count": 2}, {"answer": "no", "count": 1}],
        "mean": None,
        "texts": [],
    }
    assert rate["answers"] == 3 and rate["summary"]["mean"] == 3.67
    assert [(c["answer"], c["count"]) for c in rate["summary"]["counts"]] == [
        ("1", 0),
        ("2", 1),
        ("3", 0),
        ("4", 1),
        ("5", 1),
    ]
    assert fmt["answers"] == 2
    assert [(c["answer"], c["count"]) for c in fmt["summary"]["counts"]] == [
        ("Lecture", 2),
        ("Case discussion", 0),
        ("Q&A", 0),
    ]
    # the free-text answers listed (a blank one is no answer), oldest claim first
    assert comment["answers"] == 2
    assert comment["summary"] == {"counts": [], "mean": None, "texts": ["More cases, please.", "=Shorter slides"]}


def test_who_attended_and_has_not_claimed(world: dict[str, Any], admin: ApiClient) -> None:
    # dr.one@hospital.org is Ana's second confirmed email, and Ana claimed: not listed
    assert admin.get(world["url"]).json["unclaimed"] == [
        {"email": "zed@example.org", "name": "Zed Adams", "learner_id": None},  # no account has these emails
        {"email": "late@example.org", "name": "Lee Young", "learner_id": None},
    ]


def test_two_accounts_with_one_npi_are_made_and_flagged(world: dict[str, Any], admin: ApiClient) -> None:
    rows = admin.get(world["url"]).json["claims"]
    assert [(r["first_name"], r["last_name"], r["npi"], r["npi_shared"]) for r in rows] == [
        ("Ana", "Alvarez", NPI, True),
        ("Ben", "Brown", NPI, True),
        ("=Cara", "Chen", None, False),
    ]


def test_a_profile_may_save_an_npi_another_account_has(world: dict[str, Any], new_client: Any, outbox: Any) -> None:
    colleague = person(new_client, outbox, "colleague@example.org", degree="MD", phone="480-555-0113")
    profile = account(email="colleague@example.org", degree="MD", phone="480-555-0113", npi=NPI)
    saved = colleague.put("/api/me", profile)
    assert saved.status == 200, saved.json
    assert saved.json["npi"] == NPI


def test_one_learner_is_not_a_shared_npi(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    activity = create(admin, evaluation=QUESTIONS[:1])
    md = person(new_client, outbox, "solo@example.org", degree="MD", npi=NPI)
    admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": [{"email": "solo@example.org"}]})
    claim(md, activity, {"bias": "yes"})
    report = admin.get(f"/api/admin/activities/{activity['activity_id']}/claims").json
    assert [(r["npi"], r["npi_shared"]) for r in report["claims"]] == [(NPI, False)]
    assert report["unclaimed"] == []


def test_the_csv(world: dict[str, Any], admin: ApiClient) -> None:
    answer = admin.get(world["url"], query="format=csv")
    assert answer.status == 200 and answer.header("Content-Type").startswith("text/csv")
    start = world["activity"]["start_date"]
    # named after the activity: its date and its title in safe characters
    assert answer.header("Content-Disposition") == (
        f'attachment; filename="claims-{start}-Grand-Rounds-Sepsis-in-2026-what-changed.csv"'
    )
    rows = list(csv.reader(io.StringIO(answer.raw.decode("utf-8-sig"))))
    assert rows[0] == CSV_HEADER
    body = [dict(zip(CSV_HEADER, r, strict=True)) for r in rows[1:]]
    title = world["activity"]["title"]
    assert [(r["Activity"], r["Activity date"]) for r in body] == [(title, start)] * 3
    assert [(r["First name"], r["Last name"], r["NPI shared with another learner"]) for r in body] == [
        ("Ana", "Alvarez", "yes"),
        ("Ben", "Brown", "yes"),
        ("'=Cara", "Chen", ""),  # the formula guard (cme.platform.spreadsheet)
    ]
    assert [(r["Credit"], r["Credits"]) for r in body] == [(AMA, "1"), (AMA, "0.75"), (ANCC, "0.5")]
    for r in body:  # to the second, with the office's offset; no microseconds
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", r["Claimed at"]), r["Claimed at"]
        assert r["Completed on"] == start and re.fullmatch(r"[A-Z0-9-]{6,}", r["Certificate code"])


def test_a_claim_with_several_lines_is_a_row_per_line_and_counts_once_per_type(
    admin: ApiClient, new_client: Any, outbox: Any
) -> None:
    activity = create(
        admin,
        format="live",
        title="Valvular disease, à la carte / 2026",
        credits=[{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ABIM_MOC", "max": 1.0}],
        evaluation=QUESTIONS[:1],
    )
    md = person(new_client, outbox, "moc@example.org", degree="MD")
    admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": [{"email": "moc@example.org"}]})
    lines = [{"credit_type": "AMA_PRA_1", "credits": 1.0}, {"credit_type": "ABIM_MOC", "credits": 1.0}]
    claim(
        md,
        activity,
        {"bias": "yes"},
        credit_type=None,
        credits=None,
        lines=lines,
        moc_consent=True,
        board_ids={"ABIM": "123456"},
        birth_mmdd="0704",
    )
    url = f"/api/admin/activities/{activity['activity_id']}/claims"
    assert [(t["credit_type"], t["learners"], t["credits"]) for t in admin.get(url).json["totals"]] == [
        ("AMA_PRA_1", 1, 1.0),
        ("ABIM_MOC", 1, 1.0),
    ]
    answer = admin.get(url, query="format=csv")
    assert answer.header("Content-Disposition").endswith(
        f'filename="claims-{activity["start_date"]}-Valvular-disease-a-la-carte-2026.csv"'
    )
    rows = list(csv.reader(io.StringIO(answer.raw.decode("utf-8-sig"))))[1:]
    assert [(r[8], r[9]) for r in rows] == [(AMA, "1"), ("ABIM MOC points", "1")]


def test_an_activity_without_claims(admin: ApiClient) -> None:
    activity = create(admin, evaluation=QUESTIONS)
    admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": [{"email": "a@example.org"}]})
    report = admin.get(f"/api/admin/activities/{activity['activity_id']}/claims").json
    assert report["claims"] == [] and report["totals"] == []
    assert [(q["answers"], q["summary"]["mean"]) for q in report["evaluation"]] == [(0, None)] * 4
    assert report["unclaimed"] == [{"email": "a@example.org", "name": "", "learner_id": None}]
    rows = admin.get(f"/api/admin/activities/{activity['activity_id']}/claims", query="format=csv").raw
    assert rows.decode("utf-8-sig").splitlines() == [",".join(CSV_HEADER)]


def test_bad_requests(world: dict[str, Any], admin: ApiClient) -> None:
    missing = admin.get("/api/admin/activities/no-such-activity/claims")
    assert missing.status == 404 and missing.json["code"] == "NOT_FOUND"
    assert admin.get(world["url"], query="format=xlsx").status == 422
    assert world["md"].get(world["url"]).status == 403


def test_the_report_takes_a_bounded_number_of_calls(world: dict[str, Any], admin: ApiClient) -> None:
    with count_calls() as counts:
        assert admin.get(world["url"]).status == 200
    # the authorizer's session read; the activity; its claims (by_activity index) and attendance
    # (its key), one page each; the claimants (one BatchGetItem per 100) and the accounts of those
    # who have not claimed (one BatchGetItem of their emails per 100). No Scan.
    assert dict(counts) == {"dynamodb:GetItem": 2, "dynamodb:Query": 2, "dynamodb:BatchGetItem": 2}
