"""Coordinators' claim reports and board (MOC, CPE) reporting."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from cme.platform.schemas._common import BaseModel, ClaimLineOut, CreditType, QuestionKind, Strict


class ClaimReportRow(BaseModel):
    learner_id: str  # the claimant's account (the office's routes about a learner take it)
    learner_name: str
    first_name: str = ""  # the learner's name as certificates print it now (cme.credit.claims_report)
    last_name: str = ""
    degree: str
    email: str
    npi: str | None
    # NPIs are public, so accounts are never refused for one; true when another learner's claim
    # of this activity carries the same NPI (the office checks before reporting to PARS)
    npi_shared: bool = False
    credit_type: CreditType
    credits: float
    claimed_at: str
    certificate_code: str
    completed_on: date
    label: str  # the credit type's wording (cme.rules.credit)
    lines: list[ClaimLineOut] = Field(default_factory=list)  # every line; credit_type/credits/label: the first


class CreditTotal(BaseModel):
    """One credit type of an activity's claims: how many learners claimed it, and how much in all."""

    credit_type: CreditType
    label: str
    learners: int
    credits: float


class AnswerCount(BaseModel):
    answer: str  # a rating "1"-"5", "yes"/"no", or a choice
    count: int


class EvaluationSummary(BaseModel):
    """``counts``: per answer (every rating 1-5, yes and no, every choice, even at 0); ``mean``: the
    mean rating (rating questions, once answered); ``texts``: the free-text answers, oldest first."""

    counts: list[AnswerCount] = Field(default_factory=list)
    mean: float | None = None
    texts: list[str] = Field(default_factory=list)


class QuestionSummary(BaseModel):
    question_id: str
    text: str
    kind: QuestionKind
    answers: int  # how many claims answered it
    summary: EvaluationSummary


class Unclaimed(BaseModel):
    """Attended (under this email) and not claimed by anyone who owns it as a confirmed email."""

    email: str
    name: str
    learner_id: str | None = None  # the account whose confirmed email it is, if any ("Claim for this learner")


class ClaimReportReply(BaseModel):
    activity_id: str
    title: str
    start_date: str
    end_date: str = ""
    claims: list[ClaimReportRow]
    totals: list[CreditTotal] = Field(default_factory=list)
    evaluation: list[QuestionSummary] = Field(default_factory=list)
    unclaimed: list[Unclaimed] = Field(default_factory=list)


class ReportSubmittedIn(Strict):
    """A file sent to the board: every line completed through ``through`` is marked reported
    (only those claimed by ``downloaded_at``, when given: the moment the file was made)."""

    through: date
    downloaded_at: datetime | None = None


class ReportSubmittedReply(BaseModel):
    marked: int


class ReportUnreportedReply(BaseModel):
    """What a submission through ``through`` would mark now: ``count`` claims (the page asks
    the coordinator to confirm it before marking)."""

    through: date
    count: int


class BoardReportStatus(BaseModel):
    unreported: int
    due_soon: int  # unreported, due within 7 days
    overdue: int  # unreported, past the deadline (MOC: claim + 30 days; CPE: participation + 60 days)


class MissingParsId(BaseModel):
    """An activity whose MOC lines wait for its PARS activity id: no MOC file holds them until
    the office fills the id in (the learner's claim stands)."""

    activity_id: str
    title: str
    lines: int  # unreported MOC lines of the activity


class PartialClaim(BaseModel):
    """A stored claim line with less than the activity's designated amount of a credit type the
    board gives only whole (cme.rules.credit.whole_only): for the office to check; never changed."""

    claim_id: str
    learner_name: str
    activity_id: str
    activity_title: str
    credit_type: CreditType
    label: str
    claimed: float
    designated: float


class Withdrawal(BaseModel):
    """A claim revoked after its lines were reported to a board: for the office to withdraw
    there (PARS: a "Delete" row in the PARS files; CPE Monitor: by hand)."""

    claim_id: str
    learner_name: str
    activity_id: str
    activity_title: str
    board: str  # "MOC" or "CPE"
    completed_on: date
    reported_on: date
    revoked_on: date


class ParsYearEnd(BaseModel):
    """PARS accepts a reporting year's learner data until March 31 of the next year: the
    earliest year still open today and its last day."""

    year: int
    until: date


class ReportStatusReply(BaseModel):
    moc: BoardReportStatus  # due 30 days after the learner's claim (PARS)
    cpe: BoardReportStatus  # due 60 days after the date of participation (CPE Monitor)
    missing_pars_ids: list[MissingParsId] = Field(default_factory=list)
    partial_claims: list[PartialClaim] = Field(default_factory=list)
    withdrawals: list[Withdrawal] = Field(default_factory=list)  # revoked after they were reported
    pars_year_end: ParsYearEnd
