"""Moving an office in (issue 25): learners, activities and claims imported through the local
stack (in this process: moto server, gateway, werkzeug), the way the import page drives it:
create the import, POST the file to S3 with its pre-signed form, check (the dry run), commit;
the local stack drains the import queues (ImportReaderFunction, then ImportWorkerFunction) as
their SQS event sources do in AWS.

Measured beside a baseline in the same process, on the same moto server: the same rows written
as plain BatchWriteItem calls of the same items (no conditions, no transactions, no dedup, no
counts), which is what a bare "load the dump" script would do. Reported: rows per second, DynamoDB
calls per row, and the cost per 100,000 rows at AWS's published us-east-1 prices.

5,000 learners and 20,000 claims by default; ``BENCH_IMPORT_FULL=1``: 50,000 and 500,000.
"""

from __future__ import annotations

import csv
import io
import json
import os
import threading
import time
import urllib.request
import uuid
from collections import Counter
from datetime import date, timedelta
from typing import Any

FULL = os.environ.get("BENCH_IMPORT_FULL") == "1"
LEARNERS = 50_000 if FULL else 5_000
CLAIMS = 500_000 if FULL else 20_000
ACTIVITIES = 2_000 if FULL else 200
SOURCE = "Bench Portal"
POLL_SECONDS = 0.25

# us-east-1 list prices (2025): bench_surge.py's Lambda and DynamoDB prices, and SQS standard
# queue requests (each SendMessageBatch, ReceiveMessage and DeleteMessageBatch is one request per
# 64 KB of payload) and an S3 GET of the file.
SQS_REQUEST = 0.40 / 1_000_000
S3_GET = 0.0004 / 1000


# ---------------------------------------------------------------- the files
def _csv(header: list[str], rows: Any) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def learners_file() -> bytes:
    degrees = ("MD", "DO", "RN", "PA", "NP")
    return _csv(
        ["source_id", "email", "first_name", "last_name", "degree", "phone", "npi"],
        (
            [f"L{n}", f"learner{n}@example.org", "Zoë" if n % 7 == 0 else "Ana", f"Núñez {n}", degrees[n % 5], "", ""]
            for n in range(LEARNERS)
        ),
    )


def activities_file(first_day: date) -> bytes:
    return _csv(
        ["source_id", "title", "format", "start_date", "end_date", "location", "credits"],
        (
            [
                f"A{n}",
                f"Grand Rounds {n}",
                "live",
                (first_day + timedelta(days=n % 700)).isoformat(),
                (first_day + timedelta(days=n % 700)).isoformat(),
                "Auditorium B",
                "AMA_PRA_1:1.5",
            ]
            for n in range(ACTIVITIES)
        ),
    )


def claims_file(first_day: date) -> bytes:
    """CLAIMS // LEARNERS claims per learner, each of another activity, in the order a portal's
    claims report lists them: by activity (its date), then learner."""
    per_learner = CLAIMS // LEARNERS
    pairs = sorted(
        ((learner * per_learner + k * 37) % ACTIVITIES, learner)
        for learner in range(LEARNERS)
        for k in range(per_learner)
    )

    def rows() -> Any:
        for n, (activity, learner) in enumerate(pairs):
            day = first_day + timedelta(days=activity % 700)
            yield [
                f"C{n}",
                f"A{activity}",
                f"learner{learner}@example.org",
                "AMA_PRA_1",
                "1.5",
                day.isoformat(),
                f"{n:08d}",
            ]

    return _csv(
        ["source_id", "activity_source_id", "email", "credit_type", "credits", "completed_on", "certificate_number"],
        rows(),
    )


# ---------------------------------------------------------------- the import, as the page drives it
class Api:
    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.cookie = f"cme_session={token}"

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        request.add_header("Cookie", self.cookie)
        with urllib.request.urlopen(request, timeout=600) as answer:
            return json.loads(answer.read() or b"null")


