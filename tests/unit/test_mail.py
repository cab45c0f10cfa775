from __future__ import annotations

import pytest

from cme.platform.mail import build, render
from cme.platform.settings import reset_settings


@pytest.fixture(autouse=True)
def office(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OFFICE_NAME", "St. Elsewhere CME & Research")
    monkeypatch.setenv("HELP_EMAIL", "cme@st-elsewhere.org")
    monkeypatch.setenv("MAIL_FROM", "noreply@st-elsewhere.org")
    reset_settings()


def test_names_cannot_inject_markup() -> None:
    context = {
        "account_name": '<script>alert(1)</script><a href="x">',
        "account_email": "a***@b.org",
        "email": "a@b.org",
        "link": "https://x/verify-email.html?token=abc",
        "hours": 24,
    }
    subject, text, html = render("verify_email", context)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "St. Elsewhere CME &amp; Research" in html and "cme@st-elsewhere.org" in html
    assert "<script>alert(1)</script>" in text  # plain text is not HTML: shown as typed
    assert subject == "Confirm your email for St. Elsewhere CME & Research"


def test_message_has_plain_text_and_html_parts() -> None:
    message = build(
        "zoë@example.org",
        "verify_email",
        {
            "account_name": "Zoë Ngata",
            "account_email": "z***@example.org",
            "email": "zoë@example.org",
            "link": "https://x/?token=t",
            "hours": 24,
        },
    )
    parts = [part.get_content_type() for part in message.walk()]
    assert parts == ["multipart/alternative", "text/plain", "text/html"]
    assert message["Reply-To"] == "cme@st-elsewhere.org"
    assert "St. Elsewhere CME & Research" in message["From"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "account of Zoë Ngata (z***@example.org)" in text and "https://x/?token=t" in text
