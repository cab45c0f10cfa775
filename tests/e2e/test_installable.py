"""Installable on a phone, in Chromium: every page links the web app manifest, Chromium parses it
with no error and finds the site installable, its icons load; signed in, the service worker
registers, controls the pages after a reload and keeps the static shell (My Portal opens with no
network) but never an /api/ answer, a query string or another origin's file; sign-out empties the
caches and removes the worker."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from PIL import Image
from playwright.sync_api import expect

from infra.local.seed import DEMO_PASSWORD
from tests.e2e.conftest import CHROMIUM_ARGS
from tests.e2e.test_publisher_flow import sign_in

pytestmark = pytest.mark.e2e

LEARNER = "learner@example.org"
# what My Portal needs to open from the home screen (sw.js's PRECACHE holds these and more)
SHELL = {"/portal.html", "/styles.css", "/js/portal.js", "/js/shell.js", "/js/api.js", "/manifest.webmanifest"}
# the cache sw.js names (its VERSION changes with its PRECACHE list)
SW_JS = (Path(__file__).resolve().parents[2] / "web" / "sw.js").read_text("utf-8")
_VERSION = re.search(r"const VERSION = '([^']+)';", SW_JS)
CACHE = f"cme-shell-{_VERSION[1] if _VERSION else '?'}"

CACHED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push(request.url);
  }
  return {names: await caches.keys(), urls};
}"""

WORKER = """async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  if (!registration) return null;
  return {scope: registration.scope, active: registration.active && registration.active.scriptURL};
}"""


def test_the_manifest_is_linked_parsed_and_installable(page: Any, base_url: str, problems: Any) -> None:
    page.goto("/index.html")
    href = page.locator('head link[rel="manifest"]').get_attribute("href")
    assert href == "/manifest.webmanifest"
    theme = page.locator('head meta[name="theme-color"]').get_attribute("content")

    answer = page.request.get(href)
    assert answer.status == 200
    assert answer.headers["content-type"].split(";")[0] == "application/manifest+json"
    manifest = json.loads(answer.body())
    assert manifest["name"] == "CME Portal" and manifest["short_name"]
    assert manifest["start_url"] == "/portal.html" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == theme
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])

    purposes: dict[str, set[int]] = {}
    for icon in manifest["icons"]:
        image = page.request.get(icon["src"])
        assert image.status == 200, icon["src"]
        assert image.headers["content-type"] == "image/png"
        with Image.open(io.BytesIO(image.body())) as decoded:
            assert decoded.format == "PNG" and f"{decoded.width}x{decoded.height}" == icon["sizes"], icon
        purposes.setdefault(icon["purpose"], set()).add(int(icon["sizes"].split("x")[0]))
    assert {192, 512} <= purposes["any"] and 512 in purposes["maskable"]

    # Chromium's own reading: the manifest it parsed, with no error, and nothing that stops installing
    cdp = page.context.new_cdp_session(page)
    parsed = cdp.send("Page.getAppManifest")
    assert parsed["url"] == f"{base_url}/manifest.webmanifest"
    assert parsed["errors"] == []
    assert json.loads(parsed["data"]) == manifest
    problems.assert_none()


def test_chromium_finds_nothing_that_stops_installing(browser: Any, base_url: str, tmp_path: Path) -> None:
    """Page.getInstallabilityErrors, in a profile on disk: the test contexts are incognito, where
    Chromium installs nothing (and says only that)."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable is not None
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile", executable_path=executable, headless=True, args=CHROMIUM_ARGS, base_url=base_url
    )
    try:
        for path in ("/index.html", "/portal.html", "/sign-in.html"):
            page = context.new_page()
            page.goto(path)
            page.wait_for_load_state("networkidle")
            cdp = context.new_cdp_session(page)
            # Chromium fetches the manifest's icons on its own time: on a busy machine its first
            # answer can still be "no-acceptable-icon" while they load. Ask again for up to 10 s.
            errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
            for _ in range(20):
                if not errors:
                    break
                page.wait_for_timeout(500)
                errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
            assert errors == [], path
            page.close()
    finally:
        context.close()


def test_the_service_worker_keeps_the_shell_and_nothing_personal(page: Any, base_url: str, problems: Any) -> None:
    page.goto("/index.html")
    assert page.evaluate(WORKER) is None  # signed out: no worker
    sign_in(page, LEARNER, DEMO_PASSWORD)
    worker = page.evaluate("navigator.serviceWorker.ready.then((r) => ({scope: r.scope, script: r.active.scriptURL}))")
    assert worker == {"scope": f"{base_url}/", "script": f"{base_url}/sw.js"}

    # after a reload the worker serves the page's shell; the API answers come past it from the network
    answers: list[Any] = []
    page.on("response", lambda answer: answers.append(answer))  # noqa: PLW0108 (Playwright needs a function)
    page.reload()
    expect(page.locator("#portal")).to_be_visible()
    assert page.evaluate("navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL") == (
        f"{base_url}/sw.js"
    )
    by_path = {urlparse(a.url).path: a for a in answers}
    assert by_path["/portal.html"].from_service_worker and by_path["/js/portal.js"].from_service_worker
    api = [a for a in answers if urlparse(a.url).path.startswith("/api/")]
    assert any(urlparse(a.url).path == "/api/me" for a in api)
    assert not any(a.from_service_worker for a in api)

    # My Transcript, and a page whose link carries a token: still nothing personal is kept
    page.goto("/transcript.html")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    problems.assert_none()
    page.goto("/reset-password.html?token=a-secret-token")  # the API refuses the token: a console error
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    cached = page.evaluate(CACHED_URLS)
    assert cached["names"] == [CACHE]
    paths = {urlparse(url).path for url in cached["urls"]}
    assert paths >= SHELL and {"/transcript.html", "/reset-password.html"} <= paths
    assert all(url.startswith(f"{base_url}/") for url in cached["urls"])  # nothing from another origin
    assert not [url for url in cached["urls"] if "/api/" in url or "?" in url or "/_local/" in url]

    assert not problems.csp_violations and not problems.page_errors

    # no network: My Portal still opens from the home screen (its data needs the network)
    page.context.set_offline(True)
    try:
        page.goto("/portal.html")
        expect(page.get_by_role("heading", level=1, name="My Portal")).to_be_visible()
        assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") == (
            "rgb(15, 53, 80)"  # styles.css came from the cache too
        )
    finally:
        page.context.set_offline(False)
    assert not problems.csp_violations and not problems.page_errors
    problems.clear()  # offline, the page's API calls failed (as they must): console errors


def test_sign_out_empties_the_caches_and_removes_the_worker(page: Any, base_url: str, problems: Any) -> None:
    sign_in(page, LEARNER, DEMO_PASSWORD)
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()
    expect(page.locator("#portal")).to_be_visible()
    assert page.evaluate(CACHED_URLS)["urls"]

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Sign Out").click()
    expect(page).to_have_url(re.compile(r"/index\.html$"))
    expect(nav.get_by_role("link", name="Sign In")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(CACHED_URLS) == {"names": [], "urls": []}
    assert page.evaluate(WORKER) is None
    assert page.evaluate("navigator.serviceWorker.controller") is None

    # signed out, the site keeps nothing, page after page
    page.goto("/sign-in.html")
    page.wait_for_load_state("networkidle")
    assert page.evaluate(CACHED_URLS) == {"names": [], "urls": []}
    assert page.evaluate(WORKER) is None
    problems.assert_none()
