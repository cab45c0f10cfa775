"""What AWS does under a crowd and moto never does: transactions cancelled with
TransactionConflict, calls throttled. With both injected (tests/support/faults.py), an
event-end surge of 300 claims and 300 self sign-ins on one activity loses nothing, stores
nothing twice and answers no 5xx; and no request's transaction holds a shared (hot) item.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest

from infra.local.faults import FaultInjector
from infra.local.gateway import Gateway
from tests.integration.conftest import account
from tests.integration.test_claims import claim_body
from tests.integration.test_publisher import create
from tests.support.calls import observe_calls
from tests.support.client import ApiClient
from tests.support.faults import inject_faults

__all__ = ["inject_faults"]  # the fixture, used by name below

CROWD = 300
WORKERS = 12
CONFLICT = 0.25  # of transactions cancelled with TransactionConflict
THROTTLE = 0.12  # of all DynamoDB calls throttled
WRITE_CONFLICT = 0.05  # of single-item writes refused with TransactionConflictException


@contextmanager
def dynamodb_calls() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every DynamoDB call (operation, parameters) made inside the block, in order."""
    calls: list[tuple[str, dict[str, Any]]] = []

    def recording(service: str, operation: str, params: Any) -> None:
        if service == "dynamodb":
            calls.append((operation, params))

    with observe_calls(recording):
        yield calls


def _tables(params: dict[str, Any]) -> list[str]:
    """The table of each item of a TransactWriteItems."""
    return [op["TableName"] for item in params["TransactItems"] for op in item.values()]


def _crowd(gateway: Gateway, activity_id: str | None, n: int = CROWD) -> list[ApiClient]:
    """``n`` signed-in MDs with verified emails (attending ``activity_id`` when given), written
    straight to the tables: no password hashing, no email, a handful of batch writes."""
    from cme.identity import sessions
    from cme.platform import clock
    from cme.platform.models import EmailOwner, Learner, Session
    from cme.publishing.attendance import import_roster
    from tests.support.learners import verified_md

    now = clock.now()
    clients = []
    with Learner.batch_write() as learners, EmailOwner.batch_write() as owners, Session.batch_write() as kept:
        for number in range(n):
            learner = verified_md("crowd", number, "555")
            learners.save(learner)
            owners.save(
                EmailOwner(learner.email, learner_id=learner.learner_id, verified=True, primary=True, added_at=now)
            )
            token, session = sessions.new_session(learner.learner_id, "learner")
            kept.save(session)
            client = ApiClient(gateway, source_ip=f"10.20.{number // 250}.{number % 250 + 1}")
            client.cookies[sessions.SESSION_COOKIE] = token
            clients.append(client)
    if activity_id is not None:
        report = import_roster(activity_id, [(row + 2, {"email": f"crowd{row}@example.org"}) for row in range(n)])
        assert report.added == n
    return clients


def _surge(work: Callable[[Any], Any], items: list[Any]) -> tuple[list[int], list[float]]:
    def timed(item: Any) -> tuple[int, float]:
        started = time.perf_counter()
        status = work(item)
        return status, (time.perf_counter() - started) * 1000

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(timed, items))
    return [s for s, _ in results], sorted(ms for _, ms in results)


