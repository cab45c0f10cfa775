"""File names of downloads, in one place (cme.platform.documents): accents folded, nothing a
Content-Disposition header or a file system would trip on, whatever the activity's title."""

from __future__ import annotations

import pytest

from cme.platform import documents


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Grand Rounds: Sepsis in 2026", 60, "Grand-Rounds-Sepsis-in-2026"),
        ("Seán Ó Briain — Año nuevo", 60, "Sean-O-Briain-Ano-nuevo"),
        ("  «Ärzte» & Ønske  ", 60, "Arzte-nske"),  # Ø has no ASCII decomposition: dropped
        ("abc def", 4, "abc"),  # cut at the limit, no dash left at the end
        ("日本語", 60, ""),
    ],
)
def test_slug(text: str, limit: int, expected: str) -> None:
    assert documents.slug(text, limit) == expected


def test_an_attachment_names_a_safe_file() -> None:
    assert documents.attachment("claims-2026-03-03-Grand-Rounds.csv") == (
        'attachment; filename="claims-2026-03-03-Grand-Rounds.csv"'
    )
    assert documents.attachment('Séance "1"; rm.pdf') == 'attachment; filename="Seance-1-rm.pdf"'
    assert documents.attachment("日本語") == 'attachment; filename="document"'
