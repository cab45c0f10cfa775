"""The certificate's QR code carries its verification address, and long names and titles fit."""

from __future__ import annotations

import io
from typing import Any

import pytest
import segno
from pypdf import PdfReader

from cme.records.pdf import qr
from cme.records.pdf.certificate import render
from tests.support.certificates import certificate

DATA = certificate(
    learner_name="Nguyễn Thị Minh Khai",
    degree="PharmD",
    activity_title="Opioid Stewardship",
    activity_dates="March 3–4, 2026",
    format="enduring",
    location="Online",
    credit_type="ACPE",
    credits=2.0,
    ama_max=2.0,
    type_max=2.0,
)


def test_the_qr_code_encodes_the_verification_address(monkeypatch: pytest.MonkeyPatch) -> None:
    encoded: list[str] = []
    real = segno.make

    def spy(content: str, **kwargs: Any) -> Any:
        encoded.append(content)
        return real(content, **kwargs)

    monkeypatch.setattr(qr.segno, "make", spy)
    render(DATA)
    assert encoded == [DATA.verify_url]


def test_long_names_and_titles_stay_on_one_page() -> None:
    import dataclasses

    long = dataclasses.replace(
        DATA,
        learner_name="Maria Guadalupe Fernández-Castellanos de la Santísima Trinidad y Łukasiewicz-Müller",
        activity_title="Interprofessional Management of Multimorbidity in Older Adults: " * 4,
    )
    reader = PdfReader(io.BytesIO(render(long)))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Fernández-Castellanos" in text and "Łukasiewicz-Müller" in text
    assert "continuing pharmacy education (ACPE)" in text
    assert "enduring material for a maximum of 2.0 AMA PRA Category 1 Credits™" in text
