"""The shapes the API speaks (pydantic). Routes validate with them; logic takes and returns them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, StrictBool, StringConstraints, field_validator
from pydantic import BaseModel as PydanticModel


class BaseModel(PydanticModel):
    """pydantic's BaseModel, its validator and serializer built at first use (``defer_build``):
    a function builds the shapes its routes use at its first request or, with SnapStart, before
    the snapshot (cme.snapstart), not every shape of the API at import."""

    model_config = ConfigDict(defer_build=True)


class Degree(StrEnum):
    MD = "MD"
    DO = "DO"
    PA_C = "PA-C"
    NP = "NP"
    RN = "RN"
    PHARMD = "PharmD"
    PHD = "PhD"
    OTHER = "Other"


class TranscriptFrequency(StrEnum):
    NEVER = "never"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUALLY = "annually"


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
EmailText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320)]
PhoneText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=40), Field(repr=False)]
Password = Annotated[str, Field(min_length=1, max_length=1024, repr=False)]  # never in a repr or log
Optional100 = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=100)]
NpiText = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=20)]


def _birth_mmdd(value: str | None) -> str | None:
    """ "MMDD" of a real month and day (0229 included); "" means none."""
    if value:
        try:
            date(2000, int(value[:2]), int(value[2:]))  # a leap year: February 29 is a birthday
        except ValueError:
            raise ValueError("Enter your birth month and day as MMDD, e.g. 0704.") from None
    return value


BirthMMDD = Annotated[
    str | None, StringConstraints(strip_whitespace=True, pattern=r"^(\d{4})?$"), AfterValidator(_birth_mmdd)
]
NabpId = Annotated[str | None, StringConstraints(strip_whitespace=True, pattern=r"^(\d{1,12})?$")]
# board ("ABIM") -> the learner's id at that board ("" removes it)
BoardIds = dict[
    Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z]{2,10}$")],
    Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9-]{0,20}$")],
]


def _clean_text(value: Any) -> Any:
    """Refuse text that is not real text: lone surrogates (which no store can encode) and
    control characters other than tab and newline."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("This text contains characters that are not valid Unicode.") from None
        if any((ord(ch) < 32 and ch not in "\t\n\r") or 0x7F <= ord(ch) < 0xA0 for ch in value):
            raise ValueError("This text contains control characters.")
    elif isinstance(value, list):
        for item in value:
            _clean_text(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _clean_text(key)
            _clean_text(item)
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    @field_validator("*", mode="before")
    @classmethod
    def _text_only(cls, value: Any) -> Any:
        return _clean_text(value)


class SignIn(Strict):
    email: EmailText
    password: Password


class Lookup(Strict):
    last_name: Name
    phone: PhoneText


class ProfileFields(Strict):
    first_name: Name
    last_name: Name
    degree: Degree
    phone: PhoneText
    specialty: Optional100 = None
    npi: NpiText = None


class NewAccount(ProfileFields):
    email: EmailText
    password: Password


class ReportingFields(Strict):
    """What board (MOC) and NABP (ACPE) reporting needs; omitted: unchanged, "" (or {}): removed."""

    board_ids: BoardIds | None = None
    nabp_eprofile_id: NabpId = None
    birth_mmdd: BirthMMDD = None


class ProfileUpdate(ProfileFields, ReportingFields):
    transcript_frequency: TranscriptFrequency | None = None
    email: EmailText | None = None


class Profile(BaseModel):
    learner_id: str
    email: str
    email_verified: bool
    first_name: str
    last_name: str
    degree: Degree
    phone: str
    specialty: str | None = None
    npi: str | None = None
    role: str
    transcript_frequency: TranscriptFrequency
    board_ids: dict[str, str] = Field(default_factory=dict)  # board ("ABIM") -> the learner's id there
    nabp_eprofile_id: str | None = None
    birth_mmdd: str | None = None  # "MMDD"


class LearnerReply(BaseModel):
    learner: Profile


class DegreeChange(Strict):
    """A coordinator's change of a learner's degree (audited, with the reason)."""

    degree: Degree
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class MaskedEmail(BaseModel):
    masked_email: str


class LookupReply(BaseModel):
    matches: list[MaskedEmail]


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorReply(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] | None = None


class EmailOnly(Strict):
    email: EmailText


class NewPassword(Strict):
    token: Annotated[str, StringConstraints(max_length=1024), Field(repr=False)] = (
        ""  # a missing or odd token is TOKEN_INVALID
    )
    password: Password


class TokenOnly(Strict):
    token: Annotated[str, StringConstraints(max_length=1024), Field(repr=False)] = ""


class VerifiedReply(BaseModel):
    learner: Profile
    email: str  # the address just confirmed (the primary one or another)


class MessageReply(BaseModel):
    message: str


class TokenCheckReply(BaseModel):
    """POST /api/auth/password-reset/check: the link still works (a used one answers 400 TOKEN_INVALID)."""

    valid: bool = True


class EmailEntryReply(BaseModel):
    email: str
    verified: bool
    primary: bool


class EmailReply(BaseModel):
    email: EmailEntryReply


class EmailsReply(BaseModel):
    emails: list[EmailEntryReply]


class CreditType(StrEnum):
    AMA_PRA_1 = "AMA_PRA_1"
    ANCC = "ANCC"
    ACPE = "ACPE"
    AAPA_1 = "AAPA_1"
    ABIM_MOC = "ABIM_MOC"
    PARTICIPATION = "PARTICIPATION"
    IPCE = "IPCE"
    ABA_MOC = "ABA_MOC"
    ABP_MOC = "ABP_MOC"
    ABS_MOC = "ABS_MOC"
    ABPATH_MOC = "ABPATH_MOC"
    ABO_MOC = "ABO_MOC"
    ABOTO_MOC = "ABOTO_MOC"


class ActivityFormat(StrEnum):
    LIVE = "live"
    ENDURING = "enduring"
    RSS = "rss"  # a regularly scheduled series session (e.g. grand rounds)


class QuestionKind(StrEnum):
    RATING = "rating"  # 1-5
    TEXT = "text"
    CHOICE = "choice"
    YES_NO = "yes_no"


class Credit(Strict):
    type: CreditType
    max: float = Field(gt=0, le=100)


class CreditTypeOut(BaseModel):
    """One credit type's wording (cme.credit). ``statement`` has ``{provider}``, ``{n}``,
    ``{credits}``, ``{activity}``, ``{awarded}`` and ``{address}`` to fill; "" when none."""

    type: CreditType
    label: str
    unit: str
    unit_one: str
    short: str
    headline: str
    statement: str
    claimants: list[str]
    moc_board: str | None = None


class CreditTypesReply(BaseModel):
    credit_types: list[CreditTypeOut]


class SettingsReply(BaseModel):
    """GET /api/settings: the office settings the web pages show (from cme.settings, never copied)."""

    office_name: str
    help_email: str
    timezone: str
    sms_number: str | None = None


class Question(Strict):
    question_id: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,40}$")]
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    kind: QuestionKind = QuestionKind.TEXT
    required: bool = True
    choices: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]] | None = None


