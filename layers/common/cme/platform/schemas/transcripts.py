"""Transcripts (JSON; the PDF and CSV are drawn from it)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field

from cme.platform.schemas._common import BaseModel, CreditType


class TranscriptLearner(BaseModel):
    name: str  # first and last name, as on the profile
    degree: str
    npi: str | None = None


class TranscriptRow(BaseModel):
    """One credit line (an AMA + MOC claim is two rows); ``date`` is the completion date."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    day: date = Field(alias="date")
    title: str
    credit_type: CreditType
    credits: float
    label: str  # the credit type's wording (cme.rules.credit)
    certificate_code: str | None = None
    source: Literal["claim", "outside", "imported"] = "claim"
    self_reported: bool = False  # outside credit the learner reported (source "outside")
    provider: str | None = None  # an outside row's provider
    # an imported row (source "imported"): the portal it came from, and "Imported from <it>"
    source_name: str | None = None
    source_label: str | None = None


class TranscriptTotal(BaseModel):
    credit_type: CreditType
    label: str
    credits: float


class TranscriptReply(BaseModel):
    """GET /api/me/transcript?format=json: what the PDF and the CSV are drawn from."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    learner: TranscriptLearner
    start: date | None = Field(alias="from")  # null: all time
    to: date
    period: str  # as the PDF heads it: "January 1, 2026 – November 27, 2026"
    rows: list[TranscriptRow]
    totals: list[TranscriptTotal]  # credit claimed through the portal
    outside_totals: list[TranscriptTotal] = Field(default_factory=list)  # self-reported outside credit
