"""`make bench`: measurements as ratios against baselines run in the same command.

1. Cold import of every function's handler module (``python -X importtime``, fresh process
   each run, runs interleaved, median of N) against a bare Powertools + boto3 handler.
2. DynamoDB round trips per request, counted on moto through the local gateway.

Prints one table and writes it to bench/RESULTS.md.
"""

from __future__ import annotations

import json
import os
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

    from cme.settings import get_settings, reset_settings
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


def _learner_path_calls(client: Any, count_calls: Any, dynamodb_total: Any) -> list[tuple[str, int]]:
    """The claim path: a coordinator's activity and roster, then the learner's requests."""
    from cme.accounts import provision_account
    from cme.schemas import NewAccount
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


def pdf_renders() -> list[tuple[str, float, float]]:
    """Warm render times, interleaved with the baseline in the same process."""
    sys.path[:0] = [str(LAYER)]
    from datetime import date

    from cme.pdf.certificate import CertificateData, render

    data = CertificateData(
        learner_name="Zoë Łukasiewicz-Müller",
        degree="MD",
        activity_title="Medicine Grand Rounds: Sepsis — Early Recognition and the Hour-1 Bundle",
        activity_dates="March 3, 2026",
        format="rss",
        location="Auditorium B",
        credit_type="AMA_PRA_1",
        credits=1.0,
        ama_max=1.0,
        type_max=1.0,
        provider_name="St. Elsewhere Hospital CME Office",
        provider_address="1 Hospital Way",
        director_name="Dr. Nguyễn Thị Minh Khai",
        director_title="Director of CME",
        signature_image=None,
        code="ABCD2345EFGH",
        verify_url="https://cme.example.org/verify.html?code=ABCD2345EFGH",
        issued_on=date(2026, 3, 4),
    )
    import dataclasses

    ascii_data = dataclasses.replace(data, learner_name="Zoe Lukasiewicz-Muller", director_name="Dr. Minh Khai Nguyen")
    from cme.credit import Line
    from cme.schemas import CreditType

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
        base.append(_median_ms(core_font_page, 5))
        same.append(_median_ms(lambda: render(ascii_data, unicode=False), 5))
        cert.append(_median_ms(lambda: render(data), 5))
        moc.append(_median_ms(lambda: render(moc_data), 5))
    b, s, c = statistics.median(base), statistics.median(same), statistics.median(cert)
    m = statistics.median(moc)
    # names that need other fonts: CJK pieces or Noto Sans Arabic loaded, text shaped (HarfBuzz)
    cjk_data = dataclasses.replace(data, learner_name="王小明")
    arabic_data = dataclasses.replace(data, learner_name="محمد العلي")
    render(cjk_data)
    render(arabic_data)
    cjk = statistics.median(_median_ms(lambda: render(cjk_data), 5) for _ in range(RUNS))
    arabic = statistics.median(_median_ms(lambda: render(arabic_data), 5) for _ in range(RUNS))
    from datetime import timedelta

    from cme.pdf.transcript import Row, TranscriptData
    from cme.pdf.transcript import render as render_transcript

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
    long = [_median_ms(lambda: render_transcript(transcript), 3) for _ in range(max(3, RUNS // 2))]
    t = statistics.median(long)
    return [
        ("one-page core-font document (baseline)", b, 1.0),
        ("the certificate set in core Helvetica", s, s / b),
        ("the certificate (Unicode TTF embedded, QR code)", c, c / b),
        (f"the AMA + ABIM MOC certificate (two lines; {m / c:.2f}x the one-line certificate)", m, m / b),
        ("the certificate, a Chinese name (Noto Sans CJK pieces)", cjk, cjk / b),
        ("the certificate, an Arabic name (Noto Sans Arabic, shaped)", arabic, arabic / b),
        ("a 300-row transcript (15 pages, Unicode TTF)", t, t / b),
    ]


def roster_files(count: int = 2000) -> dict[str, tuple[str, bytes]]:
    """The same roster as CSV and as an Excel workbook: {label: (content type, bytes)}."""
    import io

    from openpyxl import Workbook

    from cme.rosters import CSV, XLSX

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

    from cme.rosters import parse
    from cme.settings import get_settings
    from infra.local.gateway import Gateway
    from infra.local.provision import provision
    from infra.local.seed import DEMO_PASSWORD
    from tests.support.calls import count_calls
    from tests.support.client import ApiClient

    files = roster_files()
    results = []
    with mock_aws():
        provision(get_settings().aws_region, get_settings().mail_from)
        from cme.accounts import provision_account
        from cme.schemas import NewAccount

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
    """The surge and cost sections of RESULTS.md from bench_surge.py's result."""
    cost = result["cost_per_1000"]
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
        "retries of a throttle included); retries are cme.retry's (conflicts; botocore retries throttles itself).",
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
        "",
        "## Cost per 1,000 claims on AWS (from the figures above, us-east-1 list prices)",
        "",
        "| part | dollars |",
        "|---|---:|",
        f"| Lambda (claim 1024 MB + authorizer 256 MB, one-at-a-time ms) | {cost['lambda']:.5f} |",
        f"| DynamoDB on-demand (4 RRU + 8 WRU a claim) | {cost['dynamodb']:.5f} |",
        f"| HTTP API requests | {cost['http_api']:.5f} |",
        f"| **total** | **{cost['total']:.5f}** |",
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
    lines += [
        "",
        "## DynamoDB round trips per request (authorizer included)",
        "",
        "| request | calls |",
        "|---|---:|",
    ]
    lines += [f"| {label} | {calls} |" for label, calls in dynamodb_calls()]
    lines += ["", "## PDF render, warm, in one process", "", "| document | ms | ratio to baseline |", "|---|---:|---:|"]
    lines += [f"| {name} | {ms:.1f} | {ratio:.1f}x |" for name, ms, ratio in pdf_renders()]
    lines += roster_lines(roster_import())
    # in its own process: it runs a whole local stack (moto server, gateway) on a free port
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_surge.py")], capture_output=True, text=True, check=True, cwd=ROOT
    )
    marked = [line for line in done.stdout.splitlines() if line.startswith("SURGE_RESULT ")]
    result = json.loads(marked[-1].removeprefix("SURGE_RESULT "))
    lines += surge_lines(result)
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench" / "RESULTS.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
