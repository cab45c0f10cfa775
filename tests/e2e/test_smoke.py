"""`make smoke`'s walk (infra/tools/smoke.py) against the local stack, as a deployer runs it:
a subprocess with only the site's address (and the API's own address, and a coordinator for
SMOKE_CLAIM=1). The local stack sends the security headers of template.yaml's policy, as
CloudFront does, and answers /_local/execute-api as the API's own address."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from infra.local.seed import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SITE = [
    ("GET", "/", 200),
    ("GET", "/smoke-no-such-page-[0-9a-f]{6}.html", 404),
]
SEED_PATH = [
    ("GET", "/api/activities", 200),
    ("POST", "/api/accounts", 201),
    ("GET", "/api/me", 200),
    ("GET", "/api/me/activities", 200),
    ("POST", "/api/auth/sign-out", 204),
    ("POST", "/api/auth/sign-in", 200),
    ("GET", "/api/me", 200),
    ("POST", "/api/auth/sign-out", 204),
    ("GET", "/api/me", 401),
]
DIRECT = [("GET", "/api/activities", 403)]
ID = "[0-9A-Za-z_-]+"
CLAIM = [
    ("POST", "/api/auth/sign-in", 200),
    ("POST", "/api/admin/activities", 201),
    ("POST", f"/api/admin/activities/{ID}/attendance", 200),
    ("POST", "/api/me/claims", 201),
    ("GET", f"/api/me/claims/{ID}/certificate", 200),
    ("GET", r"\(certificate link\)", 200),
    ("PUT", f"/api/admin/activities/{ID}", 200),
    ("POST", "/api/auth/sign-out", 204),
]
NO_CLAIM = {"SMOKE_CLAIM": "", "SMOKE_ADMIN_EMAIL": "", "SMOKE_ADMIN_PASSWORD": ""}


def _smoke(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.tools.smoke", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, **NO_CLAIM, **(env or {})},
    )


def _steps(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if re.match(r"\s*\d+\. ", line)]


def _assert_walked(result: subprocess.CompletedProcess[str], steps: list[tuple[str, str, int]]) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    lines = _steps(result.stdout)
    assert len(lines) == len(steps), result.stdout
    for number, (line, (method, path, status)) in enumerate(zip(lines, steps, strict=True), start=1):
        assert re.match(rf"\s*{number}\. {method}\s+{path}\s+{status}\s+\d+ ms", line), line
    assert result.stdout.rstrip().splitlines()[-1].startswith("OK:")


def test_smoke_checks_the_site_and_walks_the_seed_path(base_url: str) -> None:
    result = _smoke(base_url)
    _assert_walked(result, SITE + SEED_PATH)
    assert "a page that does not exist: 404.html" in result.stdout
    assert "@simulator.amazonses.com" in result.stdout


def test_smoke_with_the_apis_own_address_and_a_claim(base_url: str) -> None:
    coordinator = {"SMOKE_CLAIM": "1", "SMOKE_ADMIN_EMAIL": "admin@example.org", "SMOKE_ADMIN_PASSWORD": DEMO_PASSWORD}
    result = _smoke(base_url, "--api-url", base_url + "/_local/execute-api", env=coordinator)
    _assert_walked(result, SITE + SEED_PATH + DIRECT + CLAIM)
    assert "straight to the API's own address: refused" in result.stdout
    last = result.stdout.rstrip().splitlines()[-1]
    assert re.search(r"the activity \S+ \('Smoke check [^']+: delete me', unpublished\)", last), last
    claim = r"the claim \S+ of admin@example.org \(learner_id \S+\) on it, and its certificate \S+"
    assert re.search(claim, last), last
    assert re.search(r"\(certificates/\S+/\S+\.pdf in the documents bucket\)", last), last
    assert DEMO_PASSWORD not in result.stdout + result.stderr


def test_smoke_fails_when_the_api_answers_without_cloudfront(base_url: str) -> None:
    result = _smoke(base_url, "--api-url", base_url)  # the site's /api/*: through "CloudFront", so served
    assert result.returncode == 1
    assert "FAILED at step 12: expected 403, got 200; the body:" in result.stderr


def test_smoke_claim_needs_a_coordinator(base_url: str) -> None:
    result = _smoke(base_url, env={"SMOKE_CLAIM": "1", "SMOKE_ADMIN_EMAIL": "admin@example.org"})
    assert result.returncode != 0 and "SMOKE_ADMIN_PASSWORD" in result.stderr
    assert _steps(result.stdout) == []  # refused before anything was sent


def test_smoke_stops_at_the_first_unexpected_answer(base_url: str) -> None:
    result = _smoke(base_url + "/not-the-site")
    assert result.returncode == 1
    assert re.search(r"1\. GET\s+/\s+404", result.stdout), result.stdout
    assert "FAILED at step 1: expected 200, got 404; the body:" in result.stderr
    assert "POST" not in result.stdout  # nothing was created
