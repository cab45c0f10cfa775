"""Accounts: sign-in, lookup, profile, password reset and email verification, emails."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from cme.platform.schemas._common import (
    BaseModel,
    Degree,
    EmailText,
    Name,
    NpiText,
    Optional100,
    Password,
    PhoneText,
    ReportingFields,
    Strict,
    TranscriptFrequency,
    Undeliverable,
)


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


class ProfileUpdate(ProfileFields, ReportingFields):
    transcript_frequency: TranscriptFrequency | None = None
    email: EmailText | None = None


class Notice(BaseModel):
    """Something My Portal tells the learner once (e.g. ``owner_moved_in``)."""

    code: str
    message: str


class Profile(BaseModel):
    learner_id: str
    email: str
    email_verified: bool
    first_name: str
    last_name: str
    degree: Degree
    phone: str
    # the phone is proven by a code texted to it: only then do its texts record attendance
    phone_confirmed: bool = False
    specialty: str | None = None
    npi: str | None = None
    role: str
    transcript_frequency: TranscriptFrequency
    board_ids: dict[str, str] = Field(default_factory=dict)  # board ("ABIM") -> the learner's id there
    nabp_eprofile_id: str | None = None
    birth_mmdd: str | None = None  # "MMDD"
    # shown once by My Portal, then cleared (DELETE /api/me/notices)
    notices: list[Notice] = Field(default_factory=list)


class PhoneCode(Strict):
    """POST /api/me/phone/confirm: the code texted to the profile's phone."""

    code: Annotated[str, StringConstraints(max_length=20), Field(repr=False)] = ""  # a bad one: PHONE_CODE_INVALID


class PhoneCodeSent(BaseModel):
    """POST /api/me/phone/code: a code was texted; it works for this many seconds."""

    expires_in: int


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


class EmailOnly(Strict):
    email: EmailText


class NewPassword(Strict):
    token: Annotated[str, StringConstraints(max_length=1024), Field(repr=False)] = (
        ""  # a missing or odd token is TOKEN_INVALID
    )
    password: Password


class PasswordChange(Strict):
    current_password: Password
    new_password: Password


class TokenOnly(Strict):
    token: Annotated[str, StringConstraints(max_length=1024), Field(repr=False)] = ""


class VerifiedReply(BaseModel):
    learner: Profile
    email: str  # the address just confirmed (the primary one or another)


class TokenCheckReply(BaseModel):
    """POST /api/auth/password-reset/check: the link still works (a used one answers 400 TOKEN_INVALID)."""

    valid: bool = True


class EmailEntryReply(BaseModel):
    email: str
    verified: bool
    primary: bool
    # SES reported mail to it undeliverable: nothing is sent to it until a resend (null: fine)
    undeliverable: Undeliverable | None = None


class EmailReply(BaseModel):
    email: EmailEntryReply


class EmailsReply(BaseModel):
    emails: list[EmailEntryReply]
