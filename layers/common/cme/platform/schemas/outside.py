"""Outside credit the learner reports, and its certificate's upload."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from cme.platform.schemas._common import BaseModel, CreditType, Strict


# ---------------------------------------------------------------- outside credit (cme.records.outside)
class DocumentType(StrEnum):
    """What an outside credit's certificate may be (cme.records.outside checks its first bytes)."""

    PDF = "application/pdf"
    PNG = "image/png"
    JPEG = "image/jpeg"


class OutsideCreditIn(Strict):
    """Credit earned elsewhere, as the learner reports it (shown marked self-reported)."""

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    provider: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    completed_on: date  # not in the future (cme.records.outside)
    credit_type: CreditType
    credits: float = Field(ge=0.01, le=100)  # more than 0, kept to two decimals
    topics: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]] = Field(
        default_factory=list, max_length=20
    )  # ids of cme.publishing.topics


class OutsideCreditOut(BaseModel):
    outside_credit_id: str
    title: str
    provider: str
    completed_on: date
    credit_type: CreditType
    label: str  # the credit type's wording (cme.rules.credit)
    credits: float
    topics: list[str] = Field(default_factory=list)
    source: Literal["outside"] = "outside"
    self_reported: bool = True
    document_type: DocumentType | None = None  # a certificate is attached (uploaded or not yet checked)
    document_checked: bool = False  # its first bytes matched its type: it can be downloaded
    document_mismatch: bool = False  # its first bytes did not match: it is never served
    created_at: datetime


class OutsideCreditReply(BaseModel):
    outside_credit: OutsideCreditOut


class OutsideCreditsReply(BaseModel):
    outside_credits: list[OutsideCreditOut]


class DocumentIn(Strict):
    content_type: DocumentType  # the file's type: the upload must declare exactly this


class UploadForm(BaseModel):
    """A pre-signed POST: send ``fields`` then the file (as ``file``), multipart, to ``url``."""

    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_in: int


class UploadReply(BaseModel):
    upload: UploadForm
