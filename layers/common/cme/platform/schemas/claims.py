"""Claims of credit and the learner's activities."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StringConstraints

from cme.platform.schemas._common import (
    ActivityFormat,
    BaseModel,
    ClaimLineOut,
    CreditType,
    CreditTypeText,
    ReportingFields,
    Strict,
)
from cme.platform.schemas.activities import Question
from cme.platform.schemas.credit import Credit


class ClaimLineIn(Strict):
    credit_type: CreditTypeText
    credits: float


class ClaimIn(ReportingFields):
    """One line (``credit_type`` + ``credits``) or several (``lines``), never both. The
    reporting fields, when given, are saved to the profile with the claim."""

    activity_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    credit_type: CreditTypeText | None = None
    credits: float | None = None
    lines: list[ClaimLineIn] | None = Field(default=None, max_length=20)
    moc_consent: StrictBool = False
    evaluation: dict[str, Any] = Field(default_factory=dict)
    attestation: StrictBool = False
    attended_as: str | None = Field(
        default=None,
        max_length=320,
        description=(
            "The verified email the attendance is recorded under, as My activities answers it "
            "(`attended_as`). Optional: it saves a read for a learner with several verified "
            "emails. A value that is not one of them, or holds no attendance, is not an error: "
            "the portal then finds the attendance itself."
        ),
    )


class AdminClaimIn(ClaimIn):
    """A claim a coordinator makes on a learner's behalf: the learner's claim body, the reason
    (audited) and, to pass the activity's closed claim window (never a board's own limit),
    ``override_window``."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    override_window: StrictBool = False


class RevokeIn(Strict):
    """Why a claim is revoked (audited, kept on the revoked claim)."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ClaimStatus(StrEnum):
    CLAIMED = "claimed"
    REVOKED = "revoked"  # by the CME office: kept, out of transcripts and board files


class ClaimOut(BaseModel):
    claim_id: str
    activity_id: str
    activity_title: str
    activity_date: date  # the activity's (first) day
    completed_on: date  # the completion date (cme.rules.credit.completed_on): what certificates and transcripts show
    credit_type: CreditType  # the first line's
    credits: float
    lines: list[ClaimLineOut] = Field(default_factory=list)
    claimed_at: str
    certificate_code: str
    status: ClaimStatus = ClaimStatus.CLAIMED
    made_by: str | None = None  # a coordinator's name and email when made on the learner's behalf
    revoked_at: str | None = None
    revoked_by: str | None = None  # the coordinator's name and email
    revoke_reason: str | None = None
    # "imported": brought from the portal the office left (docs/domain.md "Imported history"), with
    # that portal's name and the one wording every view shows ("Imported from CloudCME")
    source: Literal["claim", "imported"] = "claim"
    source_name: str | None = None
    source_label: str | None = None


class ClaimReply(BaseModel):
    claim: ClaimOut


class ClaimsReply(BaseModel):
    claims: list[ClaimOut]


_Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class LateRequestIn(Strict):
    """A learner's request to claim an activity whose claim window closed."""

    activity_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    reason: _Reason


class LateRequestOut(BaseModel):
    request_id: str
    activity_id: str
    status: str  # open | approved | declined
    reason: str
    created_at: str
    decided_at: str | None = None
    reopened_until: date | None = None  # approved: the learner's last day to claim (office time)
    decision_reason: str | None = None  # declined: the office's reason


class LateRequestReply(BaseModel):
    request: LateRequestOut


class LateRequestsReply(BaseModel):
    requests: list[LateRequestOut]


class LateRequestAdminOut(LateRequestOut):
    learner_id: str
    learner_name: str
    learner_email: str
    activity_title: str


class LateRequestsAdminReply(BaseModel):
    requests: list[LateRequestAdminOut]


class LateRequestAdminReply(BaseModel):
    request: LateRequestAdminOut


class LateApproveIn(Strict):
    days: int = Field(
        default=14, ge=1, le=90, strict=True, description="Days the learner's window reopens for, from today"
    )


class LateDeclineIn(Strict):
    reason: _Reason


class MyLateRequest(BaseModel):
    """The learner's late-claim request for an activity, as My activities shows it."""

    request_id: str
    status: str  # open | approved | declined
    reopened_until: date | None = None


class MyActivity(BaseModel):
    activity_id: str
    title: str
    format: ActivityFormat
    start_date: date
    end_date: date
    location: str
    credit_options: list[Credit]
    status: str  # claimable | claimed | closed
    claim_deadline: date
    reason: str | None = None
    attended_as: str
    evaluation: list[Question]
    claim: ClaimOut | None = None
    late_request: MyLateRequest | None = None
    can_request_late: bool = False  # closed by its window alone, no request open: POST /api/me/late-claims takes one


class MyActivitiesReply(BaseModel):
    activities: list[MyActivity]
    unverified_emails: list[str]
    note: str | None = None
    # what the claim form asks the learner to attest, in their own credit's words (cme.rules.credit.attestation)
    attestation: str = ""
