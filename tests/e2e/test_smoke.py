"""`make smoke`'s walk (infra/tools/smoke.py) against the local stack, as a deployer runs it:
a subprocess with only the site's address."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STEPS = [
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


def _smoke(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.tools.smoke", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_smoke_walks_the_seed_path(base_url: str) -> None:
    result = _smoke(base_url)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if re.match(r"\s*\d+\. ", line)]
    assert len(lines) == len(STEPS), result.stdout
    for number, (line, (method, path, status)) in enumerate(zip(lines, STEPS, strict=True), start=1):
        assert re.match(rf"\s*{number}\. {method}\s+{re.escape(path)}\s+{status}\s+\d+ ms", line), line
    assert "@simulator.amazonses.com" in result.stdout and result.stdout.rstrip().splitlines()[-1].startswith("OK:")


def test_smoke_stops_at_the_first_unexpected_answer(base_url: str) -> None:
    result = _smoke(base_url + "/not-the-site")
    assert result.returncode == 1
    assert re.search(r"1\. GET\s+/api/activities\s+404", result.stdout), result.stdout
    assert "FAILED at step 1: expected 200, got 404; the body:" in result.stderr
    assert "POST" not in result.stdout  # nothing was created
