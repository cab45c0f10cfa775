"""One-time tokens (email verification, password reset): random, hashed at rest, expiring."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from cme.models import Token
from cme.sessions import token_hash

VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"


def new_token(purpose: str, learner_id: str, email: str, lifetime: timedelta) -> tuple[str, Token]:
    """A fresh token and its (unsaved) item, for the caller's transaction."""
    raw = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    item = Token(
        token_hash(raw),
        purpose=purpose,
        learner_id=learner_id,
        email=email,
        created_at=now,
        expires_at=now + lifetime,
    )
    return raw, item
