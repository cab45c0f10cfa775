"""`make lighthouse`: Lighthouse (npm lighthouse@12.2.3, mobile profile) against a local stack it
starts, on the public pages and, signed in as the demo learner, My Portal and My Transcript.

A measurement, not a test: it prints the median of RUNS runs per page (performance,
accessibility, cumulative layout shift) and exits 0 whatever the scores. Lighthouse is
installed on first use into .tools/lighthouse (npm install --prefix); Chromium is Debian's
(CHROME_PATH, or `chromium` on PATH).

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
import urllib.request
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE_VERSION = "12.2.3"
PREFIX = ROOT / ".tools" / "lighthouse"
BINARY = PREFIX / "node_modules" / ".bin" / "lighthouse"
RUNS = 3
START_TIMEOUT = 90.0
DEMO_LEARNER = ("learner@example.org", "Demo-Password-2026")

PUBLIC_PAGES = [
    "/index.html",
    "/sign-in.html",
    "/create-account.html",
    "/forgot-password.html",
    "/verify.html",
    "/attend.html",
    "/offline.html",
]
LEARNER_PAGES = ["/portal.html", "/transcript.html"]


@dataclass(frozen=True)
class Score:
    performance: float
    accessibility: float
    cls: float


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
        sys.exit("signing in as the demo learner gave no session cookie")
    return f"cme_session={cookies['cme_session'].value}"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--page", action="append", help="only these pages (default: every page measured)")
    args = parser.parse_args(argv)
    binary = ensure_lighthouse()
    chrome = chrome_path()
    wanted = set(args.page or [])
    rows: list[tuple[str, str, Score, list[Score]]] = []
    with Stack() as stack, tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        cookie = session_cookie(stack.url, *DEMO_LEARNER)
        plan = [(page, None, "public") for page in PUBLIC_PAGES] + [
            (page, cookie, "demo learner") for page in LEARNER_PAGES
        ]
        for page, page_cookie, who in plan:
            if wanted and page not in wanted:
                continue
            scores = []
            for _ in range(args.runs):
                scores.append(run_once(binary, chrome, f"{stack.url}{page}", page_cookie, Path(tmp)))
            print(f"  {page:<24} {[(s.performance, s.accessibility, round(s.cls, 3)) for s in scores]}", flush=True)
            rows.append((page, who, median(scores), scores))
    print()
    print(f"Lighthouse {LIGHTHOUSE_VERSION}, mobile profile, median of {args.runs} runs")
    print()
    print("| Page | As | Performance | Accessibility | CLS |")
    print("|---|---|---:|---:|---:|")
    for page, who, score, _ in rows:
        print(f"| {page} | {who} | {score.performance:.0f} | {score.accessibility:.0f} | {score.cls:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
