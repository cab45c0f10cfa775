"""Sessions: an opaque random token for the cookie, stored only as its SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from cme import clock
from cme.errors import sign_in_required
from cme.models import Learner, Session
from cme.settings import get_settings

SESSION_COOKIE = "cme_session"


def cookie_value(cookies: list[str], name: str = SESSION_COOKIE) -> str | None:
    """The value of cookie ``name`` in an HTTP API event's ``cookies`` list."""
    for pair in cookies:
        for part in pair.split(";"):
            key, _, value = part.strip().partition("=")
            if key == name and value:
                return value
    return None


@dataclass(frozen=True)
class Identity:
    learner_id: str
    role: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_session(learner_id: str, role: str) -> tuple[str, Session]:
    """A fresh token and its (unsaved) item; the caller saves it alone or in a transaction."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    item = Session(
        token_hash(token),
        learner_id=learner_id,
        role=role,
        created_at=now,
        expires_at=now + timedelta(hours=get_settings().session_hours),
    )
    return token, item


def start(learner_id: str, role: str) -> str:
    token, item = new_session(learner_id, role)
    item.save()
    return token


def resolve(token: str | None) -> Identity | None:
    """The identity behind a cookie token, or None when unknown, revoked or expired."""
    if not token or len(token) > 256:
        return None
    try:
        item = Session.get(token_hash(token), consistent_read=True)
    except Session.DoesNotExist:
        return None
    if item.expires_at <= clock.now():  # TTL deletion lags; expiry is checked here
        return None
    return Identity(item.learner_id, item.role)


def revoke(token: str | None) -> None:
    if token and len(token) <= 256:
        Session(token_hash(token)).delete()


def max_age_seconds() -> int:
    return get_settings().session_hours * 3600


def revoke_all(learner_id: str) -> int:
    """End every session of a learner (password reset); returns how many were ended."""
    hashes = [item.token_hash for item in Session.by_learner.query(learner_id)]
    with Session.batch_write() as batch:
        for token_hash_value in hashes:
            batch.delete(Session(token_hash_value))
    return len(hashes)


def learner_of(learner_id: str) -> Learner:
    """The signed-in learner's item; 401 SIGN_IN_REQUIRED when the account is gone."""
    try:
        return Learner.get(learner_id)
    except Learner.DoesNotExist:
        raise sign_in_required() from None