# an activity's id at a board or accreditor (ACPE UAN, ACCME PARS id); "" removes it
BoardActivityId = Annotated[str | None, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9-]{0,40}$")]


class ActivityIn(Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = ""
    format: ActivityFormat
    start_date: date
    end_date: date
    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""
    credits: list[Credit] = Field(min_length=1, max_length=len(CreditType))
    claim_window_days: int = Field(ge=1, le=365)
    evaluation: list[Question] = Field(default_factory=list, max_length=50)
    attendance_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = None
    published: bool = False
    # ACPE's Universal Activity Number (e.g. JA0000000-0000-26-001-L01-P) and ACCME's PARS activity id
    uan: BoardActivityId = None
    pars_activity_id: BoardActivityId = None
    # ids of cme.topics (GET /api/topics); licence requirements count credit by topic
    topics: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]] = Field(
        default_factory=list, max_length=20
    )


class PublicActivity(BaseModel):
    activity_id: str
    title: str
    description: str
    format: ActivityFormat
    start_date: date
    end_date: date
    location: str
    credits: list[Credit]
    claim_window_days: int
    evaluation: list[Question]
    published: bool
    topics: list[str] = Field(default_factory=list)  # ids of cme.topics


class AdminActivity(PublicActivity):
    attendance_code: str
    attendance_count: int
    claim_count: int
    attend_url: str
    uan: str | None = None
    pars_activity_id: str | None = None


class ActivitiesReply(BaseModel):
    activities: list[PublicActivity]
    next_cursor: str | None = None  # pass as ?cursor= for the next page; null on the last


class AdminActivitiesReply(BaseModel):
    activities: list[AdminActivity]
    next_cursor: str | None = None


class ActivityReply(BaseModel):
    activity: AdminActivity


class SelfSignIn(Strict):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    email: EmailText
    first_name: Name
    last_name: Name


class SignedIn(BaseModel):
    activity_id: str
    title: str


