"""Claims on a learner's behalf and revocation (issue 24):
docs/api.md "Claims made by the office and revocation";
docs/domain.md "Claims made by the office" and "Revoked claims".

POST /api/admin/learners/{learner_id}/claims: every rule of a learner's own claim, except that a
coordinator may pass the activity's closed window (``override_window``), never a board's own limit;
the claim records who made it. POST /api/admin/learners/{learner_id}/claims/{activity_id}/revoke:
the claim is kept but moved out of the way; its certificate verifies as revoked; transcripts and
board files leave it out (a reported line is listed to withdraw); the activity is free again.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.integration.test_certificates import fetch, pdf_text
from tests.integration.test_claim_lines import AMA_MOC, MOC_DETAILS, learner, lines_body
from tests.integration.test_claim_whole import NABP, UAN, on
from tests.integration.test_claims import claim_body
from tests.integration.test_publisher import create
from tests.support.client import ApiClient
from tests.support.clock import office_date
from tests.support.faults import inject_faults

__all__ = ["inject_faults"]  # the fixture, used by name below

COORDINATOR = "Avery Coordinator <coordinator@example.org>"
REASON = {"reason": "Signed the paper sheet; could not sign in at the event."}


def learner_id(person: ApiClient) -> str:
    return str(person.get("/api/me").json["learner_id"])


def claim_for(admin: ApiClient, person_id: str, body: dict[str, Any], **more: Any) -> Any:
    return admin.post(f"/api/admin/learners/{person_id}/claims", {**body, **REASON, **more})


def revoke(admin: ApiClient, person_id: str, activity: dict[str, Any], reason: str = "Claimed in error") -> Any:
    return admin.post(f"/api/admin/learners/{person_id}/claims/{activity['activity_id']}/revoke", {"reason": reason})


def audit_of(person_id: str) -> list[Any]:
    from cme.platform.models import AuditRecord

    return list(AuditRecord.query(f"learner#{person_id}"))


def claim_count(activity: dict[str, Any]) -> int:
    from cme.platform.models import Activity

    return int(Activity.get(activity["activity_id"]).claim_count)


@pytest.fixture
def world(admin: ApiClient, new_client: Any, outbox: Any) -> dict[str, Any]:
    """An MD and an RN who attended an activity (AMA + ANCC); another activity the MD missed."""
    activity = create(admin)
    md = learner(admin, new_client, outbox, activity, "md", "MD")
    rn = learner(admin, new_client, outbox, activity, "rn", "RN")
    return {
        "activity": activity,
        "missed": create(admin, title="Missed it"),
        "md": md,
        "rn": rn,
        "md_id": learner_id(md),
        "rn_id": learner_id(rn),
    }


# ------------------------------------------------------------------ on a learner's behalf


def test_a_claim_on_a_learners_behalf_records_who_made_it(world: dict[str, Any], admin: ApiClient) -> None:
    from cme.platform.models import Claim

    answer = claim_for(admin, world["md_id"], claim_body(world["activity"]))
    assert answer.status == 201, answer.json
    made = answer.json["claim"]
    assert made["made_by"] == COORDINATOR and made["status"] == "claimed"
    assert learner_id(admin) not in answer.raw.decode()  # the coordinator by name and email, never by key
    # the learner's own record shows it, with its certificate, as a claim of theirs
    (mine,) = world["md"].get("/api/me/claims").json["claims"]
    assert mine["claim_id"] == made["claim_id"] and mine["made_by"] == COORDINATOR
    assert world["md"].get(f"/api/verify/{made['certificate_code']}").json["valid"] is True
    stored = Claim.get(world["md_id"], world["activity"]["activity_id"])
    assert stored.made_by == learner_id(admin) and stored.window_overridden is None
    (record,) = [r for r in audit_of(world["md_id"]) if r.action == "claim_on_behalf"]
    assert record.actor == learner_id(admin)
    assert record.detail["reason"] == REASON["reason"] and record.detail["made_by"] == COORDINATOR
    assert claim_count(world["activity"]) == 1
    # a retry of the same claim answers it again; a different one is refused
    again = claim_for(admin, world["md_id"], claim_body(world["activity"]))
    assert again.status == 201 and again.json["claim"]["claim_id"] == made["claim_id"]
    other = claim_for(admin, world["md_id"], claim_body(world["activity"], credits=0.5))
    assert other.status == 409 and other.json["code"] == "ALREADY_CLAIMED"
    assert claim_count(world["activity"]) == 1


REFUSALS = [
    # (who, body overrides, activity key, status, code)
    ("md", {}, "missed", 422, "NOT_ATTENDED"),
    ("rn", {}, "activity", 422, "CREDIT_TYPE_NOT_ALLOWED"),
    ("md", {"credits": 1.25}, "activity", 422, "CREDITS_INVALID"),
    ("md", {"evaluation": {}}, "activity", 422, "EVALUATION_INCOMPLETE"),
    ("md", {"attestation": False}, "activity", 422, "ATTESTATION_REQUIRED"),
    ("md", {"activity_id": "no-such-activity"}, "activity", 404, "NOT_FOUND"),
    ("nobody", {}, "activity", 404, "NOT_FOUND"),
    ("md", {"reason": "  "}, "activity", 422, "VALIDATION_FAILED"),
    ("md", {"override_window": "yes"}, "activity", 422, "VALIDATION_FAILED"),
]


@pytest.mark.parametrize(("who", "overrides", "which", "status", "code"), REFUSALS)
def test_every_rule_of_a_learners_claim_holds(
    world: dict[str, Any], admin: ApiClient, who: str, overrides: dict[str, Any], which: str, status: int, code: str
) -> None:
    person_id = world.get(f"{who}_id", "00000000-0000-4000-8000-000000000000")
    answer = admin.post(f"/api/admin/learners/{person_id}/claims", {**claim_body(world[which]), **REASON, **overrides})
    assert (answer.status, answer.json["code"]) == (status, code), answer.json
    assert world["md"].get("/api/me/claims").json["claims"] == []
    assert claim_count(world["activity"]) == 0


def test_a_closed_window_is_passed_only_with_override_window(
    world: dict[str, Any], admin: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.platform.models import Claim

    on(monkeypatch, office_date() + timedelta(days=31))
    own = world["md"].post("/api/me/claims", claim_body(world["activity"]))
    assert own.status == 422 and own.json["code"] == "CLAIM_WINDOW_CLOSED"
    plain = claim_for(admin, world["md_id"], claim_body(world["activity"]))
    assert plain.status == 422 and plain.json["code"] == "CLAIM_WINDOW_CLOSED"
    passed = claim_for(admin, world["md_id"], claim_body(world["activity"]), override_window=True)
    assert passed.status == 201, passed.json
    assert Claim.get(world["md_id"], world["activity"]["activity_id"]).window_overridden is True
    (record,) = [r for r in audit_of(world["md_id"]) if r.action == "claim_on_behalf"]
    assert record.detail["override_window"] is True


def test_override_window_never_passes_a_boards_own_limit(
    admin: ApiClient, new_client: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pharmacy = create(
        admin, format="live", credits=[{"type": "ACPE", "max": 2.0}], uan=UAN, uan_pharmacist=UAN, claim_window_days=90
    )
    module = create(admin, title="Module", format="enduring", claim_window_days=90)
    rph = learner(admin, new_client, outbox, pharmacy, "rph", "PharmD")
    admin.post(f"/api/admin/activities/{module['activity_id']}/attendance", {"rows": [{"email": "rph@example.org"}]})
    rph_id = learner_id(rph)
    on(monkeypatch, office_date() + timedelta(days=61))  # ACPE: 60 days after participation; the module ended
    acpe = claim_for(admin, rph_id, claim_body(pharmacy, credit_type="ACPE", credits=2.0, **NABP), override_window=True)
    assert acpe.status == 422 and acpe.json["code"] == "CLAIM_WINDOW_CLOSED", acpe.json
    assert [d["field"] for d in acpe.json["details"]] == ["lines[0]"]
    expired = claim_for(admin, rph_id, claim_body(module, credit_type="PARTICIPATION"), override_window=True)
    assert expired.status == 422 and expired.json["code"] == "ACTIVITY_EXPIRED", expired.json


def test_reporting_details_come_from_the_body_or_the_profile(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    from cme.platform.models import Claim, Learner, plain

    activity = create(
        admin, format="live", credits=[{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ABIM_MOC", "max": 1.0}]
    )
    md = learner(admin, new_client, outbox, activity, "md", "MD")
    md_id = learner_id(md)
    missing = claim_for(admin, md_id, lines_body(activity, AMA_MOC, moc_consent=True))
    assert missing.status == 422 and missing.json["code"] == "MOC_DETAILS_REQUIRED"
    made = claim_for(admin, md_id, lines_body(activity, AMA_MOC, **MOC_DETAILS))
    assert made.status == 201, made.json
    stored = Claim.get(md_id, activity["activity_id"])
    assert stored.report_board == "MOC" and plain(stored.board_ids) == {"ABIM": "123456"}
    assert plain(Learner.get(md_id).board_ids) == {"ABIM": "123456"}  # kept in the profile, as a learner's claim does


# ------------------------------------------------------------------ revocation


def test_a_revoked_claim_is_kept_out_of_the_way_and_the_activity_is_free_again(
    world: dict[str, Any], admin: ApiClient
) -> None:
    from cme.platform.models import Certificate, Claim

    md, activity = world["md"], world["activity"]
    made = md.post("/api/me/claims", claim_body(activity)).json["claim"]
    code = made["certificate_code"]
    answer = revoke(admin, world["md_id"], activity)
    assert answer.status == 200, answer.json
    revoked = answer.json["claim"]
    assert revoked["status"] == "revoked" and revoked["claim_id"] == made["claim_id"]
    assert revoked["activity_id"] == activity["activity_id"] and revoked["certificate_code"] == code
    assert (revoked["revoked_by"], revoked["revoke_reason"]) == (COORDINATOR, "Claimed in error")
    assert learner_id(admin) not in answer.raw.decode()
    # kept: the record (at its revoked key), its audit, its certificate
    (kept,) = list(Claim.revoked_of(world["md_id"], activity["activity_id"]))
    assert kept.claim_id == made["claim_id"] and kept.status == "revoked" and kept.revoked_by == learner_id(admin)
    assert Certificate.get(code).revoked_at is not None
    actions = [r.action for r in audit_of(world["md_id"])]
    assert actions.count("claim") == 1 and actions.count("claim_revoked") == 1
    # the certificate verifies as revoked, with the fields it always had
    verified = md.get(f"/api/verify/{code}").json
    assert (verified["valid"], verified["status"], verified["revoked_on"]) == (
        False,
        "revoked",
        office_date().isoformat(),
    )
    assert verified["certificate_code"] == code and verified["activity_title"] == activity["title"]
    # out of the learner's record: claims, certificate download, My activities (claimable again)
    assert md.get("/api/me/claims").json["claims"] == []
    assert md.get(f"/api/me/claims/{made['claim_id']}/certificate").status == 404
    (row,) = md.get("/api/me/activities").json["activities"]
    assert (row["status"], row["claim"]) == ("claimable", None)
    # out of the claims report and the count; the learner is listed as not having claimed
    report = admin.get(f"/api/admin/activities/{activity['activity_id']}/claims").json
    assert report["claims"] == []
    assert {"email": "md@example.org", "name": "", "learner_id": world["md_id"]} in report["unclaimed"]
    assert claim_count(activity) == 0
    # a second revocation: 409; the activity takes a new claim, whose certificate is current
    again = revoke(admin, world["md_id"], activity)
    assert again.status == 409 and again.json["code"] == "ALREADY_REVOKED"
    new = md.post("/api/me/claims", claim_body(activity, credits=0.5))
    assert new.status == 201, new.json
    assert new.json["claim"]["claim_id"] != made["claim_id"] and new.json["claim"]["certificate_code"] != code
    assert md.get(f"/api/verify/{new.json['claim']['certificate_code']}").json["status"] == "current"
    assert md.get(f"/api/verify/{code}").json["status"] == "revoked"
    assert claim_count(activity) == 1
    # the new claim may be revoked too: both revoked claims are kept
    assert revoke(admin, world["md_id"], activity, "Again in error").status == 200
    assert len(list(Claim.revoked_of(world["md_id"], activity["activity_id"]))) == 2


def test_transcripts_leave_a_revoked_claim_out(world: dict[str, Any], admin: ApiClient) -> None:
    md = world["md"]
    kept = create(admin, title="Kept: Heart failure update")
    admin.post(f"/api/admin/activities/{kept['activity_id']}/attendance", {"rows": [{"email": "md@example.org"}]})
    assert md.post("/api/me/claims", claim_body(world["activity"])).status == 201
    assert md.post("/api/me/claims", claim_body(kept)).status == 201
    assert revoke(admin, world["md_id"], world["activity"]).status == 200
    json_rows = md.get("/api/me/transcript", query="format=json").json
    assert [r["title"] for r in json_rows["rows"]] == [kept["title"]]
    assert [t["credits"] for t in json_rows["totals"]] == [1.0]
    csv_text = fetch(md.get("/api/me/transcript", query="format=csv").json["url"])[0].decode("utf-8-sig")
    assert kept["title"] in csv_text and world["activity"]["title"] not in csv_text
    pdf = pdf_text(fetch(md.get("/api/me/transcript", query="format=pdf").json["url"])[0])
    assert "Heart failure update" in pdf and "Sepsis" not in pdf


def test_requirement_progress_follows_a_revocation(admin: ApiClient, new_client: Any, outbox: Any) -> None:
    from tests.integration.test_requirements import make_set, progress

    activity = create(
        admin,
        format="live",
        topics=["controlled_substances"],
        credits=[{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ABIM_MOC", "max": 1.0}],
    )
    md = learner(admin, new_client, outbox, activity, "md", "MD")
    assert md.post("/api/me/claims", lines_body(activity, AMA_MOC, **MOC_DETAILS)).status == 201
    the_set = make_set(admin)
    cycle = {"set_id": the_set["set_id"], "cycle_end": (office_date() + timedelta(days=365)).isoformat()}
    assert md.put("/api/me/requirements", cycle).status == 200
    assert progress(md)["topic"]["earned"] == 1.0
    assert revoke(admin, learner_id(md), activity).status == 200
    assert (progress(md)["topic"]["earned"], progress(md)["total"]["earned"]) == (0.0, 0.0)


def test_board_files_leave_it_out_and_a_reported_line_is_listed_to_withdraw(
    admin: ApiClient, new_client: Any, outbox: Any
) -> None:
    from openpyxl import load_workbook

    activity = create(
        admin,
        format="live",
        credits=[{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ABIM_MOC", "max": 1.0}],
        pars_activity_id="PARS-12345",
    )
    md = learner(admin, new_client, outbox, activity, "md", "MD")
    rn = learner(admin, new_client, outbox, activity, "rph", "MD")  # a second physician
    md_id, other_id = learner_id(md), learner_id(rn)
    today = office_date().isoformat()
    span = f"from={today}&to={today}"
    for person in (md, rn):
        assert person.post("/api/me/claims", lines_body(activity, AMA_MOC, **MOC_DETAILS)).status == 201
    assert admin.get("/api/admin/reports/status").json["moc"]["unreported"] == 2
    # not reported yet: revoked, it leaves the files and the counts
    assert revoke(admin, other_id, activity).status == 200
    status = admin.get("/api/admin/reports/status").json
    assert status["moc"]["unreported"] == 1 and status["withdrawals"] == []
    review = admin.get("/api/admin/reports/moc", query=span).raw.decode("utf-8-sig")
    assert len(review.splitlines()) == 2  # the header and the MD's line
    # reported, then revoked: listed for the office to withdraw, a "Delete" row in the PARS files
    assert admin.post("/api/admin/reports/moc/submitted", {"through": today}).json["marked"] == 1
    assert revoke(admin, md_id, activity).status == 200
    (withdrawal,) = admin.get("/api/admin/reports/status").json["withdrawals"]
    assert withdrawal["board"] == "MOC" and withdrawal["activity_id"] == activity["activity_id"]
    assert (withdrawal["reported_on"], withdrawal["revoked_on"], withdrawal["completed_on"]) == (today, today, today)
    assert len(admin.get("/api/admin/reports/moc", query=span).raw.decode("utf-8-sig").splitlines()) == 1
    sheet = load_workbook(io.BytesIO(admin.get("/api/admin/reports/moc", query=f"{span}&format=pars-xlsx").raw)).active
    assert sheet.max_row == 3 and sheet["A3"].value == "Delete" and sheet["K3"].value == "123456"
    text = admin.get("/api/admin/reports/moc", query=f"{span}&format=pars-txt").raw.decode()
    (line,) = list(csv.reader(io.StringIO(text), delimiter="\t"))
    assert line[0] == "Delete" and line[1] == "PARS-12345"
    # the submission of that file withdraws it: no longer listed, no longer in a file
    assert admin.post("/api/admin/reports/moc/submitted", {"through": today}).json["marked"] == 0
    assert admin.get("/api/admin/reports/status").json["withdrawals"] == []
    assert admin.get("/api/admin/reports/moc", query=f"{span}&format=pars-txt").raw == b""


def test_revocation_refusals(world: dict[str, Any], admin: ApiClient) -> None:
    md, activity = world["md"], world["activity"]
    nobody = "00000000-0000-4000-8000-000000000000"
    assert revoke(admin, nobody, activity).json["code"] == "NOT_FOUND"
    unclaimed = revoke(admin, world["md_id"], activity)
    assert unclaimed.status == 404 and unclaimed.json["code"] == "NOT_FOUND"
    assert md.post("/api/me/claims", claim_body(activity)).status == 201
    url = f"/api/admin/learners/{world['md_id']}/claims/{activity['activity_id']}/revoke"
    assert admin.post(url, {"reason": ""}).json["code"] == "VALIDATION_FAILED"
    assert admin.post(url, {}).json["code"] == "VALIDATION_FAILED"
    # a learner, even the claim's own: 403, nothing revoked; another learner's id answers the same
    for person, person_id in ((md, world["md_id"]), (world["rn"], world["md_id"])):
        assert person.post(url, {"reason": "mine"}).status == 403
        assert person.post(f"/api/admin/learners/{person_id}/claims", {**claim_body(activity), **REASON}).status == 403
    assert len(md.get("/api/me/claims").json["claims"]) == 1


# ------------------------------------------------------------------ exactly once


def test_revocation_is_exactly_once_under_conflicts(
    world: dict[str, Any], admin: ApiClient, inject_faults: Callable[..., Any]
) -> None:
    from cme.platform import retry
    from cme.platform.models import Claim

    activity = world["activity"]
    for person in ("md", "rn"):
        body = claim_body(activity, credit_type="ANCC") if person == "rn" else claim_body(activity)
        assert world[person].post("/api/me/claims", body).status == 201
    inject_faults(conflict=0.5, write_conflict=0.5, throttle=0.2, seed=11)
    answers: list[Any] = []

    def attempt() -> None:
        answers.append(revoke(admin, world["md_id"], activity))

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status for a in answers) == [200, 409, 409, 409], [a.json for a in answers]
    assert retry.stats()["retries"] > 0  # the faults were met, and retried
    assert len(list(Claim.revoked_of(world["md_id"], activity["activity_id"]))) == 1
    assert [r.action for r in audit_of(world["md_id"])].count("claim_revoked") == 1
    assert claim_count(activity) == 1  # the RN's claim: the count went down once
    # a claim made again under the same faults: one claim, counted once
    again = [world["md"].post("/api/me/claims", claim_body(activity)) for _ in range(2)]
    assert [a.status for a in again] == [201, 201] and again[0].json == again[1].json
    assert claim_count(activity) == 2


def test_a_claim_on_behalf_is_exactly_once_under_conflicts(
    world: dict[str, Any], admin: ApiClient, inject_faults: Callable[..., Any]
) -> None:
    from cme.platform import retry

    inject_faults(conflict=0.5, write_conflict=0.5, throttle=0.2, seed=5)
    answers = [claim_for(admin, world["md_id"], claim_body(world["activity"])) for _ in range(3)]
    assert {a.status for a in answers} == {201} and len({a.json["claim"]["claim_id"] for a in answers}) == 1
    assert retry.stats()["retries"] > 0
    assert claim_count(world["activity"]) == 1
    assert [r.action for r in audit_of(world["md_id"])].count("claim_on_behalf") == 1


def test_the_pdf_of_a_new_claim_after_a_revocation_is_the_new_claims(world: dict[str, Any], admin: ApiClient) -> None:
    md, activity = world["md"], world["activity"]
    md.post("/api/me/claims", claim_body(activity))
    assert revoke(admin, world["md_id"], activity).status == 200
    new = md.post("/api/me/claims", claim_body(activity, credits=0.5)).json["claim"]
    link = md.get(f"/api/me/claims/{new['claim_id']}/certificate")
    assert link.status == 200, link.json
    text = pdf_text(fetch(link.json["url"])[0])
    assert new["certificate_code"] in text.replace(" ", "")


def test_a_coordinator_may_claim_for_and_revoke_their_own_attendance(admin: ApiClient) -> None:
    """The learner and the coordinator are one account: its key is read once (DynamoDB refuses a
    BatchGetItem that names a key twice: ValidationException, in moto too)."""
    activity = create(admin)
    roster = {"rows": [{"email": "coordinator@example.org"}]}
    assert admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", roster).status == 200
    me = learner_id(admin)
    made = claim_for(admin, me, claim_body(activity, credit_type="PARTICIPATION"))
    assert made.status == 201, made.json
    assert made.json["claim"]["made_by"] == COORDINATOR
    revoked = revoke(admin, me, activity)
    assert revoked.status == 200 and revoked.json["claim"]["revoked_by"] == COORDINATOR


def test_a_submission_never_marks_a_new_claim_made_at_a_revoked_claims_key(
    admin: ApiClient, new_client: Any, outbox: Any
) -> None:
    """A submission marks the claims its Query found (an index lags): one revoked meanwhile, and
    claimed again at the same key, is not the claim the file held."""
    from cme.platform.models import Claim
    from cme.records import board_files

    activity = create(
        admin, format="live", credits=[{"type": "AMA_PRA_1", "max": 1.0}, {"type": "ABIM_MOC", "max": 1.0}]
    )
    md = learner(admin, new_client, outbox, activity, "md", "MD")
    md_id = learner_id(md)
    assert md.post("/api/me/claims", lines_body(activity, AMA_MOC, **MOC_DETAILS)).status == 201
    in_the_file = Claim.get(md_id, activity["activity_id"])
    assert revoke(admin, md_id, activity).status == 200
    assert md.post("/api/me/claims", lines_body(activity, AMA_MOC, **MOC_DETAILS)).status == 201
    assert board_files._mark(in_the_file, board_files.MOC, office_date().isoformat()) is False
    again = Claim.get(md_id, activity["activity_id"])
    assert again.claim_id != in_the_file.claim_id and again.reported_on is None


def test_the_calls_of_a_claim_on_behalf_and_of_a_revocation(world: dict[str, Any], admin: ApiClient) -> None:
    from tests.support.calls import count_calls

    with count_calls() as claiming:
        assert claim_for(admin, world["md_id"], claim_body(world["activity"])).status == 201
    # the session (authorizer); the learner, the activity and the coordinator (one BatchGetItem);
    # the claim's transaction; the activity's count
    # (the function's first request also reads the origin secret: not DynamoDB)
    assert {k: v for k, v in claiming.items() if k.startswith("dynamodb:")} == {
        "dynamodb:GetItem": 1,
        "dynamodb:BatchGetItem": 1,
        "dynamodb:TransactWriteItems": 1,
        "dynamodb:UpdateItem": 1,
    }
    with count_calls() as revoking:
        assert revoke(admin, world["md_id"], world["activity"]).status == 200
    # the session; the learner, the claim and the coordinator; the certificate record; the
    # move (one transaction); the activity's count. No Query, no Scan.
    assert {k: v for k, v in revoking.items() if k.startswith("dynamodb:")} == {
        "dynamodb:GetItem": 1,
        "dynamodb:BatchGetItem": 2,
        "dynamodb:TransactWriteItems": 1,
        "dynamodb:UpdateItem": 1,
    }
