"""The office merges a learner's two accounts (issue 24): POST /api/admin/learners/{id}/merge.

The other account's emails (and the attendance under them), claims, outside credit and
requirement tracking move into the kept one; the other is closed (its sessions end, its password
is refused as a wrong one, its certificates verify as before); 409 MERGE_CONFLICT when both
claimed one activity, 404 for an unknown id, 422 for one id twice; audited on both; a merge cut
off halfway and run again finishes without loss or duplicates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from infra.local.seed import DEMO_PASSWORD
from tests.integration.test_claims import claim_body
from tests.integration.test_publisher import create
from tests.integration.test_record_integrity import audit_records
from tests.support.client import ApiClient
from tests.support.faults import inject_faults  # noqa: F401 - fixture

OLD_PASSWORD = "an older passphrase 2019"
SIGN_IN = "/api/auth/sign-in"


def merge_path(learner_id: str) -> str:
    return f"/api/admin/learners/{learner_id}/merge"


@pytest.fixture
def provision(aws: None) -> Callable[..., str]:
    from cme.identity.accounts import provision_account
    from cme.platform.schemas import NewAccount

    def make(email: str, first: str, last: str, phone: str, password: str = DEMO_PASSWORD) -> str:
        data = NewAccount(email=email, password=password, first_name=first, last_name=last, degree="MD", phone=phone)
        return provision_account(data, verified=True).learner_id

    return make


def signed_in(new_client: Any, email: str, password: str) -> ApiClient:
    client: ApiClient = new_client()
    answer = client.post(SIGN_IN, {"email": email, "password": password})
    assert answer.status == 200, answer.json
    return client


def attended_and_claimed(admin: ApiClient, learner: ApiClient, email: str, title: str, claim: bool = True) -> Any:
    activity = create(admin, title=title)
    roster = admin.post(f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": [{"email": email}]})
    assert roster.json["added"] == 1, roster.json
    if not claim:
        return activity, None
    answer = learner.post("/api/me/claims", claim_body(activity))
    assert answer.status == 201, answer.json
    return activity, answer.json["claim"]


@pytest.fixture
def two(admin: ApiClient, new_client: Any, provision: Callable[..., str]) -> dict[str, Any]:
    """Ana's new account (kept) and her old one, each with attendance and a claim."""
    keep = provision("ana.new@example.org", "Ana", "Lopez", "+1 480 555 0111")
    other = provision("ana.old@example.org", "Anna", "Lopes", "+1 480 555 0122", OLD_PASSWORD)
    new_side = signed_in(new_client, "ana.new@example.org", DEMO_PASSWORD)
    old_side = signed_in(new_client, "ana.old@example.org", OLD_PASSWORD)
    kept_activity, kept_claim = attended_and_claimed(admin, new_side, "ana.new@example.org", "Sepsis Update")
    old_activity, old_claim = attended_and_claimed(admin, old_side, "ana.old@example.org", "Stroke Update")
    unclaimed, _ = attended_and_claimed(admin, old_side, "ana.old@example.org", "Airway Workshop", claim=False)
    return {
        "keep": keep,
        "other": other,
        "new_side": new_side,
        "old_side": old_side,
        "kept_claim": kept_claim,
        "old_claim": old_claim,
        "old_activity": old_activity,
        "kept_activity": kept_activity,
        "unclaimed": unclaimed,
    }


def outside_credit_with_file(learner_id: str) -> tuple[str, bytes]:
    """An outside credit on the learner with its certificate file uploaded (straight to S3)."""
    import uuid

    from cme.platform import aws, clock
    from cme.platform.models.tables import OutsideCredit
    from cme.platform.settings import get_settings
    from cme.records import outside

    credit_id = uuid.uuid4().hex
    key = outside.document_key(learner_id, credit_id)
    body = b"%PDF-1.4 outside certificate"
    aws.client("s3").put_object(Bucket=get_settings().documents_bucket, Key=key, Body=body)
    OutsideCredit(
        learner_id,
        credit_id,
        title="ACLS renewal",
        provider="Heart Association",
        completed_on="2026-03-01",
        credit_type="AMA_PRA_1",
        credits=4,
        document_key=key,
        document_type="application/pdf",
        document_checked=True,
        created_at=clock.now(),
    ).save()
    return credit_id, body


