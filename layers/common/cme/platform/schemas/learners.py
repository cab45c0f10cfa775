"""The office's learners: search, the record, corrections (functions/publisher/routes/learners.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import StringConstraints

from cme.platform.schemas._common import BaseModel, Degree, Name, Strict
from cme.platform.schemas.accounts import EmailEntryReply, Profile
from cme.platform.schemas.claims import ClaimOut
from cme.platform.schemas.office import AuditEntry


class LearnerRow(BaseModel):
    """One learner a search found."""

    learner_id: str
    first_name: str
    last_name: str
    degree: Degree
    email: str  # the primary email
    npi: str | None = None
    phone: str  # E.164; "" when none


class LearnersReply(BaseModel):
    learners: list[LearnerRow]
    next_cursor: str | None = None


class LearnerAttendance(BaseModel):
    """An activity the learner attended under a confirmed email, as My activities shows it."""

    activity_id: str
    title: str
    start_date: date
    end_date: date
    attended_as: str
    status: str  # claimable | claimed | closed
    claim_deadline: date


class LearnerRecord(BaseModel):
    learner: Profile
    emails: list[EmailEntryReply]
    attendance: list[LearnerAttendance]
    claims: list[ClaimOut]
    audit: list[AuditEntry]  # the latest first: the first page of GET /api/admin/audit?learner_id=


class LearnerCorrection(Strict):
    """The office's correction (audited, with the reason); an omitted field is unchanged."""

    first_name: Name | None = None
    last_name: Name | None = None
    degree: Degree | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ReplacedCertificate(BaseModel):
    old_code: str  # verifies as replaced from now on
    new_code: str


class CorrectionReply(BaseModel):
    learner: Profile
    replaced: list[ReplacedCertificate]  # the certificates the new name replaced
