"""Browser tests: the whole local stack in a subprocess, driven by headless Chromium (Playwright).

Chromium is Debian's package (`/usr/bin/chromium`), launched with `executable_path`:
`playwright install` cannot download here. When it is missing the tests FAIL, never skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.stack_clock import STACK_CLOCK, StackClock

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Every page reports CSP violations through the console, so one listener catches them all.
CSP_REPORTER = """
document.addEventListener('securitypolicyviolation', (event) => {
  console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline'));
});
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """Start the stack so that SIGINT stops it (Ctrl-C handling in its main()).

    A shell without job control starts background jobs with SIGINT ignored, and an ignored
    signal stays ignored across exec: pytest would pass that on. A handled signal is reset to
    the default by exec, so install Python's handler while the child starts.
    """
    ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # it answered, even if with an error status
    except OSError:
        return False


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """The local stack on a free port, started once per session."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PORT": str(port), "PYTHONUNBUFFERED": "1"}
    # Every test is the same client (127.0.0.1) within one throttle window: the suite creates
    # many accounts (schemathesis alone a dozen); 500 keeps it well clear of the 100 an hour.
    env.setdefault("CREATE_PER_CLIENT", "500")
    for key in [k for k in env if k.startswith("AWS_ENDPOINT_URL")]:
        del env[key]  # the stack starts its own moto
    process = _spawn([sys.executable, "-m", "infra.local.server"], env)
    output: list[str] = []
    ready = threading.Event()

    def drain() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if "running at" in line:
                ready.set()

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT
    while not ready.is_set():
        if process.poll() is not None:
            pytest.fail(f"the local stack exited with {process.returncode}:\n{''.join(output)}")
        if _answers(f"{url}/index.html"):
            break
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the local stack did not start within {START_TIMEOUT:.0f}s:\n{''.join(output)}")
        ready.wait(0.25)
    STACK_CLOCK.base_url = url
    try:
        yield url
    finally:
        STACK_CLOCK.base_url = None
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def clock() -> Iterator[StackClock]:
    """The local stack's clock (tests/support/stack_clock.py), not this process's: a test that
    freezes it has it let go when it ends."""
    yield STACK_CLOCK
    if STACK_CLOCK.frozen and STACK_CLOCK.base_url:
        STACK_CLOCK.release()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail(
            "Chromium is not installed: the browser tests need Debian's `chromium` package "
            "(apt-get install chromium); `make test` installs it when missing."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev group pins playwright
        pytest.fail("the playwright Python package is missing: run `uv sync` (dev group)")
    playwright = sync_playwright().start()
    try:
        # The browser keeps the office's time zone, as its clinicians' browsers do: a page's "today"
        # (the transcript's default period) is then the office's today the stack answers with,
        # whatever the hour in UTC (run between midnight UTC and midnight in the office, the two
        # days differ)
        from cme.platform.settings import Settings

        chromium = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            env={**os.environ, "TZ": Settings().office_timezone},
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


class Problems:
    """Console errors, uncaught exceptions and CSP violations seen by one page."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []

    @property
    def csp_violations(self) -> list[str]:
        markers = ("CSP violation", "Content Security Policy")
        return [text for text in self.console_errors if any(marker in text for marker in markers)]

    def clear(self) -> None:
        self.console_errors.clear()
        self.page_errors.clear()

    def assert_none(self, where: str = "") -> None:
        assert not self.page_errors, f"uncaught errors {where}: {self.page_errors}"
        assert not self.console_errors, f"console errors {where}: {self.console_errors}"


@pytest.fixture
def context(browser: Any, base_url: str) -> Iterator[Any]:
    ctx = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 860})
    ctx.set_default_timeout(10_000)
    ctx.add_init_script(CSP_REPORTER)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def page(context: Any, problems: Problems) -> Iterator[Any]:
    """A fresh page; whatever the test, no page may break the CSP or throw."""
    pg = context.new_page()
    pg.on("console", lambda message: message.type == "error" and problems.console_errors.append(message.text))
    pg.on("pageerror", lambda error: problems.page_errors.append(str(error)))
    yield pg
    assert not problems.csp_violations, f"CSP violations: {problems.csp_violations}"
    assert not problems.page_errors, f"uncaught errors: {problems.page_errors}"