def track(learner_id: str, set_id: str, cycle_end: str) -> None:
    from cme.platform import clock
    from cme.platform.models.tables import TrackedRequirement

    TrackedRequirement(f"learner#{learner_id}", set_id, cycle_end=cycle_end, updated_at=clock.now()).save()


def tracked(learner_id: str) -> dict[str, str]:
    from cme.platform.models.tables import TrackedRequirement

    return {t.set_id: t.cycle_end for t in TrackedRequirement.query(f"learner#{learner_id}", consistent_read=True)}


def claim_ids(learner_id: str) -> list[str]:
    from cme.platform.models import Claim

    return sorted(c.activity_id for c in Claim.query(learner_id, consistent_read=True))


def test_a_merge_moves_everything_and_closes_the_other(two: dict[str, Any], admin: ApiClient, new_client: Any) -> None:
    from cme.platform import aws
    from cme.platform.models import EmailOwner, Learner, LearnerSearch
    from cme.platform.models.tables import OutsideCredit
    from cme.platform.settings import get_settings
    from cme.records import outside

    keep, other = two["keep"], two["other"]
    # the old account's certificate, issued under its own name
    issued = two["old_side"].get(f"/api/me/claims/{two['old_claim']['claim_id']}/certificate")
    assert issued.status == 200, issued.json
    code = two["old_claim"]["certificate_code"]
    before = new_client().get(f"/api/verify/{code}").json
    assert before["status"] == "current" and before["learner_name"] == "Anna Lopes, MD"
    credit_id, file_body = outside_credit_with_file(other)
    old_key = outside.document_key(other, credit_id)
    track(other, "set-rn", "2027-06-30")
    track(other, "set-both", "2027-01-31")
    track(keep, "set-both", "2028-01-31")

    answer = admin.post(merge_path(keep), {"other_learner_id": other, "reason": "Old and new email of one learner"})
    assert answer.status == 200, answer.json
    record = answer.json
    assert record["learner"]["learner_id"] == keep
    assert {e["email"] for e in record["emails"]} == {"ana.new@example.org", "ana.old@example.org"}
    assert [e["email"] for e in record["emails"] if e["primary"]] == ["ana.new@example.org"]
    assert {c["activity_id"] for c in record["claims"]} == {
        two["kept_activity"]["activity_id"],
        two["old_activity"]["activity_id"],
    }
    attended = {a["activity_id"]: a["status"] for a in record["attendance"]}
    assert attended[two["unclaimed"]["activity_id"]] == "claimable"  # attendance under the moved email
    assert len(attended) == 3

    # claims: under the kept learner alone, each once
    assert claim_ids(other) == []
    assert claim_ids(keep) == sorted([two["kept_activity"]["activity_id"], two["old_activity"]["activity_id"]])
    # the emails and the search
    assert EmailOwner.get("ana.old@example.org").learner_id == keep
    assert Learner.get(keep).verified_emails == {"ana.new@example.org", "ana.old@example.org"}
    assert not Learner.get(other).verified_emails
    with pytest.raises(LearnerSearch.DoesNotExist):
        LearnerSearch.get(other)
    for q in ("ana.old@example.org", "ana.new@example.org", "Lopez"):
        assert [r["learner_id"] for r in admin.get("/api/admin/learners", query=f"q={q}").json["learners"]] == [keep]
    assert admin.get("/api/admin/learners", query="q=Lopes").json["learners"] == []
    from infra.tools.backfill_learner_search import backfill

    backfill()  # the operator's backfill leaves the closed account out too
    with pytest.raises(LearnerSearch.DoesNotExist):
        LearnerSearch.get(other)
    # outside credit, with its file at the kept learner's key
    moved = list(OutsideCredit.query(keep))
    assert [m.outside_credit_id for m in moved] == [credit_id] and list(OutsideCredit.query(other)) == []
    assert moved[0].document_key == outside.document_key(keep, credit_id)
    stored = aws.client("s3").get_object(Bucket=get_settings().documents_bucket, Key=moved[0].document_key)
    assert stored["Body"].read() == file_body
    assert two["new_side"].get(f"/api/me/outside-credits/{credit_id}/document").status == 200
    # the old file, which no credit names now, is the hourly sweep's to expire; the moved one is kept
    outside.sweep()
    s3, bucket = aws.client("s3"), get_settings().documents_bucket
    tags = {key: s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"] for key in (old_key, moved[0].document_key)}
    assert tags == {old_key: [outside.DELETED_TAG], moved[0].document_key: []}
    # requirement tracking: a set both tracked keeps the kept learner's cycle
    assert tracked(keep) == {"set-rn": "2027-06-30", "set-both": "2028-01-31"} and tracked(other) == {}

    # the closed account: its session ended, its password refused as a wrong one
    assert two["old_side"].get("/api/me").status == 401
    refused = new_client().post(SIGN_IN, {"email": "ana.old@example.org", "password": OLD_PASSWORD})
    assert refused.status == 401 and refused.json["code"] == "PASSWORD_MISMATCH", refused.json
    # the old email now signs in to the kept account, with its password
    kept_in = new_client().post(SIGN_IN, {"email": "ana.old@example.org", "password": DEMO_PASSWORD})
    assert kept_in.status == 200 and kept_in.json["learner"]["learner_id"] == keep, kept_in.json
    # its certificate verifies as before: same code, same name
    after = new_client().get(f"/api/verify/{code}").json
    assert after == before
    # the kept learner's session goes on, with the moved claim on My activities
    mine = two["new_side"].get("/api/me/claims").json["claims"]
    assert two["old_activity"]["activity_id"] in {c["activity_id"] for c in mine}
    # ... and its certificate, downloaded by the kept account, is printed under the kept name:
    # the old code then verifies as replaced by it (as after a name correction)
    download = two["new_side"].get(f"/api/me/claims/{two['old_claim']['claim_id']}/certificate")
    assert download.status == 200, download.json
    replaced = new_client().get(f"/api/verify/{code}").json
    assert replaced["status"] == "replaced" and replaced["learner_name"] == "Anna Lopes, MD", replaced
    current = new_client().get(f"/api/verify/{replaced['superseded_by']}").json
    assert current["status"] == "current" and current["learner_name"] == "Ana Lopez, MD", current

    # audited on both, with the reason
    merged_in = audit_records(keep, "learner_merged_in")
    merged_into = audit_records(other, "learner_merged_into")
    assert len(merged_in) == 1 and len(merged_into) == 1
    assert merged_in[0].detail["other_learner_id"] == other and merged_into[0].detail["learner_id"] == keep
    assert merged_in[0].detail["reason"] == "Old and new email of one learner"
    assert merged_in[0].detail["emails"] == ["ana.old@example.org"] and merged_in[0].detail["claims"] == 1
    # each claim moved is named in an audit record written with its move
    (moved_record,) = audit_records(keep, "claims_moved")
    assert moved_record.detail["from_learner_id"] == other
    assert moved_record.detail["claims"] == [
        {
            "claim_id": two["old_claim"]["claim_id"],
            "activity_id": two["old_activity"]["activity_id"],
            "certificate_code": code,
        }
    ]


def test_a_merge_is_refused_when_both_claimed_one_activity(two: dict[str, Any], admin: ApiClient) -> None:
    keep, other = two["keep"], two["other"]
    # the old account claims the kept account's activity as well
    activity = two["kept_activity"]
    roster = admin.post(
        f"/api/admin/activities/{activity['activity_id']}/attendance", {"rows": [{"email": "ana.old@example.org"}]}
    )
    assert roster.json["added"] == 1
    assert two["old_side"].post("/api/me/claims", claim_body(activity)).status == 201
    answer = admin.post(merge_path(keep), {"other_learner_id": other, "reason": "one learner"})
    assert answer.status == 409 and answer.json["code"] == "MERGE_CONFLICT", answer.json
    assert answer.json["details"] == [{"activity_id": activity["activity_id"], "title": "Sepsis Update"}]
    assert "Sepsis Update" in answer.json["message"]
    # nothing moved, nothing closed, nothing audited
    assert len(claim_ids(other)) == 2 and two["old_side"].get("/api/me").status == 200
    assert audit_records(keep, "learner_merged_in") == []


def test_every_other_refusal(two: dict[str, Any], admin: ApiClient, provision: Callable[..., str]) -> None:
    keep, other = two["keep"], two["other"]
    same = admin.post(merge_path(keep), {"other_learner_id": keep, "reason": "x"})
    assert same.status == 422 and same.json["code"] == "MERGE_SAME_LEARNER", same.json
    for path, body in [
        (merge_path("no-such-learner"), {"other_learner_id": other, "reason": "x"}),
        (merge_path(keep), {"other_learner_id": "no-such-learner", "reason": "x"}),
    ]:
        answer = admin.post(path, body)
        assert answer.status == 404 and answer.json["code"] == "NOT_FOUND", answer.json
    no_reason = admin.post(merge_path(keep), {"other_learner_id": other, "reason": "  "})
    assert no_reason.status == 422 and no_reason.json["code"] == "VALIDATION_FAILED"
    # a learner may not merge
    assert two["new_side"].post(merge_path(keep), {"other_learner_id": other, "reason": "x"}).status == 403
    assert admin.post(merge_path(keep), {"other_learner_id": other, "reason": "x"}).status == 200
    # the closed account can neither be merged elsewhere nor take another in
    third = provision("ana.third@example.org", "Ana", "Third", "+1 480 555 0133")
    for path, body in [
        (merge_path(third), {"other_learner_id": other, "reason": "x"}),
        (merge_path(other), {"other_learner_id": third, "reason": "x"}),
    ]:
        answer = admin.post(path, body)
        assert answer.status == 404 and answer.json["code"] == "NOT_FOUND", answer.json


class Cut(Exception):
    """The merge's function stopped (a timeout) after some transactions."""


class Cutter:
    """Stops the merge after ``n`` committed transactions (``calls``: each one tried, by name)."""

    def __init__(self, real: Callable[..., None]) -> None:
        self.real = real
        self.limit = 10**6
        self.calls: list[str] = []

    def __call__(self, n: int) -> None:
        self.limit, self.calls = n, []

    def transact(self, build: Any, what: str, **options: Any) -> None:
        self.calls.append(what)
        if len(self.calls) > self.limit:
            raise Cut(what)
        self.real(build, what, **options)


@pytest.fixture
def cut_after(monkeypatch: pytest.MonkeyPatch) -> Cutter:
    """Batches of one item; the merge's transactions go through a Cutter."""
    from cme.credit import merge

    cutter = Cutter(merge.retry.transact)
    monkeypatch.setattr(merge.retry, "transact", cutter.transact)
    monkeypatch.setattr(merge, "BATCH", 1)
    return cutter


def many_claims(admin: ApiClient, learner: ApiClient, email: str, count: int) -> list[str]:
    return [attended_and_claimed(admin, learner, email, f"Noon Conference {n}")[0]["activity_id"] for n in range(count)]


@pytest.mark.parametrize("cut", [1, 2, 4, 6, 7, 8])
def test_a_merge_cut_off_and_run_again_finishes_once(
    two: dict[str, Any], admin: ApiClient, new_client: Any, cut_after: Cutter, cut: int
) -> None:
    """Nine transactions: close, the email, one per claim (4), the outside credit, the tracked
    set, the finish. Cut after any of them, the next run finishes: nothing lost, nothing twice."""
    keep, other = two["keep"], two["other"]
    extra = many_claims(admin, two["old_side"], "ana.old@example.org", 3)
    outside_credit_with_file(other)
    track(other, "set-rn", "2027-06-30")
    expected = sorted([two["kept_activity"]["activity_id"], two["old_activity"]["activity_id"], *extra])
    cut_after(cut)
    body = {"other_learner_id": other, "reason": "one learner"}
    from cme.credit import merge

    with pytest.raises(Cut):  # the function stopped (its timeout) midway
        merge.merge(keep, other, "one learner", "office", ("", ""))
    assert sorted(claim_ids(keep) + claim_ids(other)) == expected  # each claim on exactly one side
    # closed from the first transaction on: its old password is refused as a wrong one
    refused = new_client().post(SIGN_IN, {"email": "ana.old@example.org", "password": OLD_PASSWORD})
    assert refused.status == 401 and refused.json["code"] == "PASSWORD_MISMATCH", refused.json
    assert two["old_side"].get("/api/me").status == 401
    assert (
        cut_after.calls
        == [
            "merge close",
            "merge emails",
            *["merge claims"] * 4,
            "merge outside credit",
            "merge tracking",
            "merge finish",
        ][: cut + 1]
    )
    cut_after(1000)
    again = admin.post(merge_path(keep), body)
    assert again.status == 200, again.json
    assert claim_ids(keep) == expected and claim_ids(other) == []
    assert {e["email"] for e in again.json["emails"]} == {"ana.new@example.org", "ana.old@example.org"}
    from cme.platform.models.tables import OutsideCredit

    assert len(list(OutsideCredit.query(keep))) == 1 and list(OutsideCredit.query(other)) == []
    assert tracked(keep) == {"set-rn": "2027-06-30"}
    # once more after it finished: the same record, still one audit record each
    assert admin.post(merge_path(keep), body).status == 200
    assert len(audit_records(keep, "learner_merged_in")) == 1
    assert len(audit_records(other, "learner_merged_into")) == 1
    moved = [c["activity_id"] for r in audit_records(keep, "claims_moved") for c in r.detail["claims"]]
    assert sorted(moved) == sorted(set(expected) - {two["kept_activity"]["activity_id"]})  # each once


def test_a_merge_under_injected_conflicts_moves_everything_once(
    two: dict[str, Any],
    admin: ApiClient,
    inject_faults: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cme.platform import retry

    keep, other = two["keep"], two["other"]
    extra = many_claims(admin, two["old_side"], "ana.old@example.org", 4)
    expected = sorted([two["kept_activity"]["activity_id"], two["old_activity"]["activity_id"], *extra])
    monkeypatch.setattr("cme.credit.merge.BATCH", 2)
    inject_faults(conflict=0.3, seed=11)
    answer = admin.post(merge_path(keep), {"other_learner_id": other, "reason": "one learner"})
    assert answer.status == 200, answer.json
    assert retry.stats()["retries"] > 0  # the injected conflicts were met and retried
    assert claim_ids(keep) == expected and claim_ids(other) == []
    assert len(audit_records(keep, "learner_merged_in")) == 1


def test_a_merge_reads_by_key_and_index_never_scans(two: dict[str, Any], admin: ApiClient) -> None:
    """One transaction per step (batches of 25), no Scan: close, emails, claims, outside credit,
    tracking, finish."""
    from tests.support.calls import count_calls

    outside_credit_with_file(two["other"])
    track(two["other"], "set-rn", "2027-06-30")
    with count_calls() as calls:
        answer = admin.post(merge_path(two["keep"]), {"other_learner_id": two["other"], "reason": "one learner"})
    assert answer.status == 200, answer.json
    # the session; both learners (BatchGetItem); both accounts' claims (2 Queries); close, then its
    # sessions (Query, BatchWriteItem); the emails (index Query, BatchGetItem); the claims, outside
    # credit and tracked sets (a Query each, 2 for tracking), each a transaction; the finish; then
    # the kept learner's record (as GET /api/admin/learners/{id})
    assert dict(calls) == {
        "dynamodb:GetItem": 1,
        "dynamodb:BatchGetItem": 5,
        "dynamodb:Query": 11,
        "dynamodb:TransactWriteItems": 6,
        "dynamodb:BatchWriteItem": 1,
        "s3:CopyObject": 1,
    }
