"""`make bench`: measurements as ratios against baselines run in the same command.

1. Cold import of every function's handler module (``python -X importtime``, fresh process
   each run, runs interleaved, median of N) against a bare Powertools + boto3 handler.
2. DynamoDB round trips per request, counted on moto through the local gateway.

Prints one table and writes it to bench/RESULTS.md.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "layers" / "common"
RUNS = int(os.environ.get("BENCH_RUNS", "7"))


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
    from cme.settings import get_settings, reset_settings
    from moto import mock_aws

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
    return rows


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
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench" / "RESULTS.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
