"""One sample certificate for the PDF tests: each test changes only what it is about."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from cme.records.pdf.certificate import CertificateData

SAMPLE = CertificateData(
    learner_name="Zoë Łukasiewicz-Müller",
    degree="MD",
    activity_title="Sepsis",
    activity_dates="March 3, 2026",
    format="live",
    location="Auditorium B",
    credit_type="AMA_PRA_1",
    credits=1.0,
    ama_max=1.0,
    type_max=1.0,
    provider_name="St. Elsewhere CME",
    provider_address="1 Hospital Way",
    director_name="Seán Ó Briain",
    director_title="CME Director",
    signature_image=None,
    code="ABCD2345EFGH",
    verify_url="https://cme.example.org/verify.html?code=ABCD2345EFGH",
    issued_on=date(2026, 3, 5),
)


def certificate(**changes: Any) -> CertificateData:
    """The sample certificate with ``changes`` (field names of CertificateData)."""
    return dataclasses.replace(SAMPLE, **changes)
