"""The portal's tables. Keys and indexes mirror template.yaml, which is the source of truth."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection

from cme.models.base import BaseModel


class LearnersByPhone(GlobalSecondaryIndex["Learner"]):
    class Meta:
        index_name = "by_phone"
        projection = IncludeProjection(["last_name_key", "email"])

    phone_e164 = UnicodeAttribute(hash_key=True)


class Learner(BaseModel):
    """A learner's profile. ``password_hash`` never leaves cme.accounts / cme.passwords."""

    table_setting = "learners_table"

    class Meta:
        table_name = ""

    learner_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    last_name_key = UnicodeAttribute()
    degree = UnicodeAttribute()
    phone_e164 = UnicodeAttribute()
    specialty = UnicodeAttribute(null=True)
    npi = UnicodeAttribute(null=True)
    email_verified = BooleanAttribute(default=False)
    role = UnicodeAttribute(default="learner")
    transcript_frequency = UnicodeAttribute(default="never")
    password_hash = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    by_phone = LearnersByPhone()


class EmailsByLearner(GlobalSecondaryIndex["EmailOwner"]):
    class Meta:
        index_name = "by_learner"
        projection = AllProjection()

    learner_id = UnicodeAttribute(hash_key=True)


class EmailOwner(BaseModel):
    """One item per normalized email: which learner owns it. Written only with a condition."""

    table_setting = "emails_table"

    class Meta:
        table_name = ""

    email = UnicodeAttribute(hash_key=True)
    learner_id = UnicodeAttribute()
    verified = BooleanAttribute(default=False)
    primary = BooleanAttribute(default=False)
    added_at = UTCDateTimeAttribute()
    verified_at = UTCDateTimeAttribute(null=True)

    by_learner = EmailsByLearner()


class SessionsByLearner(GlobalSecondaryIndex["Session"]):
    class Meta:
        index_name = "by_learner"
        projection = KeysOnlyProjection()

    learner_id = UnicodeAttribute(hash_key=True)


class Session(BaseModel):
    """A signed-in session, keyed by the SHA-256 of its token (the token itself is never stored)."""

    table_setting = "sessions_table"

    class Meta:
        table_name = ""

    token_hash = UnicodeAttribute(hash_key=True)
    learner_id = UnicodeAttribute()
    role = UnicodeAttribute(default="learner")
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()

    by_learner = SessionsByLearner()


class Token(BaseModel):
    """A one-time token (email verification, password reset), stored only as its hash."""

    table_setting = "tokens_table"

    class Meta:
        table_name = ""

    token_hash = UnicodeAttribute(hash_key=True)
    purpose = UnicodeAttribute()
    learner_id = UnicodeAttribute()
    email = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()
    used_at = UTCDateTimeAttribute(null=True)


class RateCounter(BaseModel):
    """Attempts in one fixed window for one scope (e.g. sign-in per email)."""

    table_setting = "rate_limits_table"

    class Meta:
        table_name = ""

    key = UnicodeAttribute(hash_key=True)
    hits = NumberAttribute(default=0)
    expires_at = TTLAttribute()
