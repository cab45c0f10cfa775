"""The plain-text transcript email lists the totals one per line (issue 13, part 5)."""

from __future__ import annotations

import pytest

from cme.platform.mail import render
from cme.platform.settings import reset_settings


@pytest.fixture(autouse=True)
def office(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OFFICE_NAME", "St. Elsewhere CME")
    monkeypatch.setenv("HELP_EMAIL", "cme@st-elsewhere.org")
    monkeypatch.setenv("MAIL_FROM", "noreply@st-elsewhere.org")
    reset_settings()


def _context(totals: list[tuple[str, str]], count: int) -> dict[str, object]:
    return {
        "first_name": "Zoë",
        "frequency": "monthly",
        "period": "October 1, 2026 – October 31, 2026",
        "count": count,
        "totals": totals,
        "settings_link": "https://cme.example.org/transcript.html#schedule",
    }


def test_the_totals_are_one_per_line() -> None:
    totals = [("AMA PRA Category 1 Credit™", "3.5"), ("ABIM MOC points", "2")]
    _, text, html = render("transcript", _context(totals, 3))
    lines = text.splitlines()
    assert "  AMA PRA Category 1 Credit™: 3.5" in lines and "  ABIM MOC points: 2" in lines
    assert "3 activities." in lines
    assert lines[lines.index("Totals:") + 1 :][:3] == ["  AMA PRA Category 1 Credit™: 3.5", "  ABIM MOC points: 2", ""]
    assert "<li>ABIM MOC points: 2</li>" in html


def test_no_totals_without_credit() -> None:
    _, text, _ = render("transcript", _context([], 0))
    assert "0 activities." in text.splitlines() and "Totals" not in text
