"""Credit types and activity formats, office settings and topics (GET /api/credit-types, /api/settings, /api/topics)."""

from __future__ import annotations

from pydantic import Field

from cme.platform.schemas._common import ActivityFormat, BaseModel, CreditType, Degree, Strict


class Credit(Strict):
    type: CreditType
    max: float = Field(gt=0, le=100)


class CreditTypeOut(BaseModel):
    """One credit type's wording (cme.rules.credit). ``statement`` has ``{provider}``, ``{n}``,
    ``{credits}``, ``{activity}``, ``{awarded}`` and ``{address}`` to fill; "" when none."""

    type: CreditType
    label: str
    label_one: str  # after an amount of exactly 1: "1.0 AMA PRA Category 1 Credit™"
    label_other: str  # after any other amount: "1.5 AMA PRA Category 1 Credits™"
    unit: str
    unit_one: str
    short: str
    headline: str
    statement: str
    claimants: list[str]
    moc_board: str | None = None
    whole: bool = False  # the board awards the activity's whole amount: no partial claim (CREDITS_MUST_BE_FULL)
    window_note: str | None = None  # a board's own limit beside the activity's claim window (ACPE: 60 days)


class ActivityFormatOut(BaseModel):
    """One activity format and its label (cme.rules.credit.FORMAT_LABEL), as every page and PDF words it."""

    format: ActivityFormat
    label: str
    window_note: str | None = None  # how the format's claim window ends, when not by the window (enduring)


class DegreeOut(BaseModel):
    """One degree a learner may hold and its label (cme.rules.credit.DEGREE_LABEL), as the account
    and profile forms list it."""

    degree: Degree
    label: str


class CreditTypesReply(BaseModel):
    credit_types: list[CreditTypeOut]
    formats: list[ActivityFormatOut]  # every activity format, in the order a coordinator picks from
    degrees: list[DegreeOut]  # every degree, in the order a learner picks from


class SettingsReply(BaseModel):
    """GET /api/settings: the office settings the web pages show (from cme.platform.settings, never copied)."""

    office_name: str
    help_email: str
    timezone: str
    sms_number: str | None = None
    # JointlyAccredited: only a jointly accredited office designates IPCE credit (the activity form hides it otherwise)
    jointly_accredited: bool = False


class TopicOut(BaseModel):
    topic: str  # an id of cme.publishing.topics
    label: str


class TopicsReply(BaseModel):
    topics: list[TopicOut]
