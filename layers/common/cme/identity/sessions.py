"""Sessions: the cookie is ``<learner id>.<random token>``; the table keeps the session under
the learner's id, keyed by the token's SHA-256 (the token itself is never stored).

Every read that decides who may act is exact: resolving a cookie is a consistent GetItem of
(learner id, token hash), and ending a learner's sessions (password reset) is a consistent
Query of the table's own hash key. Nothing goes through a global secondary index, which AWS
updates asynchronously (a session started a moment before a reset could be missed there).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from cme.platform import clock
from cme.platform.errors import sign_in_required
from cme.platform.models import Learner, Session
from cme.platform.settings import get_settings

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


MAX_COOKIE_LENGTH = 256
# learner id (a UUID; letters, digits and dashes), a dot, the token (URL-safe base64, no dots)
_COOKIE = re.compile(r"([A-Za-z0-9-]{1,64})\.([A-Za-z0-9_-]{32,128})", re.ASCII)


def parse_cookie(value: str | None) -> tuple[str, str] | None:
    """(learner id, token) of a session cookie's value, or None when it is not one of ours."""
    if not value or len(value) > MAX_COOKIE_LENGTH:
        return None
    found = _COOKIE.fullmatch(value)
    return (found.group(1), found.group(2)) if found else None


def new_session(learner_id: str, role: str) -> tuple[str, Session]:
    """The cookie value and its (unsaved) item; the caller saves it alone or in a transaction."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    item = Session(
        learner_id,
        token_hash(token),
        role=role,
        created_at=now,
        expires_at=now + timedelta(hours=get_settings().session_hours),
    )
    return f"{learner_id}.{token}", item


def start(learner_id: str, role: str) -> str:
    """A new saved session; returns the cookie value."""
    cookie, item = new_session(learner_id, role)
    item.save()
    return cookie


def resolve(cookie: str | None) -> Identity | None:
    """The identity behind a cookie, or None when it is malformed, unknown, revoked or expired."""
    parsed = parse_cookie(cookie)
    if parsed is None:
        return None
    learner_id, token = parsed
    try:
        item = Session.get(learner_id, token_hash(token), consistent_read=True)
    except Session.DoesNotExist:
        return None
    if item.expires_at <= clock.now():  # TTL deletion lags; expiry is checked here
        return None
    return Identity(item.learner_id, item.role)


def revoke(cookie: str | None) -> None:
    """End the session of this cookie (sign-out); a malformed cookie ends nothing."""
    parsed = parse_cookie(cookie)
    if parsed is not None:
        learner_id, token = parsed
        Session(learner_id, token_hash(token)).delete()


def max_age_seconds() -> int:
    return get_settings().session_hours * 3600


def revoke_all(learner_id: str, keep: str | None = None) -> int:
    """End every session of a learner (password reset), but the one of cookie ``keep`` (a
    password change ends the others); returns how many were ended.

    A consistent Query of the table's hash key: it sees every session saved before it began.
    """
    parsed = parse_cookie(keep)
    kept = token_hash(parsed[1]) if parsed is not None and parsed[0] == learner_id else None
    hashes = [
        item.token_hash
        for item in Session.query(learner_id, consistent_read=True, attributes_to_get=["learner_id", "token_hash"])
        if item.token_hash != kept
    ]
    with Session.batch_write() as batch:
        for token_hash_value in hashes:
            batch.delete(Session(learner_id, token_hash_value))
    return len(hashes)


def learner_of(learner_id: str) -> Learner:
    """The signed-in learner's item; 401 SIGN_IN_REQUIRED when the account is gone."""
    try:
        return Learner.get(learner_id)
    except Learner.DoesNotExist:
        raise sign_in_required() from None
