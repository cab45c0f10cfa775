"""`make bench`: measurements as ratios against baselines run in the same command.

1. Cold import of every function's handler module (``python -X importtime``, fresh process
   each run, runs interleaved, median of N) against a bare Powertools + boto3 handler.
2. Cold start: import + first invocation in a fresh process, each API function against a
   resolver + validation + pydantic model + boto3 GetItem baseline, on one moto server; and the
   same first request after the SnapStart hooks (``cme.runtime.snapstart``) have run.
3. DynamoDB round trips per request, counted on moto through the local gateway.

Prints one table and writes it to bench/RESULTS.md.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "layers" / "common"
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
ROSTER_ROUNDS = 2


def _import_ms(directory: Path, module: str, env: dict[str, str]) -> float:
    code = f"import sys; sys.path[:0] = [{str(LAYER)!r}, {str(directory)!r}]; import {module}"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, env=env, check=True
    )
    total = 0
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if cumulative.strip().isdigit() and not name.startswith("  "):  # top-level imports only
            total += int(cumulative)
    return total / 1000


def cold_imports() -> list[tuple[str, float, float]]:
    targets = {"baseline (Powertools + boto3)": (ROOT / "bench", "baseline_handler")}
    for app in sorted((ROOT / "functions").glob("*/app.py")):
        targets[app.parent.name] = (app.parent, "app")
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache  # bytecode compiled once, as in a warm image
        for directory, module in targets.values():
            _import_ms(directory, module, env)
        samples: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(RUNS):
            for name, (directory, module) in targets.items():
                samples[name].append(_import_ms(directory, module, env))
    base = statistics.median(samples["baseline (Powertools + boto3)"])
    return [(name, statistics.median(values), statistics.median(values) / base) for name, values in samples.items()]


# ---------------------------------------------------------------- cold starts (issue 16)
COLD_BASELINE = "baseline (resolver + validation + model + boto3 GetItem)"
#: one first request per API function: a real route that reads DynamoDB (no PDF is drawn)
COLD_REQUESTS: dict[str, tuple[str, str, str, Any]] = {
    "AuthorizerFunction": ("GET", "/api/me", "", None),  # the authorizer's event for this route
    "AccountLookupFunction": ("POST", "/api/accounts/lookup", "", {"last_name": "Mark", "phone": "4805550142"}),
    "CertificatesFunction": ("GET", "/api/verify/ABCD-2345-EFGH", "", None),
    "CreditClaimFunction": ("GET", "/api/me/activities", "", None),
    "OutsideCreditFunction": ("GET", "/api/me/outside-credits", "", None),
    "ProfileFunction": ("GET", "/api/me", "", None),
    "CatalogueFunction": ("GET", "/api/activities", "", None),
    "PublisherFunction": ("GET", "/api/admin/activities", "", None),  # as a coordinator
    "RecoveryFunction": ("POST", "/api/auth/password-reset/check", "", {"token": "x" * 43}),
    "RequirementsFunction": ("GET", "/api/me/requirements", "", None),
    "SignInFunction": ("POST", "/api/auth/sign-in", "", {"email": "nobody@example.org", "password": "not the one"}),
    "TranscriptsFunction": ("GET", "/api/me/transcript", "format=json", None),
}

_COLD_PROBE = """
import time
started = time.perf_counter()
import importlib.util, json, os, sys
layer, code_dir, path, attribute, snap = sys.argv[1:6]
sys.path[:0] = [layer, code_dir]
if snap == "1":
    os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"] = "snap-start"
spec = importlib.util.spec_from_file_location("handler", path)
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
handler = getattr(module, attribute)
hashing = [0.0]  # time spent in Argon2 password checks (sign-in verifies one by design)
if "cme.identity.passwords" in sys.modules:
    passwords = sys.modules["cme.identity.passwords"]
    def timed(check=passwords.verify_password):
        def verify_password(*args, **kwargs):
            began = time.perf_counter()
            try:
                return check(*args, **kwargs)
            finally:
                hashing[0] += time.perf_counter() - began
        return verify_password
    passwords.verify_password = timed()
if snap == "1":  # the init and before-snapshot hooks ran at deploy; a restore runs the after hooks
    import snapshot_restore_py as hooks
    for fn, args, kwargs in hooks.get_before_snapshot():
        fn(*args, **kwargs)
    started = time.perf_counter()
    for fn, args, kwargs in hooks.get_after_restore():
        fn(*args, **kwargs)
class Context:
    function_name = "bench"; function_version = "1"; memory_limit_in_mb = 512; aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench:live"
    def get_remaining_time_in_millis(self): return 10000
result = handler(json.loads(os.environ["BENCH_EVENT"]), Context())
elapsed = (time.perf_counter() - started) * 1000
print("COLD " + json.dumps({"ms": elapsed, "status": result.get("statusCode"), "auth": result.get("isAuthorized"),
                            "hash_ms": hashing[0] * 1000}))