class RosterRow(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: Any = None
    first_name: Any = None
    last_name: Any = None


class RosterIn(Strict):
    rows: list[RosterRow] = Field(max_length=5000)


class Rejected(BaseModel):
    row: int
    reason: str


class RosterReport(BaseModel):
    added: int
    already_present: int
    rejected: list[Rejected]


class AttendanceEntry(BaseModel):
    email: str
    first_name: str
    last_name: str
    source: str
    recorded_at: str
    claimed: bool = False  # a claim rests on this attendance: it cannot be removed


class AttendanceListReply(BaseModel):
    """One page of an activity's attendance (by email), and how many rows match in all."""

    rows: list[AttendanceEntry]
    next_cursor: str | None = None
    total: int


CreditTypeText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


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


class ClaimLineOut(BaseModel):
    credit_type: CreditType
    credits: float
    label: str


class ClaimOut(BaseModel):
    claim_id: str
    activity_id: str
    activity_title: str
    activity_date: date  # the activity's (first) day
    completed_on: date  # the completion date (cme.credit.completed_on): what certificates and transcripts show
    credit_type: CreditType  # the first line's
    credits: float
    lines: list[ClaimLineOut] = Field(default_factory=list)
    claimed_at: str
    certificate_code: str


class ClaimReply(BaseModel):
    claim: ClaimOut


class ClaimsReply(BaseModel):
    claims: list[ClaimOut]


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


class MyActivitiesReply(BaseModel):
    activities: list[MyActivity]
    unverified_emails: list[str]
    note: str | None = None


class ClaimReportRow(BaseModel):
    learner_name: str
    first_name: str = ""  # the learner's name as certificates print it now (cme.claims_report)
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
    label: str  # the credit type's wording (cme.credit)
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


class BoardReportStatus(BaseModel):
    unreported: int
    due_soon: int  # unreported, due within 7 days
    overdue: int  # unreported, past the deadline (30 days MOC, 60 days CPE)


class ReportStatusReply(BaseModel):
    moc: BoardReportStatus
    cpe: BoardReportStatus


class DownloadReply(BaseModel):
    url: str
    expires_in: int


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
    label: str  # the credit type's wording (cme.credit)
    certificate_code: str | None = None
    source: Literal["claim", "outside"] = "claim"
    self_reported: bool = False  # outside credit the learner reported (source "outside")
    provider: str | None = None  # an outside row's provider


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


class CertificateStatus(StrEnum):
    CURRENT = "current"
    REPLACED = "replaced"  # by a corrected certificate (a reissue after a name correction)


class VerifyReply(BaseModel):
    valid: bool  # true only for the current certificate of its claim
    status: CertificateStatus
    replaced_on: date | None = None  # the day it was replaced (status replaced)
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


# ---- licence requirements (cme.requirements, cme.topics) ------------------------------------


class TopicOut(BaseModel):
    topic: str  # an id of cme.topics
    label: str


class TopicsReply(BaseModel):
    topics: list[TopicOut]


class RequirementRuleIn(Strict):
    """One rule: at least ``min_credits`` of any of ``credit_types``, on ``topic`` when given.
    ``rule_id`` is generated when absent; ``text`` is written from the rule when empty."""

    rule_id: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,40}$")] | None = None
    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""
    credit_types: list[CreditTypeText] = Field(min_length=1, max_length=len(CreditType))
    topic: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    min_credits: float


class RequirementSetIn(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    cycle_months: int
    rules: list[RequirementRuleIn] = Field(min_length=1, max_length=20)


class RequirementRuleOut(BaseModel):
    rule_id: str
    text: str
    credit_types: list[CreditType]
    topic: str | None = None
    topic_label: str | None = None  # the topic as cme.topics words it
    min_credits: float


class RequirementSetOut(BaseModel):
    set_id: str
    name: str
    cycle_months: int
    rules: list[RequirementRuleOut]


class RequirementSetsReply(BaseModel):
    requirement_sets: list[RequirementSetOut]
    topics: list[TopicOut]  # the vocabulary rules and activities use (cme.topics)


class RequirementSetReply(BaseModel):
    requirement_set: RequirementSetOut


class TrackIn(Strict):
    """PUT /api/me/requirements: track a set (or change the cycle end of one tracked)."""

    set_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    cycle_end: date


class RuleProgress(BaseModel):
    rule_id: str
    text: str
    credit_types: list[CreditType]
    topic: str | None = None
    earned: float  # claimed + outside credit completed within the cycle (API.md's counting rule)
    required: float
    met: bool


class TrackedSet(BaseModel):
    set_id: str
    name: str
    cycle_months: int
    cycle_start: date  # cycle_end minus cycle_months, plus one day
    cycle_end: date
    rules: list[RuleProgress]


class TrackedReply(BaseModel):
    tracked: list[TrackedSet]


# ---------------------------------------------------------------- outside credit (cme.outside)
class DocumentType(StrEnum):
    """What an outside credit's certificate may be (cme.outside checks its first bytes)."""

    PDF = "application/pdf"
    PNG = "image/png"
    JPEG = "image/jpeg"


class OutsideCreditIn(Strict):
    """Credit earned elsewhere, as the learner reports it (shown marked self-reported)."""

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    provider: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    completed_on: date  # not in the future (cme.outside)
    credit_type: CreditType
    credits: float = Field(ge=0.01, le=100)  # more than 0, kept to two decimals
    topics: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]] = Field(
        default_factory=list, max_length=20
    )  # ids of cme.topics


class OutsideCreditOut(BaseModel):
    outside_credit_id: str
    title: str
    provider: str
    completed_on: date
    credit_type: CreditType
    label: str  # the credit type's wording (cme.credit)
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
