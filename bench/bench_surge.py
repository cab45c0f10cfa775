"""The event-end surge: 300 learners claim the same activity at once, on the local stack
(in this process: moto server, gateway, werkzeug), and what 1,000 claims would cost on AWS.

The surge runs twice: as moto answers (every call succeeds at once), and under the faults AWS
gives a crowd (infra/local/faults.py: transactions cancelled with TransactionConflict, single
writes refused with TransactionConflictException, calls throttled); then one claim at a time."""

from __future__ import annotations

import json
import statistics
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

LEARNERS = 300
WORKERS = 30
FAULTS = {"conflict": 0.25, "write_conflict": 0.05, "throttle": 0.1, "seed": 7}

# us-east-1 list prices (2025): Lambda x86 per GB-second and per request; HTTP API per request;
# DynamoDB on-demand per write and read request unit. A transactional write costs 2 WRU per KB
# of each item; a strongly consistent read 1 RRU per 4 KB.
LAMBDA_GB_SECOND = 0.0000166667
LAMBDA_REQUEST = 0.20 / 1_000_000
HTTP_API_REQUEST = 1.00 / 1_000_000
DDB_WRU = 0.625 / 1_000_000
DDB_RRU = 0.125 / 1_000_000


def _claim(base: str, token: str, activity_id: str) -> tuple[int, float]:
    body = json.dumps({"activity_id": activity_id, "credit_type": "AMA_PRA_1", "credits": 1.0, "attestation": True})
    request = urllib.request.Request(f"{base}/api/me/claims", data=body.encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("Cookie", f"cme_session={token}")
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, (time.perf_counter() - start) * 1000


def run() -> dict[str, Any]:
    from werkzeug.serving import make_server

    from infra.local.server import LocalStack, _free_port

    port = _free_port()
    stack = LocalStack(port)
    stack.start_aws()
    stack.prepare()
    server = make_server("127.0.0.1", port, stack, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        return _surge(f"http://127.0.0.1:{port}", stack)
    finally:
        server.shutdown()
        stack.moto.stop()


def _activity(title: str) -> Any:
    from cme.platform.schemas import ActivityFormat, ActivityIn, Credit, CreditType
    from cme.publishing import activities

    today = date.today()
    return activities.create(
        ActivityIn(
            title=title,
            format=ActivityFormat.LIVE,
            start_date=today,
            end_date=today,
            credits=[Credit(type=CreditType.AMA_PRA_1, max=1.0)],
            claim_window_days=30,
            published=True,
        )
    )


def _surge(base: str, stack: Any) -> dict[str, Any]:
    from cme.identity import sessions
    from cme.identity.accounts import provision_account
    from cme.platform.schemas import Degree, NewAccount
    from cme.publishing.attendance import import_roster

    tokens = []
    learner_ids = []
    for n in range(LEARNERS):
        profile = provision_account(
            NewAccount(
                email=f"surge{n}@example.org",
                password="a surge passphrase",
                first_name="Surge",
                last_name=f"L{n}",
                degree=Degree.MD,
                phone=f"+1 480 555 {n:04d}",
            ),
            role="learner",
            verified=True,
        )
        tokens.append(sessions.start(profile.learner_id, "learner"))
        learner_ids.append(profile.learner_id)
    roster = [(n, {"email": f"surge{n}@example.org"}) for n in range(LEARNERS)]
    pools = stack.gateway.pools
    plain_activity = _activity("Surge: Grand Rounds")
    import_roster(plain_activity.activity_id, roster)
    plain = _claim_surge(base, pools, plain_activity.activity_id, tokens, learner_ids, faults=None)
    faulted_activity = _activity("Surge under faults: Grand Rounds")
    import_roster(faulted_activity.activity_id, roster)
    faulted = _claim_surge(base, pools, faulted_activity.activity_id, tokens, learner_ids, faults=FAULTS)

    # One claim at a time on a third activity: the handler durations Lambda would bill (in the
    # surge they include waiting for this 2-core machine's other 29 requests).
    quiet = _activity("Quiet: Grand Rounds")
    import_roster(quiet.activity_id, roster[:30])
    for pool in pools.values():
        pool.durations.clear()
    latencies = sorted(_claim(base, token, quiet.activity_id)[1] for token in tokens[:30])
    claim_ms = statistics.median(pools["CreditClaimFunction"].durations[5:])  # warm
    auth_ms = statistics.median(pools["AuthorizerFunction"].durations[5:])
    return {
        **plain,
        "faults": faulted,
        "one_at_a_time": {
            "p50_ms": latencies[len(latencies) // 2],
            "p95_ms": latencies[int(len(latencies) * 0.95) - 1],
        },
        "claim_handler_ms": claim_ms,
        "authorizer_ms": auth_ms,
        "cost_per_1000": cost_per_1000(claim_ms, auth_ms),
    }


def _claim_surge(
    base: str,
    pools: dict[str, Any],
    activity_id: str,
    tokens: list[str],
    learner_ids: list[str],
    faults: dict[str, Any] | None,
) -> dict[str, Any]:
    """All learners claim ``activity_id`` at once (under injected faults when given); then what
    was stored, checked table by table."""
    from cme.platform import retry
    from infra.local.faults import FaultInjector

    for pool in pools.values():
        pool.durations.clear()
    injector = FaultInjector(**faults).install() if faults else None
    retry.reset_stats()
    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=WORKERS) as executor:
            results = list(executor.map(lambda t: _claim(base, t, activity_id), tokens))
    finally:
        if injector is not None:
            injector.uninstall()
    wall = time.perf_counter() - started
    injected = injector.counts() if injector is not None else {}
    latencies = sorted(ms for _, ms in results)
    return {
        "learners": LEARNERS,
        "concurrency": WORKERS,
        "injected_rates": faults or {},
        "statuses": {s: sum(1 for x, _ in results if x == s) for s, _ in results},
        **_stored(activity_id, learner_ids),
        "wall_s": wall,
        "p50_ms": latencies[len(latencies) // 2],
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1],
        "surge_claim_handler_ms": statistics.median(pools["CreditClaimFunction"].durations),
        "calls": injected.get("calls", 0),
        "transactions": injected.get("transactions", 0),
        "conflicts": injected.get("conflicts", 0),
        "write_conflicts": injected.get("write_conflicts", 0),
        "throttles": injected.get("throttles", 0),
        "retries": retry.stats()["retries"],
        "retries_exhausted": retry.stats()["exhausted"],
    }


def _stored(activity_id: str, learner_ids: list[str]) -> dict[str, Any]:
    """Claims, certificate records and audit records of the activity, and its claim count."""
    from cme.platform.models import Activity, AuditRecord, Certificate, Claim

    stored = list(Claim.by_activity.query(activity_id))
    # and from the table itself, learner by learner (the index could hide a lost write)
    lost = [lid for lid in learner_ids if not Claim.count(lid, Claim.activity_id == activity_id)]
    claim_ids = {c.claim_id for c in stored}
    certificates = [c.claim_id for c in Certificate.scan(Certificate.activity_id == activity_id)]
    audited = [
        a.detail["claim_id"]
        for a in AuditRecord.scan(AuditRecord.action == "claim")
        if a.detail["activity_id"] == activity_id
    ]
    return {
        "stored": len(stored),
        "stored_in_table": len(learner_ids) - len(lost),
        "missing_learners": lost,
        "distinct_learners": len({c.learner_id for c in stored}),
        "certificates": len(certificates),
        "audit_records": len(audited),
        "exactly_once": (
            len(stored) == len(claim_ids) == len(learner_ids)
            and not lost
            and sorted(certificates) == sorted(claim_ids)
            and sorted(audited) == sorted(claim_ids)
        ),
        "claim_count": int(Activity.get(activity_id, consistent_read=True).claim_count or 0),
    }


def cost_per_1000(claim_ms: float, auth_ms: float) -> dict[str, float]:
    """Dollars per 1,000 claims from measured handler durations (rounded up to 1 ms, as Lambda
    bills), memory from template.yaml, and the request units each claim uses."""
    claim_gb_s = 1.0 * max(1, round(claim_ms)) / 1000  # CreditClaimFunction: 1024 MB
    auth_gb_s = 0.25 * max(1, round(auth_ms)) / 1000  # AuthorizerFunction: 256 MB
    lambda_cost = 1000 * ((claim_gb_s + auth_gb_s) * LAMBDA_GB_SECOND + 2 * LAMBDA_REQUEST)
    # reads: session (1), learner + activity (2), attendance (1); all under 4 KB, consistent
    # writes (transaction, 2 WRU per KB per item): claim 1 KB, certificate 1 KB, audit 1 KB; then the
    # activity's count, a plain UpdateItem (1 WRU per KB): 2 KB
    ddb_cost = 1000 * (4 * DDB_RRU + (2 * (1 + 1 + 1) + 2) * DDB_WRU)
    api_cost = 1000 * HTTP_API_REQUEST
    return {
        "lambda": lambda_cost,
        "dynamodb": ddb_cost,
        "http_api": api_cost,
        "total": lambda_cost + ddb_cost + api_cost,
    }


if __name__ == "__main__":
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sys.path[:0] = [str(root / "layers" / "common"), str(root)]
    print("SURGE_RESULT " + json.dumps(run()))