"""


def _cold_events() -> dict[str, dict[str, Any]]:
    """The first event of each API function (and the baseline's), as API Gateway builds them."""
    from infra.local import cfn
    from infra.local.gateway import CLOUDFRONT_EDGE_IP, authorizer_event, build_event

    secret = cfn.origin_verify()  # what CloudFront sends; the functions read theirs from Secrets Manager
    headers = {
        "host": "bench.example.org",
        "content-type": "application/json",
        "x-origin-verify": secret,
        "cloudfront-viewer-address": "198.51.100.7:50000",
        "cookie": "cme_session=bench-learner." + "t" * 43,  # well-formed: the authorizer reads its session
    }
    routes = cfn.routes()
    events = {}
    for function, (method, path, query, body) in COLD_REQUESTS.items():
        if function not in cfn.functions():
            continue
        route = next(r for r in routes if r.method == method and r.pattern.match(path))
        params = route.pattern.match(path).groupdict()  # type: ignore[union-attr]
        raw = json.dumps(body).encode() if body is not None else b""
        event = build_event(route, params, method, path, query, headers, raw, CLOUDFRONT_EDGE_IP)
        if function == "AuthorizerFunction":
            event = authorizer_event(event)
        else:  # what the authorizer passes on (public routes ignore it)
            role = "admin" if path.startswith("/api/admin/") else "learner"
            event["requestContext"]["authorizer"] = {"lambda": {"learner_id": "bench-learner", "role": role}}
        events[function] = event
    baseline_route = cfn.Route("POST", "/api/bench", "", False, re.compile("^/api/bench$"))
    events[COLD_BASELINE] = build_event(
        baseline_route, {}, "POST", "/api/bench", "", headers, b'{"email": "bench@example.org"}', CLOUDFRONT_EDGE_IP
    )
    return events


def _seed_bench_learner(dynamodb: Any) -> None:
    """The learner the cold events are signed in as ("bench-learner", as the authorizer passes
    on), with one verified email, so that My activities, the profile, the transcript and the
    other signed-in routes read and answer as for a real learner."""
    from infra.local import cfn

    email = "bench@example.org"
    now = "2026-01-05T09:00:00.000000+0000"
    dynamodb.put_item(
        TableName=cfn.physical_name("LearnersTable"),
        Item={
            "learner_id": {"S": "bench-learner"},
            "email": {"S": email},
            "first_name": {"S": "Bench"},
            "last_name": {"S": "Mark"},
            "last_name_key": {"S": "mark"},
            "degree": {"S": "MD"},
            "phone_e164": {"S": "+14805550142"},
            "email_verified": {"BOOL": True},
            "role": {"S": "learner"},
            "transcript_frequency": {"S": "never"},
            "password_hash": {"S": "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2hiZW5jaA$" + "A" * 43},
            "verified_emails": {"SS": [email]},
            "created_at": {"S": now},
            "updated_at": {"S": now},
        },
    )
    dynamodb.put_item(
        TableName=cfn.physical_name("EmailsTable"),
        Item={
            "email": {"S": email},
            "learner_id": {"S": "bench-learner"},
            "verified": {"BOOL": True},
            "primary": {"BOOL": True},
            "added_at": {"S": now},
            "verified_at": {"S": now},
        },
    )


def _from_viewer(event: dict[str, Any], index: int) -> dict[str, Any]:
    """The event as sent from viewer address number ``index``: every run is a first attempt from
    its client, so no run meets a throttle the previous runs filled (a sign-in refused with 429
    after ten failures makes no password check, and would time less than a first request)."""
    headers = {
        **event.get("headers", {}),
        "cloudfront-viewer-address": f"198.51.{100 + index // 250}.{1 + index % 250}:50000",
    }
    return {**event, "headers": headers}


def _cold_ms(
    target: tuple[Path, str, str], event: dict[str, Any], env: dict[str, str], snap: bool
) -> tuple[float, float]:
    """(ms of import + first request, ms of it spent checking a password with Argon2)."""
    directory, module, attribute = target
    flag = ["1" if snap else "0"]
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _COLD_PROBE,
            str(LAYER),
            str(directory),
            str(directory / f"{module}.py"),
            attribute,
            *flag,
        ],
        capture_output=True,
        text=True,
        env={**env, "BENCH_EVENT": json.dumps(event)},
        check=True,
        cwd=ROOT,
    )
    row = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("COLD "))[5:])
    if os.environ.get("BENCH_COLD_DEBUG"):
        print(directory.name, snap, row, file=sys.stderr)
    if row["status"] is not None and row["status"] >= 500:
        raise RuntimeError(f"{directory.name}: first request answered {row['status']}: {done.stderr[-2000:]}")
    if row["status"] == 401 and directory.name != "sign_in":  # sign-in's event is an unknown email, by design
        raise RuntimeError(f"{directory.name}: first request answered 401: it would time a refusal, not the route")
    return float(row["ms"]), float(row["hash_ms"])


def _tables_and_secrets(endpoint: str) -> Any:
    """template.yaml's tables and secrets on the moto server at ``endpoint``; its DynamoDB client."""
    import boto3

    from infra.local import cfn
    from infra.local.provision import provision_secrets

    def client(service: str) -> Any:
        return boto3.client(
            service,
            region_name="us-east-1",
            endpoint_url=endpoint,
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )

    dynamodb = client("dynamodb")
    for spec in cfn.table_definitions().values():
        dynamodb.create_table(**spec)
    provision_secrets(client("secretsmanager"))  # the functions read the origin secret from there
    return dynamodb


def cold_starts() -> list[tuple[str, float, float, float | None, float | None]]:
    """Import + first invocation in a fresh process, each API function against the baseline,
    all on one moto server (the same endpoint, the same tables). Per function: (name, ms,
    ratio, ms after a SnapStart restore, its ratio). Tracing and metrics are off in every
    process (the baseline has neither); runs interleaved, medians of RUNS."""
    from moto.server import ThreadedMotoServer

    from infra.local import cfn

    sys.path[:0] = [str(ROOT)]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("AWS_")}
        env.update(cfn.environment())
        env.update(
            {
                "AWS_ACCESS_KEY_ID": "bench",
                "AWS_SECRET_ACCESS_KEY": "bench",
                "AWS_REGION": "us-east-1",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
                "AWS_EC2_METADATA_DISABLED": "true",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": "WARNING",
            }
        )
        dynamodb = _tables_and_secrets(env["AWS_ENDPOINT_URL"])
        learners = cfn.table_definitions()[cfn.physical_name("LearnersTable")]
        key = {k["AttributeName"]: {"S": "bench-learner"} for k in learners["KeySchema"]}
        env["BENCH_GET_ITEM"] = json.dumps({"TableName": learners["TableName"], "Key": key})
        _seed_bench_learner(dynamodb)  # signed-in routes then do their whole first request, not a 401
        functions = cfn.functions()
        targets = {COLD_BASELINE: (ROOT / "bench", "baseline_cold_start", "lambda_handler")}
        events = _cold_events()
        for name in events:
            if name in functions:
                targets[name] = (functions[name].code_dir, functions[name].module, functions[name].attribute)
        with tempfile.TemporaryDirectory() as cache:
            env["PYTHONPYCACHEPREFIX"] = cache  # bytecode compiled once, as in a deployed package
            for name, target in targets.items():
                _cold_ms(target, _from_viewer(events[name], 0), env, snap=False)
            plain: dict[str, list[float]] = {name: [] for name in targets}
            restored: dict[str, list[float]] = {name: [] for name in targets if name != COLD_BASELINE}
            hashless: dict[str, list[float]] = {}  # the same runs less their Argon2 check
            for run in range(1, RUNS + 1):
                for name, target in targets.items():
                    ms, hash_ms = _cold_ms(target, _from_viewer(events[name], 2 * run), env, snap=False)
                    plain[name].append(ms)
                    if hash_ms:
                        hashless.setdefault(name, []).append(ms - hash_ms)
                    if name in restored:
                        snap_ms, _ = _cold_ms(target, _from_viewer(events[name], 2 * run + 1), env, snap=True)
                        restored[name].append(snap_ms)
    finally:
        server.stop()
    base = statistics.median(plain[COLD_BASELINE])
    rows: list[tuple[str, float, float, float | None, float | None]] = []
    for name, values in plain.items():
        ms = statistics.median(values)
        snap = statistics.median(restored[name]) if name in restored else None
        rows.append((name, ms, ms / base, snap, snap / base if snap is not None else None))
        if name in hashless:  # what the function costs beyond its (by design) password check
            less = statistics.median(hashless[name])
            rows.append((f"{name} less its Argon2 check", less, less / base, None, None))
    return rows


