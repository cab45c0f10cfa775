"""The shapes the API speaks (pydantic). Routes validate with them; logic takes and returns them."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


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
PhoneText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=40)]
Password = Annotated[str, Field(min_length=1, max_length=1024)]
Optional100 = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=100)]
NpiText = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=20)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


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


class ProfileUpdate(ProfileFields):
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


class LearnerReply(BaseModel):
    learner: Profile


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


class OptionalEmail(Strict):
    email: EmailText | None = None


class NewPassword(Strict):
    token: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    password: Password


class TokenOnly(Strict):
    token: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class MessageReply(BaseModel):
    message: str


class EmailEntryReply(BaseModel):
    email: str
    verified: bool
    primary: bool


class EmailReply(BaseModel):
    email: EmailEntryReply


class EmailsReply(BaseModel):
    emails: list[EmailEntryReply]
