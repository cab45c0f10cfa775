"""Public certificate verification."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from cme.platform.schemas._common import BaseModel, ClaimLineOut, CreditType


class CertificateStatus(StrEnum):
    CURRENT = "current"
    REPLACED = "replaced"  # by a corrected certificate (a reissue after a name correction)
    REVOKED = "revoked"  # its claim was revoked by the CME office


class VerifyReply(BaseModel):
    valid: bool  # true only for the current certificate of its claim
    status: CertificateStatus
    replaced_on: date | None = None  # the day it was replaced (status replaced)
    revoked_on: date | None = None  # the day its claim was revoked (status revoked)
    certificate_code: str
    learner_name: str
    activity_title: str
    activity_date: str
    credit_type: CreditType  # the first line's
    credits: float
    lines: list[ClaimLineOut] = Field(default_factory=list)
    issued_at: str
    superseded: bool
    superseded_by: str | None = None
    # an imported certificate (docs/domain.md "Imported history"): the portal that issued it, and
    # the number it printed (the code is that number namespaced by the portal's name)
    imported_from: str | None = None
    original_number: str | None = None