def cold_start_lines(rows: list[tuple[str, float, float, float | None, float | None]]) -> list[str]:
    lines = [
        "",
        "## Cold start: import + first invocation, fresh process (goal <= 1.2x)",
        "",
        "Each API function's first request (a real route reading DynamoDB) against the baseline:",
        "Logger + APIGatewayHttpResolver(enable_validation=True) + one pydantic body model + boto3,",
        "whose first invocation makes one DynamoDB GetItem; one moto server for all. Tracing off in",
        "every process. 'after restore': the same first request once the SnapStart before-snapshot",
        "hooks have run (cme.runtime.snapstart), timing the after-restore hooks + the request. Sign-in's",
        "first request checks a password (Argon2id, OWASP's m=19 MiB, t=2, p=1) by design; its",
        "'less its Argon2 check' row is the same runs less that check, timed in the same process.",
        "",
        "| function | cold ms | ratio | after restore ms | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, ms, ratio, snap, snap_ratio in rows:
        tail = f"{snap:.0f} | {snap_ratio:.2f}x" if snap is not None and snap_ratio is not None else "- | -"
        lines.append(f"| {name} | {ms:.0f} | {ratio:.2f}x | {tail} |")
    return lines


def dynamodb_calls() -> list[tuple[str, int]]:
    sys.path[:0] = [str(LAYER), str(ROOT)]
    env = {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        os.environ.pop(key, None)
    from moto import mock_aws

    from cme.platform.settings import get_settings, reset_settings
    from infra.local import cfn
    from infra.local.gateway import Gateway
    from infra.local.provision import provision
    from tests.support.calls import count_calls, dynamodb_total
    from tests.support.client import ApiClient

    for key, value in cfn.environment().items():
        os.environ.setdefault(key, value)
    reset_settings()
    rows = []
    with mock_aws():
        provision(get_settings().aws_region, get_settings().mail_from)
        client = ApiClient(Gateway())
        body: dict[str, Any] = {
            "email": "bench@example.org",
            "password": "a bench passphrase",
            "first_name": "Bench",
            "last_name": "Mark",
            "degree": "MD",
            "phone": "(480) 555-0142",
        }
        steps = [
            ("POST /api/accounts (create)", "POST", "/api/accounts", body),
            ("GET /api/me", "GET", "/api/me", None),
            ("PUT /api/me", "PUT", "/api/me", body),
            ("POST /api/auth/sign-out", "POST", "/api/auth/sign-out", None),
            (
                "POST /api/auth/sign-in",
                "POST",
                "/api/auth/sign-in",
                {"email": body["email"], "password": body["password"]},
            ),
            (
                "POST /api/auth/sign-in (wrong password)",
                "POST",
                "/api/auth/sign-in",
                {"email": body["email"], "password": "wrong password"},
            ),
            (
                "POST /api/accounts/lookup",
                "POST",
                "/api/accounts/lookup",
                {"last_name": "Mark", "phone": "4805550142"},
            ),
        ]
        for label, method, path, payload in steps:
            with count_calls() as counts:
                answer = client.call(method, path, payload)
            assert answer.status < 500, (label, answer.status)
            rows.append((label, dynamodb_total(counts)))
        rows += _learner_path_calls(client, count_calls, dynamodb_total)
    return rows


#: issue 16's round-trip goals, printed beside the counts
CALL_GOALS = {
    "POST /api/auth/sign-in": 3,
    "GET /api/me/activities": 4,
    "GET /api/me/activities (10 verified emails)": 4,
    "POST /api/me/claims": 4,
    "POST /api/me/claims (10 verified emails, attended_as sent as the web does)": 4,
}


def _many_emails_learner(client: Any, admin: Any, activity: dict[str, Any]) -> Any:
    """A signed-in learner with 10 verified emails, each on the roster of its own activity
    (set up directly in the tables: only the request after it is counted)."""
    from cme.identity.accounts import provision_account
    from cme.platform import clock
    from cme.platform.models import EmailOwner, Learner
    from cme.platform.schemas import NewAccount
    from infra.local.seed import DEMO_PASSWORD
    from tests.support.client import ApiClient

    profile = provision_account(
        NewAccount(
            email="bench-many@example.org",
            password=DEMO_PASSWORD,
            first_name="Many",
            last_name="Emails",
            degree="MD",
            phone="+1 480 555 0197",
        ),
        verified=True,
    )
    emails = [f"bench-many-{n}@example.org" for n in range(1, 10)]
    now = clock.now()
    for email in emails:
        EmailOwner(email, learner_id=profile.learner_id, verified=True, added_at=now, verified_at=now).save()
    Learner(profile.learner_id).update(actions=[Learner.verified_emails.add(set(emails))])
    for email in ["bench-many@example.org", *emails]:
        made = admin.post("/api/admin/activities", {**activity, "title": f"Bench {email}"}).json
        admin.post(f"/api/admin/activities/{made['activity']['activity_id']}/attendance", {"rows": [{"email": email}]})
    many = ApiClient(client.gateway, "192.0.2.4")
    many.post("/api/auth/sign-in", {"email": "bench-many@example.org", "password": DEMO_PASSWORD})
    return many


def _learner_path_calls(client: Any, count_calls: Any, dynamodb_total: Any) -> list[tuple[str, int]]:
    """The claim path: a coordinator's activity and roster, then the learner's requests."""
    from cme.identity.accounts import provision_account
    from cme.platform.schemas import NewAccount
    from infra.local.seed import DEMO_PASSWORD
    from tests.support.client import ApiClient

    provision_account(
        NewAccount(
            email="bench-admin@example.org",
            password=DEMO_PASSWORD,
            first_name="B",
            last_name="Admin",
            degree="Other",
            phone="+1 480 555 0199",
        ),
        role="admin",
    )
    provision_account(
        NewAccount(
            email="bench-md@example.org",
            password=DEMO_PASSWORD,
            first_name="Zoë",
            last_name="Müller",
            degree="MD",
            phone="+1 480 555 0198",
        ),
        verified=True,
    )
    admin, learner = ApiClient(client.gateway, "192.0.2.1"), ApiClient(client.gateway, "192.0.2.2")
    admin.post("/api/auth/sign-in", {"email": "bench-admin@example.org", "password": DEMO_PASSWORD})
    learner.post("/api/auth/sign-in", {"email": "bench-md@example.org", "password": DEMO_PASSWORD})
    today = time.strftime("%Y-%m-%d")
    activity = {
        "title": "Bench",
        "format": "live",
        "start_date": today,
        "end_date": today,
        "credits": [{"type": "AMA_PRA_1", "max": 1}],
        "claim_window_days": 30,
        "published": True,
    }
    claim = {"activity_id": "", "credit_type": "AMA_PRA_1", "credits": 1.0, "attestation": True}
    rows: list[tuple[str, int]] = []

    def measure(label: str, who: Any, method: str, path: str, body: Any = None, query: str = "") -> Any:
        with count_calls() as counts:
            answer = who.call(method, path, body, query=query)
        assert answer.status < 500, (label, answer.status, answer.json)
        rows.append((label, dynamodb_total(counts)))
        return answer

    created = measure("POST /api/admin/activities", admin, "POST", "/api/admin/activities", activity).json
    activity_id = created["activity"]["activity_id"]
    claim["activity_id"] = activity_id
    measure(
        "POST /api/admin/activities/{id}/attendance (1 row)",
        admin,
        "POST",
        f"/api/admin/activities/{activity_id}/attendance",
        {"rows": [{"email": "bench-md@example.org"}]},
    )
    measure("GET /api/activities", learner, "GET", "/api/activities")
    measure("GET /api/me/activities", learner, "GET", "/api/me/activities")
    many = _many_emails_learner(client, admin, activity)
    listed = measure("GET /api/me/activities (10 verified emails)", many, "GET", "/api/me/activities")
    first, second = listed.json["activities"][:2]  # two of its activities, attended under two of its emails
    assert (
        measure(
            "POST /api/me/claims (10 verified emails, attended_as sent as the web does)",
            many,
            "POST",
            "/api/me/claims",
            {**claim, "activity_id": first["activity_id"], "attended_as": first["attended_as"]},
        ).status
        == 201
    )
    assert (
        measure(
            "POST /api/me/claims (10 verified emails, no attended_as: one read more)",
            many,
            "POST",
            "/api/me/claims",
            {**claim, "activity_id": second["activity_id"]},
        ).status
        == 201
    )
    made = measure("POST /api/me/claims", learner, "POST", "/api/me/claims", claim).json["claim"]
    measure("POST /api/me/claims (the same, retried)", learner, "POST", "/api/me/claims", claim)
    measure("GET /api/me/claims", learner, "GET", "/api/me/claims")
    path = f"/api/me/claims/{made['claim_id']}/certificate"
    measure("GET /api/me/claims/{id}/certificate (first: PDF made)", learner, "GET", path)
    measure("GET /api/me/claims/{id}/certificate (again)", learner, "GET", path)
    measure(
        "GET /api/verify/{code}",
        ApiClient(client.gateway, "192.0.2.3"),
        "GET",
        f"/api/verify/{made['certificate_code']}",
    )
    measure("GET /api/me/transcript?format=pdf", learner, "GET", "/api/me/transcript", query="format=pdf")
    measure("GET /api/admin/activities/{id}/claims", admin, "GET", f"/api/admin/activities/{activity_id}/claims")
    return rows


def _median_ms(fn: Any, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _cpu_ms(fn: Any, runs: int) -> float:
    """The median CPU time of ``fn`` in this process (time.process_time), in ms: a render is
    single-threaded, and time the process waits for a CPU that other processes hold is not its own."""
    samples = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        samples.append((time.process_time() - start) * 1000)
    return statistics.median(samples)


def core_font_page() -> bytes:
    """The baseline: a one-page fpdf2 document in a core font (no TTF to parse or embed)."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", format="Letter")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for n in range(24):
        pdf.cell(
            0,
            7,
            f"Line {n}: This certifies that the learner has participated in the activity.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())


def _bench_certificate() -> Any:
    """The certificate both the render figures and the cost model use: the tests' sample
    (tests/support/certificates.py) with a grand-rounds title long enough to wrap."""
    sys.path[:0] = [str(LAYER), str(ROOT)]
    from tests.support.certificates import certificate

    return certificate(
        activity_title="Medicine Grand Rounds: Sepsis — Early Recognition and the Hour-1 Bundle",
        format="rss",
        director_name="Dr. Nguyễn Thị Minh Khai",
    )


def pdf_renders() -> list[tuple[str, float, float]]:
    """Warm render times (CPU time, ``_cpu_ms``), interleaved with the baseline in the same process."""
    data = _bench_certificate()  # puts the layer on sys.path
    import dataclasses
    from datetime import date

    from cme.records.pdf.certificate import render

    ascii_data = dataclasses.replace(data, learner_name="Zoe Lukasiewicz-Muller", director_name="Dr. Minh Khai Nguyen")
    from cme.platform.schemas import CreditType
    from cme.rules.credit import Line

    # an MD's AMA + ABIM MOC claim: two award lines, the MOC statement beside the AMA ones
    moc_data = dataclasses.replace(
        data,
        lines=(Line(CreditType.AMA_PRA_1, 1.0), Line(CreditType.ABIM_MOC, 1.0)),
        designated={"AMA_PRA_1": 1.0, "ABIM_MOC": 1.0},
    )
    render(data)
    render(moc_data)
    render(ascii_data, unicode=False)
    core_font_page()  # warm all four
    base, same, cert, moc = [], [], [], []
    for _ in range(RUNS):
        base.append(_cpu_ms(core_font_page, 5))
        same.append(_cpu_ms(lambda: render(ascii_data, unicode=False), 5))
        cert.append(_cpu_ms(lambda: render(data), 5))
        moc.append(_cpu_ms(lambda: render(moc_data), 5))
    b, s, c = statistics.median(base), statistics.median(same), statistics.median(cert)
    m = statistics.median(moc)
    # names that need other fonts: CJK pieces or Noto Sans Arabic loaded, text shaped (HarfBuzz)
    cjk_data = dataclasses.replace(data, learner_name="王小明")
    arabic_data = dataclasses.replace(data, learner_name="محمد العلي")
    render(cjk_data)
    render(arabic_data)
    cjk = statistics.median(_cpu_ms(lambda: render(cjk_data), 5) for _ in range(RUNS))
    arabic = statistics.median(_cpu_ms(lambda: render(arabic_data), 5) for _ in range(RUNS))
    from datetime import timedelta

    from cme.records.pdf.transcript import Row, TranscriptData
    from cme.records.pdf.transcript import render as render_transcript

    rows = [
        Row(
            date(2026, 1, 1) + timedelta(days=n),
            f"Grand Rounds {n}: Sepsis — Early Recognition and the Hour-1 Bundle in Emergency Medicine",
            "AMA PRA Category 1 Credit™",
            1.25,
        )
        for n in range(300)
    ]
    transcript = TranscriptData(
        "St. Elsewhere Hospital CME Office",
        "Zoë Łukasiewicz-Müller",
        "MD",
        "1234567893",
        "January 1, 2026 – December 31, 2026",
        date(2026, 12, 31),
        rows,
        [("AMA PRA Category 1 Credit™", 375.0)],
    )
    render_transcript(transcript)
    long, long_base = [], []
    for _ in range(max(3, RUNS // 2)):  # interleaved with the baseline, as the certificates are
        long_base.append(_cpu_ms(core_font_page, 5))
        long.append(_cpu_ms(lambda: render_transcript(transcript), 3))
    t, tb = statistics.median(long), statistics.median(long_base)
    return [
        (PDF_BASE, b, 1.0),
        (PDF_HELVETICA, s, s / b),
        (PDF_UNICODE, c, c / b),
        (f"{PDF_MOC} ({m / c:.2f}x the one-line certificate)", m, m / b),
        ("the certificate, a Chinese name (Noto Sans CJK pieces)", cjk, cjk / b),
        ("the certificate, an Arabic name (Noto Sans Arabic, shaped)", arabic, arabic / b),
        (PDF_TRANSCRIPT, t, t / tb),
    ]


# ---------------------------------------------------------------- PDF figures the goal table reads (issue 16)
PDF_BASE = "one-page core-font document (baseline)"
PDF_HELVETICA = "the certificate set in core Helvetica"
PDF_UNICODE = "the certificate (Unicode TTF embedded, QR code)"
PDF_MOC = "the AMA + ABIM MOC certificate (two lines)"
PDF_TRANSCRIPT = "a 300-row transcript (15 pages, Unicode TTF)"


def pdf_figure(rows: list[tuple[str, float, float]], label: str) -> float:
    """The ms of the pdf_renders row whose label starts with ``label``."""
    return next(ms for name, ms, _ in rows if name.startswith(label))


def pdf_ratio(rows: list[tuple[str, float, float]], label: str) -> float:
    """The ratio to the baseline of the pdf_renders row whose label starts with ``label``."""
    return next(ratio for name, _, ratio in rows if name.startswith(label))


def pdf_lines(rows: list[tuple[str, float, float]]) -> list[str]:
    unicode_ratio = pdf_figure(rows, PDF_UNICODE) / pdf_figure(rows, PDF_HELVETICA)
    moc_ratio = pdf_figure(rows, PDF_MOC) / pdf_figure(rows, PDF_HELVETICA)
    return [
        "",
        "## PDF render, warm, in one process (CPU ms of the process)",
        "",
        "| document | ms | ratio to baseline |",
        "|---|---:|---:|",
        *(f"| {name} | {ms:.1f} | {ratio:.1f}x |" for name, ms, ratio in rows),
        "",
        f"The certificate in Unicode TTF is {unicode_ratio:.2f}x the same certificate in core Helvetica "
        f"(the AMA + ABIM MOC certificate {moc_ratio:.2f}x). DejaVu's text is written in glyph ids with "
        "/CIDToGIDMap /Identity, its file keeps every glyph id and only the outlines used "
        "(cme.records.pdf.fonts.Producer; fpdf2 subsets the Noto fonts).",
    ]


def certificate_pdf_bytes() -> int:
    """The size of the benchmark's certificate PDF (what S3 stores and a download transfers)."""
    data = _bench_certificate()  # puts the layer on sys.path
    from cme.records.pdf.certificate import render

    return len(render(data))


# ---------------------------------------------------------------- the shared layer's size (issue 16)
def _layer_rules() -> Any:
    """layers/common/build_layer.py: what `sam build` installs in the layer and what it prunes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_layer", LAYER / "build_layer.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def layer_size() -> dict[str, Any]:
    """The shared layer unzipped, in MiB of file bytes: from .aws-sam/build/CommonLayer when
    `sam build` made it from the current requirements (every pinned package's dist-info there),
    else computed without building: the files each pinned package installed in .venv (its RECORD,
    same versions, CPython 3.11 wheels), less what build_layer.py prunes, plus the cme package.
    The baseline, measured the same way in the same run: every package with the AWS SDK, nothing
    pruned (phonenumbers' full data, ~21 MB more, is no longer installed: see the issue's 122 MB)."""
    from importlib import metadata
    from pathlib import PurePosixPath

    rules = _layer_rules()
    pinned = rules.requirements()
    fonts = sum(f.stat().st_size for f in (LAYER / rules.FONTS).rglob("*") if f.is_file())
    cme = sum(f.stat().st_size for f in (LAYER / "cme").rglob("*") if f.is_file() and "__pycache__" not in f.parts)
    built = ROOT / ".aws-sam" / "build" / "CommonLayer" / "python"
    names = {d.name.lower().replace("_", "-") for d in built.glob("*.dist-info")} if built.is_dir() else set()
    fresh = bool(names) and all(f"{n}-{v}.dist-info".lower().replace("_", "-") in names for n, v in pinned)

    def installed(name: str, pruned: bool) -> int:
        total = 0
        for entry in metadata.distribution(name).files or []:
            relative = PurePosixPath(str(entry))
            if relative.parts[0] == ".." or "__pycache__" in relative.parts or relative.suffix == ".pyc":
                continue
            if pruned and rules.drop(relative):
                continue
            located = Path(str(entry.locate()))
            total += located.stat().st_size if located.is_file() else 0
        return total

    sdk = sum(installed(name, False) for name in ("boto3", "botocore", "s3transfer"))
    baseline = sum(installed(name, False) for name, _ in pinned) + sdk + cme - fonts
    if fresh:
        total = sum(f.stat().st_size for f in built.rglob("*") if f.is_file())
        built_fonts = sum(f.stat().st_size for f in (built / rules.FONTS).rglob("*") if f.is_file())
        return {
            "mib": (total - built_fonts) / 2**20,
            "fonts_mib": built_fonts / 2**20,
            "source": "sam build",
            "baseline_mib": baseline / 2**20,
            "sdk_mib": sdk / 2**20,
        }
    total = sum(installed(name, True) for name, _ in pinned) + cme - fonts
    return {
        "mib": total / 2**20,
        "fonts_mib": fonts / 2**20,
        "source": "computed from .venv",
        "baseline_mib": baseline / 2**20,
        "sdk_mib": sdk / 2**20,
    }


def layer_lines(layer: dict[str, Any]) -> list[str]:
    return [
        "",
        "## The shared layer, unzipped (MiB of file bytes)",
        "",
        "| layer | MiB |",
        "|---|---:|",
        f"| every package, the AWS SDK included, nothing pruned (baseline, same run) | {layer['baseline_mib']:.1f} |",
        f"| the layer as built ({layer['source']}), without the fonts | {layer['mib']:.1f} |",
        f"| the fonts (cme/records/pdf/fonts, not counted) | {layer['fonts_mib']:.1f} |",
        "",
        f"The AWS SDK ({layer['sdk_mib']:.1f} MiB: boto3, botocore, s3transfer) comes from the python3.12 runtime "
        "(Makefile: layer-requirements); phonenumberslite replaces phonenumbers; layers/common/build_layer.py "
        "prunes what nothing imports. The figure is read from .aws-sam when `make build` made it from the "
        "current requirements, else computed from the packages installed in .venv.",
    ]


def roster_files(count: int = 2000) -> dict[str, tuple[str, bytes]]:
    """The same roster as CSV and as an Excel workbook: {label: (content type, bytes)}."""
    import io

    from openpyxl import Workbook

    from cme.publishing.rosters import CSV, XLSX

    rows = [("Email Address", "First Name", "Last Name")] + [
        (f"l{n}@example.org", "Renée", f"Núñez{n}") for n in range(count)
    ]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    text = "\r\n".join(",".join(row) for row in rows) + "\r\n"
    return {"CSV": (CSV, text.encode()), "XLSX": (XLSX, out.getvalue())}


def roster_import() -> list[tuple[str, int, float, float, Counter[str]]]:
    """A 2,000-row roster through the local gateway on moto, as CSV and as XLSX (the same rows,
    each into a new activity): (format, bytes, parse ms (median), request ms (fastest), AWS calls)."""
    from moto import mock_aws

    from cme.platform.settings import get_settings
    from cme.publishing.rosters import parse
    from infra.local.gateway import Gateway
    from infra.local.provision import provision
    from infra.local.seed import DEMO_PASSWORD
    from tests.support.calls import count_calls
    from tests.support.client import ApiClient

    files = roster_files()
    results = []
    with mock_aws():
        provision(get_settings().aws_region, get_settings().mail_from)
        from cme.identity.accounts import provision_account
        from cme.platform.schemas import NewAccount

        provision_account(
            NewAccount(
                email="bench-admin@example.org",
                password=DEMO_PASSWORD,
                first_name="B",
                last_name="Admin",
                degree="Other",
                phone="+1 480 555 0199",
            ),
            role="admin",
        )
        admin = ApiClient(Gateway())
        admin.post("/api/auth/sign-in", {"email": "bench-admin@example.org", "password": DEMO_PASSWORD})
        today = time.strftime("%Y-%m-%d")
        timed: dict[str, list[float]] = {label: [] for label in files}
        calls: dict[str, Counter[str]] = {}
        for round_ in range(ROSTER_ROUNDS):  # interleaved, each into a new activity; the fastest counts
            for label, (content_type, raw) in files.items():
                created = admin.post(
                    "/api/admin/activities",
                    {
                        "title": f"Bench {label} {round_}",
                        "format": "live",
                        "start_date": today,
                        "end_date": today,
                        "credits": [{"type": "AMA_PRA_1", "max": 1}],
                        "claim_window_days": 30,
                        "published": True,
                    },
                ).json["activity"]
                with count_calls() as counts:
                    start = time.perf_counter()
                    answer = admin.call(
                        "POST",
                        f"/api/admin/activities/{created['activity_id']}/attendance",
                        raw=raw,
                        content_type=content_type,
                    )
                    timed[label].append((time.perf_counter() - start) * 1000)
                assert answer.json["added"] == 2000, answer.json
                calls[label] = counts
        for label, (content_type, raw) in files.items():
            parse_ms = _median_ms(lambda content_type=content_type, raw=raw: parse(content_type, raw), RUNS)
            results.append((label, len(raw), parse_ms, min(timed[label]), calls[label]))
    return results


def roster_lines(results: list[tuple[str, int, float, float, Counter[str]]]) -> list[str]:
    """The roster section of RESULTS.md: XLSX beside CSV, measured in the same run."""
    csv_parse, csv_request = next((p, e) for label, _, p, e, _ in results if label == "CSV")
    lines = [
        "",
        "## Roster import, the same 2,000 rows as CSV and as XLSX (moto, in process)",
        "",
        "| format | file KB | parse ms | parse ratio to CSV | request ms | request ratio to CSV | AWS calls |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for label, size, parse_ms, elapsed, counts in results:
        calls = ", ".join(f"{k.split(':')[1]} {v}" for k, v in sorted(counts.items()))
        lines.append(
            f"| {label} | {size / 1024:.0f} | {parse_ms:.0f} | {parse_ms / csv_parse:.1f}x | {elapsed:.0f} "
            f"| {elapsed / csv_request:.2f}x | {calls} |"
        )
    return lines


def surge_lines(result: dict[str, Any]) -> list[str]:
    """The surge section of RESULTS.md from bench_surge.py's result (its cost: cost_lines)."""
    faulted, quiet = result["faults"], result["one_at_a_time"]
    rates = faulted["injected_rates"]

    def surge_row(label: str, run: dict[str, Any]) -> str:
        once = "yes" if run["exactly_once"] else "**NO**"
        injected = (
            f"{run['conflicts']} of {run['transactions']} | {run['write_conflicts']} | "
            f"{run['throttles']} of {run['calls']}"
            if run["injected_rates"]
            else "none | none | none"
        )
        return (
            f"| {label} | {run['statuses']} | {run['stored']} / {run['certificates']} / {run['audit_records']} "
            f"({once}; learners without their claim: {len(run['missing_learners'])}) | {run['claim_count']} | "
            f"{injected} | {run['retries']} ({run['retries_exhausted']} gave up) | "
            f"{run['p50_ms']:.0f} | {run['p95_ms']:.0f} | {run['wall_s']:.1f} |"
        )

    return [
        "",
        "## Event-end surge on the local stack (one process: moto server, gateway, werkzeug)",
        "",
        f"{result['learners']} learners claim one activity, {result['concurrency']} at a time; then the same "
        f"surge on a second activity under injected faults (infra/local/faults.py, seed {rates['seed']}: "
        f"{rates['conflict']:.0%} of transactions cancelled with TransactionConflict, {rates['write_conflict']:.0%} "
        f"of single-item writes refused with TransactionConflictException, {rates['throttle']:.0%} of all DynamoDB "
        "calls throttled); then 30 claims one at a time. Injected counts are per HTTP attempt (botocore's own "
        "retries of a throttle included); retries are cme.platform.retry's (conflicts; botocore retries "
        "throttles itself).",
        "",
        "| run | answers | claims / certificates / audit records stored exactly once | claim_count | "
        "transactions cancelled | write conflicts | throttles of calls | retries | p50 ms | p95 ms | wall s |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        surge_row("surge as moto answers", result),
        surge_row("surge under faults", faulted),
        f"| one claim at a time (30) | | | | | | | | {quiet['p50_ms']:.0f} | {quiet['p95_ms']:.0f} | |",
        "",
        f"Claim handler median in the surge {result['surge_claim_handler_ms']:.0f} ms, under faults "
        f"{faulted['surge_claim_handler_ms']:.0f} ms (queueing for 2 cores and backoff included); "
        f"one claim at a time: claim handler {result['claim_handler_ms']:.0f} ms, "
        f"authorizer {result['authorizer_ms']:.0f} ms.",
    ]


# ---------------------------------------------------------------- cost of the whole claim (issue 16)
# us-east-1 list prices (2025) beside bench_surge.py's: S3 Standard PUT and GET requests, storage a
# GB-month, data transfer out to the internet a GB (the first 100 GB a month are free: not counted)
S3_PUT = 0.005 / 1000
S3_GET = 0.0004 / 1000
S3_GB_MONTH = 0.023
TRANSFER_GB = 0.09
DOWNLOADS_PER_CLAIM = 2  # the first (renders and stores the PDF) and one later; each a pre-signed GET


def _memory_gb(function: str) -> float:
    from infra.local import cfn

    return float(cfn.resources("AWS::Serverless::Function")[function]["Properties"]["MemorySize"]) / 1024


def whole_claim_cost(result: dict[str, Any], render_ms: float, pdf_bytes: int) -> list[tuple[str, float]]:
    """Dollars per 1,000 claims, part by part, for the whole claim: the claim request (today's
    figure, bench_surge.py), then the certificate: its render, its S3 PUT and a month of storage,
    and DOWNLOADS_PER_CLAIM downloads (HTTP API request, authorizer, certificates function making a
    pre-signed URL, DynamoDB reads, the S3 GET and the bytes out). Every part is per claim: none
    grows with the number of activities or learners. Lambda ms are rounded up as Lambda bills;
    the certificates function's own work besides the render (DynamoDB, pre-signing) is taken as
    the claim handler's one-at-a-time ms."""
    from bench_surge import DDB_RRU, DDB_WRU, HTTP_API_REQUEST, LAMBDA_GB_SECOND, LAMBDA_REQUEST

    cost = result["cost_per_1000"]
    handler_ms = max(1, round(result["claim_handler_ms"]))
    auth_ms = max(1, round(result["authorizer_ms"]))
    certificates_gb, authorizer_gb = _memory_gb("CertificatesFunction"), _memory_gb("AuthorizerFunction")
    gb = pdf_bytes / 1024**3
    per_download = (
        HTTP_API_REQUEST
        + 2 * LAMBDA_REQUEST
        + (authorizer_gb * auth_ms + certificates_gb * handler_ms) / 1000 * LAMBDA_GB_SECOND
        + 5 * DDB_RRU  # session, claim, then learner + activity + certificate in one BatchGetItem
        + S3_GET
        + gb * TRANSFER_GB
    )
    return [
        ("claim request: Lambda (claim + authorizer)", cost["lambda"]),
        ("claim request: DynamoDB", cost["dynamodb"]),
        ("claim request: HTTP API", cost["http_api"]),
        (
            f"certificate render: {max(1, round(render_ms))} ms at {certificates_gb * 1024:.0f} MB",
            1000 * certificates_gb * max(1, round(render_ms)) / 1000 * LAMBDA_GB_SECOND,
        ),
        ("certificate: DynamoDB write of its S3 key (1 WRU)", 1000 * DDB_WRU),
        ("certificate: S3 PUT", 1000 * S3_PUT),
        (f"certificate: S3 storage, one month ({pdf_bytes / 1024:.0f} KB)", 1000 * gb * S3_GB_MONTH),
        (
            f"downloads ({DOWNLOADS_PER_CLAIM}): HTTP API, authorizer, certificates function, DynamoDB, "
            f"S3 GET, {pdf_bytes / 1024:.0f} KB out each",
            1000 * DOWNLOADS_PER_CLAIM * per_download,
        ),
    ]


def cost_lines(result: dict[str, Any], render_ms: float, pdf_bytes: int) -> list[str]:
    parts = whole_claim_cost(result, render_ms, pdf_bytes)
    today = result["cost_per_1000"]["total"]
    whole = sum(dollars for _, dollars in parts)
    lines = [
        "",
        "## Cost per 1,000 claims on AWS (us-east-1 list prices; no part grows with activities or learners)",
        "",
        "| part | today: the claim request | the whole claim |",
        "|---|---:|---:|",
    ]
    for n, (label, dollars) in enumerate(parts):
        lines.append(f"| {label} | {f'{dollars:.5f}' if n < 3 else ''} | {dollars:.5f} |")
    lines.append(f"| **total** | **{today:.5f}** | **{whole:.5f}** |")
    return lines


# ---------------------------------------------------------------- moving an office in (issue 25)
def import_lines(result: dict[str, Any]) -> list[str]:
    """The import section of RESULTS.md from bench_import.py's result: each kind's dry run and
    commit through the local stack's queues, beside plain batch writes of the same rows."""
    lines = [
        "",
        f"## Moving an office in: {result['learners']:,} learners, {result['activities']:,} activities and "
        f"{result['claims']:,} claims imported through the local stack's queues"
        + (" (BENCH_IMPORT_FULL)" if result["full"] else " (BENCH_IMPORT_FULL=1: 50,000 / 500,000)"),
        "",
        "Each file is uploaded with its pre-signed POST, checked (the dry run) and committed as the import page "
        "does; the local stack drains ImportQueue into ImportReaderFunction and ImportBatchQueue into "
        "ImportWorkerFunction as their SQS event sources do in AWS, one worker at a time. The baseline writes "
        "the same rows' items with plain BatchWriteItem calls (no conditions, no transactions, no re-import "
        "check, no counts) in the same process against the same moto server.",
        "",
        "| kind | run | rows | created / matched / skipped / problems | rows per s | ratio to baseline "
        "| DynamoDB calls per row | cost per 100,000 rows (USD) |",
        "|---|---|---:|---|---:|---:|---:|---:|",
    ]
    for kind in ("learners", "activities", "claims"):
        imported = result[f"{kind}_import"]
        base = result.get(f"{kind}_baseline")
        for run in ("check", "commit"):
            r = imported[run]
            rows = max(1, r["rows"] or 0)
            calls = sum(n for key, n in r["calls"].items() if key.startswith("dynamodb:"))
            ratio = f"{r['rows_per_s'] / base['rows_per_s']:.2f}x" if base and run == "commit" else ""
            cost = f"{r['cost_per_100k']['total']:.2f}" if "cost_per_100k" in r else ""
            lines.append(
                f"| {kind} | {run} | {r['rows']:,} | {r['created']:,} / {r['matched']:,} / {r['skipped']:,} / "
                f"{r['problems']:,} | {r['rows_per_s']:.0f} | {ratio} | {calls / rows:.2f} | {cost} |"
            )
        if base:
            calls = sum(n for key, n in base["calls"].items() if key.startswith("dynamodb:"))
            lines.append(
                f"| {kind} | baseline: plain batch writes | {base['rows']:,} | | {base['rows_per_s']:.0f} | 1.00x "
                f"| {calls / base['rows']:.2f} | {base['cost_per_100k']['dynamodb']:.2f} (DynamoDB only) |"
            )
    lines += [
        "",
        "Cost per 100,000 committed rows, by part (us-east-1 list prices: DynamoDB on-demand $0.625 per million "
        "write and $0.125 per million read request units, a transactional write 2 units per KB of each item; "
        "SQS standard $0.40 per million requests; Lambda $0.0000166667 per GB-second and $0.20 per million "
        "requests; S3 GET $0.0004 per 1,000):",
        "",
        "| kind | DynamoDB | Lambda | SQS | S3 | total |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind in ("learners", "activities", "claims"):
        c = result[f"{kind}_import"]["commit"]["cost_per_100k"]
        lines.append(
            f"| {kind} | {c['dynamodb']:.3f} | {c['lambda']:.3f} | {c['sqs']:.4f} | {c['s3']:.5f} | {c['total']:.3f} |"
        )
    return lines


# ---------------------------------------------------------------- the goal table (issue 16)
def goal_lines(
    cold: list[tuple[str, float, float, float | None, float | None]] | None,
    calls: list[tuple[str, int]],
    pdf: list[tuple[str, float, float]],
    layer: dict[str, Any],
) -> list[str]:
    """Every row of issue 16's goal table, each beside its baseline measured in this run."""
    rows: list[tuple[str, str, str, str, bool | None]] = []  # figure, measured, baseline, goal, met
    if cold:
        base_ms = next(ms for name, ms, *_ in cold if name == COLD_BASELINE)
        functions = [row for row in cold if row[0] != COLD_BASELINE]
        worst = max(functions, key=lambda row: row[2])
        rows.append(
            (
                "cold start (import + first invocation), worst API function",
                f"{worst[2]:.2f}x ({worst[0]}, {worst[1]:.0f} ms)",
                f"{base_ms:.0f} ms: resolver + validation + model + boto3 GetItem",
                "<= 1.2x",
                worst[2] <= 1.2,
            )
        )
        restored = [row for row in functions if row[4] is not None]
        if restored:
            slow = max(restored, key=lambda row: row[4] or 0.0)
            rows.append(
                (
                    "cold start after a SnapStart restore, worst API function "
                    "(after-restore hooks + first request; AWS's own restore time is not measurable here)",
                    f"{slow[4]:.2f}x ({slow[0]}, {slow[3]:.0f} ms)",
                    f"{base_ms:.0f} ms (the same baseline, no snapshot)",
                    "<= 1.2x",
                    (slow[4] or 0.0) <= 1.2,
                )
            )
    else:
        rows.append(("cold start (import + first invocation)", "not measured in this run", "", "<= 1.2x", None))
    counted = dict(calls)
    for label, request, today, goal in (
        ("DynamoDB round trips, sign-in", "POST /api/auth/sign-in", 4, 3),
        ("DynamoDB round trips, GET /api/me/activities", "GET /api/me/activities", 6, 4),
        (
            "DynamoDB round trips, GET /api/me/activities, 10 verified emails",
            "GET /api/me/activities (10 verified emails)",
            15,
            4,
        ),
        ("DynamoDB round trips, POST /api/me/claims (authorizer included)", "POST /api/me/claims", 4, 4),
        (
            "DynamoDB round trips, POST /api/me/claims, 10 verified emails (attended_as, as the web sends it)",
            "POST /api/me/claims (10 verified emails, attended_as sent as the web does)",
            5,
            4,
        ),
    ):
        n = counted.get(request)
        measured = "not measured" if n is None else str(n)
        rows.append((label, measured, f"{today} (the issue)", f"<= {goal}", None if n is None else n <= goal))
    helvetica = pdf_figure(pdf, PDF_HELVETICA)
    for label, key in (("certificate, Unicode TTF", PDF_UNICODE), ("AMA + ABIM MOC certificate, Unicode TTF", PDF_MOC)):
        ratio = pdf_figure(pdf, key) / helvetica
        rows.append(
            (
                f"{label} vs the same in core Helvetica",
                f"{ratio:.2f}x ({pdf_figure(pdf, key):.1f} ms)",
                f"{helvetica:.1f} ms (today: 2.8x)",
                "<= 2.0x",
                ratio <= 2.0,
            )
        )
    base = pdf_figure(pdf, PDF_BASE)
    transcript = pdf_ratio(pdf, PDF_TRANSCRIPT)  # against the baseline interleaved with it
    rows.append(
        (
            "300-row transcript vs the one-page core-font document",
            f"{transcript:.1f}x ({pdf_figure(pdf, PDF_TRANSCRIPT):.0f} ms)",
            f"{base:.1f} ms (today: 30.9x)",
            "<= 30.9x, complete titles",
            transcript <= 30.9,
        )
    )
    rows.append(
        (
            "shared layer unzipped, without the fonts",
            f"{layer['mib']:.1f} MiB ({layer['source']})",
            f"{layer['baseline_mib']:.1f} MiB: AWS SDK in, unpruned (today: 122 MB)",
            "<= 80 MB",
            layer["mib"] <= 80,
        )
    )
    mark = {True: "yes", False: "**no**", None: "-"}
    return [
        "",
        "## Goals of issue 16, measured in this run",
        "",
        "| figure | measured | baseline (this run) | goal | met |",
        "|---|---|---|---|---|",
        *(f"| {row[0]} | {row[1]} | {row[2]} | {row[3]} | {mark[row[4]]} |" for row in rows),
    ]


def main() -> int:
    lines = ["# Benchmark results", "", f"Python {sys.version.split()[0]}, {RUNS} runs each, medians.", ""]
    lines += [
        "## Cold import of each function's handler module",
        "",
        "| function | import ms | ratio to baseline |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {ms:.0f} | {ratio:.2f}x |" for name, ms, ratio in cold_imports()]
    sys.path[:0] = [str(LAYER), str(ROOT)]  # cme, infra and tests for the sections below
    cold = cold_starts()  # measured once: its section here, its worst ratio in the goal table
    lines += cold_start_lines(cold)
    calls = dynamodb_calls()
    lines += [
        "",
        "## DynamoDB round trips per request (authorizer included)",
        "",
        "| request | calls | goal (issue 16) |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {label} | {count} | {f'<= {CALL_GOALS[label]}' if label in CALL_GOALS else ''} |" for label, count in calls
    ]
    pdf = pdf_renders()
    lines += pdf_lines(pdf)
    layer = layer_size()
    lines += layer_lines(layer)
    lines += roster_lines(roster_import())
    # in its own process: it runs a whole local stack (moto server, gateway) on a free port
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_surge.py")], capture_output=True, text=True, check=True, cwd=ROOT
    )
    marked = [line for line in done.stdout.splitlines() if line.startswith("SURGE_RESULT ")]
    result = json.loads(marked[-1].removeprefix("SURGE_RESULT "))
    lines += surge_lines(result)
    lines += cost_lines(result, pdf_figure(pdf, PDF_UNICODE), certificate_pdf_bytes())
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_import.py")], capture_output=True, text=True, check=True, cwd=ROOT
    )
    marked = [line for line in done.stdout.splitlines() if line.startswith("IMPORT_RESULT ")]
    lines += import_lines(json.loads(marked[-1].removeprefix("IMPORT_RESULT ")))
    lines += goal_lines(cold, calls, pdf, layer)  # last: the goal table of issue 16
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench" / "RESULTS.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
