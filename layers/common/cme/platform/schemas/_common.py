"""What every area's shapes share: the base models, the field types and the enums used across areas."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, field_validator
from pydantic import BaseModel as PydanticModel


class BaseModel(PydanticModel):
    """pydantic's BaseModel, its validator and serializer built at first use (``defer_build``):
    a function builds the shapes its routes use at its first request or, with SnapStart, before
    the snapshot (cme.runtime.snapstart), not every shape of the API at import."""

    model_config = ConfigDict(defer_build=True)


class Degree(StrEnum):
    MD = "MD"
    DO = "DO"
    PA_C = "PA-C"
    NP = "NP"
    RN = "RN"
    PHARMD = "PharmD"
    RPH = "RPh"  # a pharmacist without a PharmD
    CPHT = "CPhT"  # a pharmacy technician
    APRN = "APRN"
    CRNA = "CRNA"
    LPN = "LPN"
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


_BIRTH_MMDD_WORDS = "Enter your birth month and day, e.g. 07/04."
_MONTH_DAY = re.compile(r"(\d{2})(\d{2})|(\d{1,2})/(\d{1,2})")


def _birth_mmdd(value: str | None) -> str | None:
    """A real month and day (0229 included) as "MMDD": typed "0704", "07/04" or "7/4"; "" means none."""
    if not value:
        return value
    found = _MONTH_DAY.fullmatch(value)
    if found:
        month, day = (int(x) for x in found.groups() if x is not None)
        try:
            date(2000, month, day)  # a leap year: February 29 is a birthday
        except ValueError:
            pass
        else:
            return f"{month:02d}{day:02d}"
    raise ValueError(_BIRTH_MMDD_WORDS)


BirthMMDD = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=10), AfterValidator(_birth_mmdd)]


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


class ReportingFields(Strict):
    """What board (MOC) and NABP (ACPE) reporting needs; omitted: unchanged, "" (or {}): removed."""

    board_ids: BoardIds | None = None
    nabp_eprofile_id: NabpId = None
    birth_mmdd: BirthMMDD = None


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorReply(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] | None = None


class MessageReply(BaseModel):
    message: str


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


CreditTypeText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class ClaimLineOut(BaseModel):
    credit_type: CreditType
    credits: float
    label: str


class DownloadReply(BaseModel):
    url: str
    expires_in: int


class UndeliverableReason(StrEnum):
    BOUNCE = "bounce"  # SES reported a permanent bounce: the mailbox does not exist or refuses mail
    COMPLAINT = "complaint"  # the recipient marked the office's email as spam


class Undeliverable(BaseModel):
    """Mail to an address is not sent any more (cme.identity.deliverability): why and since when."""

    reason: UndeliverableReason
    at: str  # ISO 8601, UTC: when SES reported it