def _upload(form: dict[str, Any], name: str, content: bytes) -> None:
    import requests

    answer = requests.post(form["url"], data=form["fields"], files={"file": (name, content, "text/csv")}, timeout=600)
    answer.raise_for_status()


def _wait(api: Api, import_id: str, statuses: set[str]) -> dict[str, Any]:
    while True:
        job = api.call("GET", f"/api/admin/imports/{import_id}")["import"]
        if job["status"] in statuses | {"failed"}:
            return job
        time.sleep(POLL_SECONDS)


class Drains:
    """Counts and times what the local stack's import drains do (the reader's and the worker's
    work, as Lambda would run and bill it), apart from the page's polling requests."""

    def __init__(self, stack: Any) -> None:
        self.local = threading.local()
        self.calls: Counter[str] = Counter()
        self.seconds = 0.0
        original = stack.run_imports

        def drain() -> None:
            self.local.counting = True
            started = time.perf_counter()
            try:
                original()
            finally:
                self.seconds += time.perf_counter() - started
                self.local.counting = False

        stack.run_imports = drain

    def observe(self, service: str, operation: str, _params: Any) -> None:
        if getattr(self.local, "counting", False):
            self.calls[f"{service}:{operation}"] += 1

    def take(self) -> tuple[Counter[str], float]:
        calls, seconds = self.calls, self.seconds
        self.calls, self.seconds = Counter(), 0.0
        return calls, seconds


def _run_kind(api: Api, drains: Drains, kind: str, content: bytes, pools: Any) -> dict[str, Any]:
    created = api.call("POST", "/api/admin/imports", {"kind": kind, "filename": f"{kind}.csv", "source_name": SOURCE})
    import_id = created["import"]["import_id"]
    _upload(created["upload"], f"{kind}.csv", content)
    _wait(api, import_id, {"uploaded"})
    result: dict[str, Any] = {"kind": kind, "bytes": len(content)}
    for run, path, finished in (("check", "check", "checked"), ("commit", "commit", "done")):
        for pool in pools.values():
            pool.durations.clear()
        drains.take()
        started = time.perf_counter()
        api.call("POST", f"/api/admin/imports/{import_id}/{path}", {"mapping": {}} if run == "check" else None)
        job = _wait(api, import_id, {finished})
        wall = time.perf_counter() - started
        calls, _ = drains.take()
        result[run] = {
            "status": job["status"],
            "rows": job["rows"],
            "created": job["created"],
            "matched": job["matched"],
            "skipped": job["skipped"],
            "problems": job["problem_count"],
            "wall_s": wall,
            "rows_per_s": (job["rows"] or 0) / wall,
            "calls": dict(calls),
            "reader_ms": sum(pools["ImportReaderFunction"].durations),
            "worker_ms": sum(pools["ImportWorkerFunction"].durations),
            "worker_invocations": len(pools["ImportWorkerFunction"].durations),
        }
    return result