def _report(label: str, faults: FaultInjector, latencies: list[float]) -> dict[str, Any]:
    from cme.platform import retry

    figures = {
        **faults.counts(),
        **{k: v for k, v in retry.stats().items() if k.startswith(("retries", "exhausted"))},
        "p50_ms": round(latencies[len(latencies) // 2]),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1]),
    }
    print(f"\n{label}: {figures}")
    return figures


def test_claim_surge_under_conflicts_and_throttling(
    admin: ApiClient, gateway: Gateway, inject_faults: Callable[..., FaultInjector]
) -> None:
    from cme.platform import retry
    from cme.platform.models import Activity, AuditRecord, Certificate, Claim

    activity = create(admin)
    activity_id = activity["activity_id"]
    crowd = _crowd(gateway, activity_id)
    body = claim_body(activity)
    faults = inject_faults(conflict=CONFLICT, throttle=THROTTLE, write_conflict=WRITE_CONFLICT)

    statuses, latencies = _surge(lambda learner: learner.post("/api/me/claims", body).status, crowd)
    figures = _report("claim surge", faults, latencies)
    faults.uninstall()

    assert Counter(statuses) == {201: CROWD}, Counter(statuses)  # no 5xx, no 409: every claim went in
    assert figures["conflicts"] > 0 and figures["throttles"] > 0
    assert figures["conflicts"] >= 0.15 * figures["transactions"]  # configured 25%
    assert figures["throttles"] >= 0.08 * figures["calls"]  # configured 12%
    assert retry.stats()["retries:TransactionConflict"] > 0  # our backoff, not luck, got them through
    assert retry.stats()["exhausted"] == 0
    # exactly once each: the claim, its certificate record, its audit record
    claims = [c for c in Claim.scan() if c.activity_id == activity_id]
    assert Counter(c.learner_id for c in claims) == {f"crowd-{n:04d}": 1 for n in range(CROWD)}
    certificates = [c for c in Certificate.scan() if c.activity_id == activity_id]
    assert sorted(c.claim_id for c in certificates) == sorted(c.claim_id for c in claims)
    audited = [a for a in AuditRecord.scan() if a.action == "claim" and a.detail["activity_id"] == activity_id]
    assert sorted(a.detail["claim_id"] for a in audited) == sorted(c.claim_id for c in claims)
    assert Activity.get(activity_id, consistent_read=True).claim_count == CROWD


def test_attendance_surge_under_conflicts_and_throttling(
    admin: ApiClient, gateway: Gateway, inject_faults: Callable[..., FaultInjector]
) -> None:
    from cme.platform import retry
    from cme.platform.models import Activity, Attendance, EmailAttendance

    activity = create(admin)
    phones = [ApiClient(gateway, source_ip=f"10.30.{n // 250}.{n % 250 + 1}") for n in range(CROWD)]
    faults = inject_faults(conflict=CONFLICT, throttle=THROTTLE, write_conflict=WRITE_CONFLICT)

    def sign_in(number: int) -> int:
        body = {
            "code": activity["attendance_code"],
            "email": f"attendee{number}@example.org",
            "first_name": "At",
            "last_name": f"Tendee{number}",
        }
        return phones[number].post("/api/attendance", body).status

    statuses, latencies = _surge(sign_in, list(range(CROWD)))
    figures = _report("attendance surge", faults, latencies)
    faults.uninstall()

    assert Counter(statuses) == {201: CROWD}, Counter(statuses)
    # each sign-in is one transaction of its own row and its own email's EmailAttendance item
    # (no item another attendee writes); the throttle and the count are single-item writes
    assert figures["transactions"] >= CROWD and figures["conflicts"] > 0
    assert figures["throttles"] > 0 and figures["write_conflicts"] > 0
    assert retry.stats()["retries:TransactionConflictException"] == figures["write_conflicts"]
    assert retry.stats()["retries:TransactionConflict"] > 0
    assert retry.stats()["exhausted"] == 0
    rows = list(Attendance.query(activity["activity_id"], consistent_read=True))
    assert sorted(r.email for r in rows) == sorted(f"attendee{n}@example.org" for n in range(CROWD))
    listed = {
        item.email: item.activities
        for item in EmailAttendance.batch_get([EmailAttendance.key_of(r.email) for r in rows], consistent_read=True)
    }
    assert listed == {r.email: {activity["activity_id"]} for r in rows}  # each exactly as its row
    assert Activity.get(activity["activity_id"], consistent_read=True).attendance_count == CROWD


# ---------------------------------------------------------------- no hot item in a transaction


def test_a_claims_transaction_holds_only_the_learners_items(admin: ApiClient, gateway: Gateway) -> None:
    from cme.platform.settings import get_settings

    settings = get_settings()
    activity = create(admin)
    (learner,) = _crowd(gateway, activity["activity_id"], n=1)
    with dynamodb_calls() as calls:
        assert learner.post("/api/me/claims", claim_body(activity)).status == 201
    operations = [op for op, _ in calls]
    (transaction,) = [params for op, params in calls if op == "TransactWriteItems"]
    # the claim, its certificate record, its audit record, and a condition check on the
    # learner's own attendance row (activity + their email: no other request writes it)
    assert sorted(_tables(transaction)) == sorted(
        [settings.attendance_table, settings.claims_table, settings.certificates_table, settings.audit_table]
    )
    (check,) = [item["ConditionCheck"] for item in transaction["TransactItems"] if "ConditionCheck" in item]
    assert check["Key"]["email"] == {"S": "crowd0@example.org"}
    # the count: one plain ADD on the activity, after the transaction succeeded
    count = calls[operations.index("TransactWriteItems") + 1]
    assert count[0] == "UpdateItem" and count[1]["TableName"] == settings.activities_table
    assert count[1]["UpdateExpression"].startswith("ADD ")
    # a retry of the same claim is not counted again
    with dynamodb_calls() as calls:
        assert learner.post("/api/me/claims", claim_body(activity)).status == 201
    assert not [p for op, p in calls if op == "UpdateItem" and p["TableName"] == settings.activities_table]
    listed = admin.get("/api/admin/activities").json["activities"]
    assert next(a for a in listed if a["activity_id"] == activity["activity_id"])["claim_count"] == 1


def test_self_sign_in_writes_only_the_attendees_items(admin: ApiClient, new_client: Any) -> None:
    """The row and its email's EmailAttendance item, in one transaction: both keyed by the
    attendee's email, so a crowd at one activity never writes one item twice."""
    from cme.platform.models.tables import ATTENDED_PREFIX
    from cme.platform.settings import get_settings

    settings = get_settings()
    activity = create(admin)
    body = {"code": activity["attendance_code"], "email": "zoe@example.org", "first_name": "Z", "last_name": "M"}
    phone = new_client()
    with dynamodb_calls() as calls:
        assert phone.post("/api/attendance", body).status == 201
    (transaction,) = [p for op, p in calls if op == "TransactWriteItems"]
    (put,) = [item["Put"] for item in transaction["TransactItems"] if "Put" in item]
    assert put["TableName"] == settings.attendance_table and "ConditionExpression" in put
    assert put["Item"]["email"] == {"S": "zoe@example.org"}
    (update,) = [item["Update"] for item in transaction["TransactItems"] if "Update" in item]
    assert update["Key"] == {
        "activity_id": {"S": f"{ATTENDED_PREFIX}zoe@example.org"},
        "email": {"S": "zoe@example.org"},
    }
    assert len(transaction["TransactItems"]) == 2
    (count,) = [p for op, p in calls if op == "UpdateItem" and p["TableName"] == settings.activities_table]
    assert count["UpdateExpression"].startswith("ADD ")
    with dynamodb_calls() as calls:
        assert phone.post("/api/attendance", body).status == 200  # a double tap: not counted again
    assert not [p for op, p in calls if op == "UpdateItem" and p["TableName"] == settings.activities_table]
    assert admin.get("/api/admin/activities").json["activities"][0]["attendance_count"] == 1


def test_throttle_counters_are_single_item_writes(client: ApiClient, new_client: Any) -> None:
    from cme.platform.settings import get_settings

    table = get_settings().rate_limits_table
    with dynamodb_calls() as calls:
        assert client.post("/api/accounts/lookup", {"last_name": "Smith", "phone": "480-555-0100"}).status == 200
    assert "TransactWriteItems" not in [op for op, _ in calls]
    counters = [p for op, p in calls if op == "UpdateItem"]
    assert [p["TableName"] for p in counters] == [table]  # the client's (never the phone's)
    assert all("ConditionExpression" in p for p in counters)
    assert client.post("/api/accounts", account()).status == 201
    with dynamodb_calls() as calls:
        wrong = {"email": "sean.obriain@example.org", "password": "not the password"}
        assert new_client().post("/api/auth/sign-in", wrong).status == 401
    assert "TransactWriteItems" not in [op for op, _ in calls]
    # the email-and-client's and the email's day: one UpdateItem each
    assert [p["TableName"] for op, p in calls if op == "UpdateItem"] == [table, table]


def test_a_refused_attempt_counts_against_no_scope(aws: None) -> None:
    from cme.platform import throttle
    from cme.platform.errors import TooManyAttempts
    from cme.platform.models import RateCounter
    from cme.platform.settings import get_settings

    narrow, broad = throttle.Scope("t:narrow", "a", 5), throttle.Scope("t:broad", "b", 1)
    now = 1_000_000.0
    throttle.hit(narrow, broad, now=now)
    with pytest.raises(TooManyAttempts):
        throttle.hit(narrow, broad, now=now)
    window = int(now // get_settings().throttle_window_seconds)
    assert RateCounter.get(throttle._key(narrow, window)).hits == 1  # given back
    assert RateCounter.get(throttle._key(broad, window)).hits == 1


# ---------------------------------------------------------------- when the count cannot be written


def test_a_lost_count_never_fails_the_claim(
    admin: ApiClient, gateway: Gateway, monkeypatch: pytest.MonkeyPatch, inject_faults: Callable[..., FaultInjector]
) -> None:
    from botocore.exceptions import ClientError
    from pynamodb.exceptions import UpdateError

    from cme.platform import retry
    from cme.platform.models import Activity, Claim

    activity = create(admin)
    (learner,) = _crowd(gateway, activity["activity_id"], n=1)
    inject_faults()  # nothing injected: it resets the retry counts
    throttled = ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "UpdateItem")

    def always_throttled(self: Activity, *args: Any, **kwargs: Any) -> Any:
        raise UpdateError("throttled", cause=throttled)

    with monkeypatch.context() as patched:
        patched.setattr(retry, "BASE_SECONDS", 0.0001)
        patched.setattr(Activity, "update", always_throttled)
        answer = learner.post("/api/me/claims", claim_body(activity))
    assert answer.status == 201  # the claim is recorded; only its count is short
    assert Claim.get("crowd-0000", activity["activity_id"]).claim_id == answer.json["claim"]["claim_id"]
    assert retry.stats()["exhausted:ThrottlingException"] == 1
    assert retry.stats()["retries"] == retry.ATTEMPTS - 1
    assert Activity.get(activity["activity_id"]).claim_count == 0
