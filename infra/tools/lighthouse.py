"""`make lighthouse`: Lighthouse (npm lighthouse@12.2.3, mobile profile) against a local stack it
starts, on every page of infra/tools/pages.py (all but those marked lighthouse=False: 404.html,
whose 404 status Lighthouse refuses to load): the public pages signed out, the learner's signed in
as the demo learner, the office's signed in as the demo coordinator. A new page is one line there.

A measurement, not a test (not part of `make test`): it prints the median of RUNS runs per page
(performance, accessibility, cumulative layout shift) as a table, writes that table to
bench/LIGHTHOUSE.md when every page was measured, and exits 1 unless every page has
performance >= 95, accessibility 100 and CLS < 0.1. Lighthouse is installed on first use into
.tools/lighthouse (npm install --prefix); Chromium is Debian's (CHROME_PATH, or `chromium` on
PATH).

    python -m infra.tools.lighthouse [--runs 3] [--page /index.html ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from infra.tools.pages import DEMO_ADMIN_EMAIL, DEMO_LEARNER_EMAIL, PAGES, Who

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE_VERSION = "12.2.3"
PREFIX = ROOT / ".tools" / "lighthouse"
BINARY = PREFIX / "node_modules" / ".bin" / "lighthouse"
RUNS = 3
START_TIMEOUT = 90.0
DEMO_PASSWORD = "Demo-Password-2026"  # infra/local/seed.py's, as docs/api.md "The local stack only" gives it
RESULTS = ROOT / "bench" / "LIGHTHOUSE.md"
WHO = {"public": "signed out", "learner": "demo learner", "admin": "demo coordinator"}

# What every page must reach (issue 24): performance >= 95, accessibility 100, CLS < 0.1.
MIN_PERFORMANCE = 95
MIN_ACCESSIBILITY = 100
MAX_CLS = 0.1


@dataclass(frozen=True)
class Score:
    performance: float
    accessibility: float
    cls: float

    def shortfalls(self) -> list[str]:
        found = []
        if self.performance < MIN_PERFORMANCE:
            found.append(f"performance {self.performance:.0f} < {MIN_PERFORMANCE}")
        if self.accessibility < MIN_ACCESSIBILITY:
            found.append(f"accessibility {self.accessibility:.0f} < {MIN_ACCESSIBILITY}")
        if self.cls >= MAX_CLS:
            found.append(f"CLS {self.cls:.3f} >= {MAX_CLS}")
        return found


def ensure_lighthouse() -> Path:
    """The pinned Lighthouse, installed into the project on first use."""
    if BINARY.exists():
        return BINARY
    npm = shutil.which("npm")
    if not npm:
        sys.exit("npm is needed to install Lighthouse (Node 20 or later)")
    PREFIX.mkdir(parents=True, exist_ok=True)
    print(f"Installing lighthouse@{LIGHTHOUSE_VERSION} into {PREFIX.relative_to(ROOT)}", flush=True)
    subprocess.run(
        [npm, "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund", f"lighthouse@{LIGHTHOUSE_VERSION}"],
        check=True,
    )
    return BINARY


def chrome_path() -> str:
    found = os.environ.get("CHROME_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        sys.exit("Chromium is needed: apt-get install chromium (or set CHROME_PATH)")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (the local stack's http URL)
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


class Stack:
    """The local stack (infra.local.server) on a free port, stopped with SIGINT like Ctrl-C."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.output: list[str] = []
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Stack:
        env = {**os.environ, "PORT": str(self.port), "PYTHONUNBUFFERED": "1"}
        for key in [k for k in env if k.startswith("AWS_ENDPOINT_URL")]:
            del env[key]  # the stack starts its own moto
        self.process = subprocess.Popen(
            [sys.executable, "-m", "infra.local.server"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        process = self.process

        def drain() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                self.output.append(line)

        threading.Thread(target=drain, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while not answers(f"{self.url}/index.html"):
            if process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                sys.exit(f"the local stack did not start:\n{''.join(self.output)}")
            time.sleep(0.25)
        return self

    def __exit__(self, *_: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def session_cookie(base_url: str, email: str, password: str) -> str:
    """Sign in through the API; the `Cookie:` value that carries the session."""
    request = urllib.request.Request(  # noqa: S310 (the local stack's http URL)
        f"{base_url}/api/auth/sign-in",
        data=json.dumps({"email": email, "password": password}).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310
        cookies = SimpleCookie()
        for header in reply.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    if "cme_session" not in cookies:
        sys.exit(f"signing in as {email} gave no session cookie")
    return f"cme_session={cookies['cme_session'].value}"


def get_json(base_url: str, path: str, cookie: str) -> Any:
    request = urllib.request.Request(  # noqa: S310 (the local stack's http URL)
        f"{base_url}{path}", headers={"Accept": "application/json", "Cookie": cookie}
    )
    with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310
        return json.loads(reply.read())


def page_ids(base_url: str, admin_cookie: str) -> dict[str, str]:
    """What the page table's paths name: the first demo activity and the demo learner."""
    activities = get_json(base_url, "/api/admin/activities?limit=1", admin_cookie)["activities"]
    query = urllib.parse.urlencode({"q": DEMO_LEARNER_EMAIL})
    learners = get_json(base_url, f"/api/admin/learners?{query}", admin_cookie)["learners"]
    if not activities or not learners:
        sys.exit("the demo data has no activity or no demo learner")
    return {"activity_id": activities[0]["activity_id"], "learner_id": learners[0]["learner_id"]}


def run_once(binary: Path, chrome: str, url: str, cookie: str | None, work: Path) -> Score:
    report = work / "report.json"
    command = [
        str(binary),
        url,
        "--output=json",
        f"--output-path={report}",
        "--only-categories=performance,accessibility",
        "--form-factor=mobile",
        "--screenEmulation.mobile",
        "--quiet",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    env = {**os.environ, "CHROME_PATH": chrome}
    done = subprocess.run(command, check=False, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not report.exists():
        raise RuntimeError(f"lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    data = json.loads(report.read_text())
    report.unlink()
    final = data.get("finalDisplayedUrl") or data.get("finalUrl") or url
    if final.partition("?")[0] != url.partition("?")[0]:
        raise RuntimeError(f"{url} ended on {final}: not the page meant (was the session cookie refused?)")
    categories = data["categories"]
    return Score(
        performance=round(categories["performance"]["score"] * 100),
        accessibility=round(categories["accessibility"]["score"] * 100),
        cls=float(data["audits"]["cumulative-layout-shift"]["numericValue"]),
    )


def median(scores: list[Score]) -> Score:
    return Score(
        performance=statistics.median(s.performance for s in scores),
        accessibility=statistics.median(s.accessibility for s in scores),
        cls=statistics.median(s.cls for s in scores),
    )


def table(rows: list[tuple[str, Who, Score]], runs: int) -> str:
    lines = [
        f"Lighthouse {LIGHTHOUSE_VERSION}, mobile profile, median of {runs} runs; every page must have "
        f"performance >= {MIN_PERFORMANCE}, accessibility {MIN_ACCESSIBILITY} and CLS < {MAX_CLS}.",
        "",
        "| Page | As | Performance | Accessibility | CLS | |",
        "|---|---|---:|---:|---:|---|",
    ]
    for page, who, score in rows:
        verdict = "; ".join(score.shortfalls()) or "ok"
        lines.append(
            f"| {page} | {WHO[who]} | {score.performance:.0f} | {score.accessibility:.0f} "
            f"| {score.cls:.3f} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--page", action="append", help="only these pages, as the table names them (default: all)")
    args = parser.parse_args(argv)
    binary = ensure_lighthouse()
    chrome = chrome_path()
    wanted = set(args.page or [])
    unknown = wanted - {page.path for page in PAGES}
    if unknown:
        sys.exit(f"not in infra/tools/pages.py: {sorted(unknown)}")
    rows: list[tuple[str, Who, Score]] = []
    with Stack() as stack, tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        cookies: dict[Who, str | None] = {
            "public": None,
            "learner": session_cookie(stack.url, DEMO_LEARNER_EMAIL, DEMO_PASSWORD),
            "admin": session_cookie(stack.url, DEMO_ADMIN_EMAIL, DEMO_PASSWORD),
        }
        admin_cookie = cookies["admin"]
        assert admin_cookie is not None
        ids = page_ids(stack.url, admin_cookie)
        for page in PAGES:
            if not page.lighthouse or (wanted and page.path not in wanted):
                continue
            url = f"{stack.url}{page.url(**ids)}"
            scores = [run_once(binary, chrome, url, cookies[page.who], Path(tmp)) for _ in range(args.runs)]
            print(
                f"  {page.path:<40} {[(s.performance, s.accessibility, round(s.cls, 3)) for s in scores]}", flush=True
            )
            rows.append((page.path, page.who, median(scores)))
    report = table(rows, args.runs)
    print()
    print(report)
    if not wanted:
        RESULTS.write_text(f"# Lighthouse, every page (`make lighthouse`)\n\n{report}", encoding="utf-8")
        print(f"written to {RESULTS.relative_to(ROOT)}")
    failing = [(path, score.shortfalls()) for path, _, score in rows if score.shortfalls()]
    for path, shortfalls in failing:
        print(f"FAIL {path}: {'; '.join(shortfalls)}", file=sys.stderr)
    return 1 if failing else 0


if __name__ == "__main__":
    raise SystemExit(main())
