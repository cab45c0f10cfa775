"""Outside credit in a real browser on the local stack: a learner records credit earned
elsewhere, attaches its certificate by uploading it from the page straight to S3 (a pre-signed
POST to the local S3 endpoint, through the site's CSP and the bucket's own CORS rule, not
moto's allow-everything default), downloads it again, sees a wrong file refused by its first
bytes, finds it on the transcript marked self-reported, and deletes it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support import journeys
from tests.support.journeys import sign_up, unique_email

pytestmark = pytest.mark.e2e

PASSWORD = "outside credit lantern harbour"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def new_learner(base_url: str) -> str:
    email = unique_email("outside")
    sign_up(base_url, email, PASSWORD, confirm=False)
    return email


def sign_in(page: Any, email: str) -> None:
    journeys.sign_in(page, email, PASSWORD)


def test_upload_from_the_browser_through_the_csp(page: Any, base_url: str, problems: Any, tmp_path: Path) -> None:
    email = new_learner(base_url)
    sign_in(page, email)
    page.goto("/outside-credit.html")
    csp = page.evaluate("async () => (await fetch('/outside-credit.html')).headers.get('content-security-policy')")
    s3_origin = re.search(r"form-action 'self' (\S+?);", csp + ";").group(1)
    assert s3_origin.startswith("http://127.0.0.1:") and s3_origin != base_url, csp
    assert f"connect-src 'self' {s3_origin}" in csp, csp

    # the form refuses what the API refuses, next to the field
    title = "Opioid Prescribing: Safe Practice"
    page.get_by_label("Activity title").fill(title)
    page.get_by_label("Provider").fill("State Medical Society")
    page.get_by_label("Date completed").fill("2099-01-01")
    page.get_by_label("Credits").fill("2.5")
    page.get_by_label("Credit type").select_option(label="AMA PRA Category 1 Credit™")
    page.get_by_role("checkbox", name="Ethics").check()
    page.get_by_role("button", name="Add outside credit").click()
    expect(page.get_by_text("The completion date cannot be in the future.").first).to_be_visible()
    expect(page.get_by_label("Date completed")).to_have_attribute("aria-invalid", "true")
    assert not problems.csp_violations and not problems.page_errors
    problems.clear()  # the browser logs the API's 422 answer

    page.get_by_label("Date completed").fill("2026-01-15")
    page.get_by_role("button", name="Add outside credit").click()
    expect(page.get_by_role("status").filter(has_text=f"Added {title}")).to_be_visible()
    row = page.locator("#outside-table tbody tr").filter(has_text=title)
    expect(row).to_contain_text("Self-reported")
    expect(row).to_contain_text("None attached")

    # the upload: the API signs a POST, the browser sends it straight to S3 (the local endpoint)
    certificate = tmp_path / "certificate.pdf"
    certificate.write_bytes(PDF)
    uploads: list[Any] = []
    page.on("requestfinished", lambda request: request.url.startswith(s3_origin) and uploads.append(request))
    page.get_by_label(f"Attach certificate for {title}").set_input_files(str(certificate))
    expect(page.get_by_role("status").filter(has_text=f"Certificate attached to {title}")).to_be_visible()
    expect(row).to_contain_text("PDF attached")
    assert [request.method for request in uploads] == ["POST"], [(r.method, r.url) for r in uploads]
    answer = uploads[0].response()
    assert answer.status == 204
    assert answer.headers.get("access-control-allow-origin") == base_url  # the bucket's CORS rule, for the site
    assert "multipart/form-data" in uploads[0].headers["content-type"]
    assert not problems.csp_violations, problems.csp_violations

    # the document downloads by a fresh pre-signed link, after its first bytes were checked
    with page.expect_download() as saved:
        page.get_by_role("button", name=f"Download certificate for {title}").click()
    assert Path(saved.value.path()).read_bytes() == PDF
    assert urlparse(saved.value.url).netloc == urlparse(s3_origin).netloc
    assert saved.value.suggested_filename.endswith(".pdf")

    # a replacement that is not what it says: uploaded, refused by its first bytes, never served,
    # and the certificate accepted before stays, with its Download (issue 24)
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"<html><body>not a certificate</body></html>")
    page.get_by_label(f"Attach certificate for {title}").set_input_files(str(fake))
    expect(page.get_by_role("alert").filter(has_text="is not a PDF")).to_contain_text("earlier certificate is kept")
    expect(row).to_contain_text("PDF attached")
    expect(row).not_to_contain_text("Refused")
    with page.expect_download() as kept:
        page.get_by_role("button", name=f"Download certificate for {title}").click()
    assert Path(kept.value.path()).read_bytes() == PDF
    assert not problems.csp_violations and not problems.page_errors
    problems.clear()  # the browser logs the API's 422 answer

    # a right replacement takes its place
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    image = tmp_path / "certificate.png"
    image.write_bytes(png)
    page.get_by_label(f"Attach certificate for {title}").set_input_files(str(image))
    expect(page.get_by_role("status").filter(has_text=f"Certificate attached to {title}")).to_be_visible()
    expect(row).to_contain_text("PNG attached")
    with page.expect_download() as replaced:
        page.get_by_role("button", name=f"Download certificate for {title}").click()
    assert Path(replaced.value.path()).read_bytes() == png

    results = Axe().run(page)
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []

    # on the transcript, marked self-reported, totalled apart from claimed credit
    page.goto("/transcript.html")
    page.get_by_label("All time").check()
    table_row = page.locator("#claims-table tbody tr").filter(has_text=title)
    expect(table_row).to_contain_text("Self-reported")
    expect(table_row).to_contain_text("State Medical Society")
    expect(page.locator("#outside-totals-heading")).to_have_text("Self-reported outside credit")
    expect(page.locator("#outside-totals")).to_contain_text("2.5")

    # deleted: gone from the list and the transcript
    page.goto("/outside-credit.html")
    page.get_by_role("button", name=f"Delete {title}").click()
    expect(page.get_by_role("status").filter(has_text=f"Deleted {title}")).to_be_visible()
    expect(page.get_by_text("You have not recorded any outside credit yet.")).to_be_visible()
    problems.assert_none("recording, uploading and deleting outside credit")