# ---------------------------------------------------------------- the baseline
def _baseline(kind: str, content: bytes, first_admin: str) -> dict[str, Any]:
    """The same rows as plain BatchWriteItem calls of the items an import writes for them (fresh
    ids: nothing is read, checked or counted), timed and counted in this process."""
    from cme.platform import clock
    from cme.platform.models import Certificate, Claim, EmailOwner, ImportKey, Learner, LearnerSearch
    from cme.platform.models.tables import ClaimLine
    from tests.support.calls import count_calls

    now = clock.now()
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    salt = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    with count_calls() as calls:
        if kind == "learners":
            with (
                Learner.batch_write() as learners,
                EmailOwner.batch_write() as owners,
                LearnerSearch.batch_write() as search,
                ImportKey.batch_write() as keys,
            ):
                for row in rows:
                    learner_id = str(uuid.uuid4())
                    email = f"{salt}-{row['email']}"
                    learners.save(
                        Learner(
                            learner_id,
                            email=email,
                            first_name=row["first_name"],
                            last_name=row["last_name"],
                            last_name_key=row["last_name"].casefold(),
                            degree=row["degree"],
                            password_hash="!unset",
                            imported_from=SOURCE,
                            created_at=now,
                            updated_at=now,
                        )
                    )
                    owners.save(
                        EmailOwner(email, learner_id=learner_id, primary=True, added_at=now, imported_from=SOURCE)
                    )
                    search.save(
                        LearnerSearch(
                            learner_id, last_key=row["last_name"].casefold(), last_initial=row["last_name"][:1]
                        )
                    )
                    keys.save(
                        ImportKey(
                            f"{salt}#learners#{row['source_id']}", target=learner_id, import_id=salt, created_at=now
                        )
                    )
        else:
            with (
                Claim.batch_write() as claims,
                Certificate.batch_write() as certificates,
                ImportKey.batch_write() as keys,
            ):
                for row in rows:
                    learner_id, activity_id = f"{salt}-{row['email']}", row["activity_source_id"]
                    code = f"{salt}{row['certificate_number']}".upper()
                    line = ClaimLine(credit_type=row["credit_type"], credits=float(row["credits"]))
                    claims.save(
                        Claim(
                            learner_id,
                            activity_id,
                            claim_id=str(uuid.uuid4()),
                            activity_title="Grand Rounds",
                            activity_start=row["completed_on"],
                            activity_end=row["completed_on"],
                            completed_on=row["completed_on"],
                            credit_type=row["credit_type"],
                            credits=float(row["credits"]),
                            lines=[line],
                            attested=True,
                            claimed_at=now,
                            certificate_code=code,
                            learner_name="Ana Núñez",
                            degree="MD",
                            email=row["email"],
                            source="imported",
                            source_name=SOURCE,
                        )
                    )
                    certificates.save(
                        Certificate(
                            code,
                            learner_id=learner_id,
                            claim_id=first_admin,
                            activity_id=activity_id,
                            learner_name="Ana Núñez, MD",
                            activity_title="Grand Rounds",
                            activity_date=row["completed_on"],
                            credit_type=row["credit_type"],
                            credits=float(row["credits"]),
                            issued_at=now,
                            s3_key="",
                            source_name=SOURCE,
                            original_number=row["certificate_number"],
                        )
                    )
                    keys.save(
                        ImportKey(
                            f"{salt}#claims#{row['source_id']}", target=learner_id, import_id=salt, created_at=now
                        )
                    )
    wall = time.perf_counter() - started
    return {"rows": len(rows), "wall_s": wall, "rows_per_s": len(rows) / wall, "calls": dict(calls)}


# ---------------------------------------------------------------- cost
def _dynamodb(calls: dict[str, int]) -> int:
    return sum(n for key, n in calls.items() if key.startswith("dynamodb:"))


def cost_per_100k(run: dict[str, Any], units: dict[str, float], worker_gb: float, reader_gb: float) -> dict[str, float]:
    """Dollars per 100,000 rows of one kind: DynamoDB request units (``units``: WRU and RRU per
    row, from the items each row writes and reads), SQS requests (the reader's SendMessageBatch,
    Lambda's ReceiveMessage and DeleteMessageBatch per batch of messages), Lambda (the measured
    reader and worker milliseconds at their memory, and one request per worker invocation) and
    the file's S3 GET."""
    from bench_surge import DDB_RRU, DDB_WRU, LAMBDA_GB_SECOND, LAMBDA_REQUEST

    rows = max(1, run["rows"] or 1)
    scale = 100_000 / rows
    sqs_requests = run["calls"].get("sqs:SendMessageBatch", 0) + 2 * run["worker_invocations"]
    lambda_cost = (
        (run["worker_ms"] / 1000 * worker_gb + run["reader_ms"] / 1000 * reader_gb) * LAMBDA_GB_SECOND
        + run["worker_invocations"] * LAMBDA_REQUEST
    ) * scale
    ddb = 100_000 * (units["wru"] * DDB_WRU + units["rru"] * DDB_RRU)
    sqs = sqs_requests * SQS_REQUEST * scale
    return {
        "dynamodb": ddb,
        "lambda": lambda_cost,
        "sqs": sqs,
        "s3": S3_GET * scale,
        "total": ddb + lambda_cost + sqs + S3_GET * scale,
    }


# Request units per committed row, from the items written (each under 1 KB) and read (under 4 KB,
# strongly consistent: 1 RRU each, cme.platform.models.get_many): a transactional write costs 2 WRU
# per item however many rows share the transaction, a plain write 1. learners: ImportKey,
# EmailOwner, Learner, LearnerSearch and the import's created-learner record (5 items, 10 WRU);
# the row's ImportKey and email read (2 RRU); the batch's counts (1 UpdateItem per 100 rows).
# activities: ImportKey, attendance code, Activity (6 WRU); the key read (1 RRU); the calendar
# and the counts once a batch. claims: ImportKey, Claim, Certificate (6 WRU); the row's key, email
# owner, certificate number, learner and claim read (5 RRU; the activity and its key are shared by
# the activity's rows); the activity's claim count once per activity and batch (1 WRU per 100
# rows in a file listed by activity).
UNITS = {
    "learners": {"wru": 10 + 1 / 100, "rru": 2.0},
    "activities": {"wru": 6 + 2 / 100, "rru": 1.0},
    "claims": {"wru": 6 + 2 / 100, "rru": 5.0},
}
BASELINE_UNITS = {"learners": {"wru": 4, "rru": 0}, "claims": {"wru": 3, "rru": 0}}


def _memory_gb(function: str) -> float:
    from infra.local import cfn

    return float(cfn.resources("AWS::Serverless::Function")[function]["Properties"]["MemorySize"]) / 1024


# ---------------------------------------------------------------- run
def run() -> dict[str, Any]:
    from werkzeug.serving import make_server

    from infra.local.server import LocalStack, _free_port
    from tests.support.calls import observe_calls

    port = _free_port()
    stack = LocalStack(port)
    stack.start_aws()
    stack.prepare()
    server = make_server("127.0.0.1", port, stack, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    drains = Drains(stack)
    try:
        from cme.identity import sessions
        from cme.identity.accounts import provision_account
        from cme.platform.schemas import Degree, NewAccount

        admin = provision_account(
            NewAccount(
                email="bench-importer@example.org",
                password="a bench passphrase",
                first_name="Bench",
                last_name="Importer",
                degree=Degree.OTHER,
                phone="+1 480 555 0177",
            ),
            role="admin",
        )
        api = Api(f"http://127.0.0.1:{port}", sessions.start(admin.learner_id, "admin"))
        first_day = date(2024, 1, 8)
        files = {
            "learners": learners_file(),
            "activities": activities_file(first_day),
            "claims": claims_file(first_day),
        }
        results: dict[str, Any] = {"learners": LEARNERS, "activities": ACTIVITIES, "claims": CLAIMS, "full": FULL}
        with observe_calls(drains.observe):
            for kind, content in files.items():
                results[kind + "_import"] = _run_kind(api, drains, kind, content, stack.gateway.pools)
        for kind in ("learners", "claims"):
            results[kind + "_baseline"] = _baseline(kind, files[kind], admin.learner_id)
        worker_gb, reader_gb = _memory_gb("ImportWorkerFunction"), _memory_gb("ImportReaderFunction")
        for kind in ("learners", "activities", "claims"):
            commit = results[kind + "_import"]["commit"]
            commit["cost_per_100k"] = cost_per_100k(commit, UNITS[kind], worker_gb, reader_gb)
        for kind in ("learners", "claims"):
            from bench_surge import DDB_WRU

            base = results[kind + "_baseline"]
            base["cost_per_100k"] = {"dynamodb": 100_000 * BASELINE_UNITS[kind]["wru"] * DDB_WRU}
        return results
    finally:
        server.shutdown()
        stack.moto.stop()


if __name__ == "__main__":
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sys.path[:0] = [str(root / "layers" / "common"), str(root), str(root / "bench")]
    print("IMPORT_RESULT " + json.dumps(run()))
