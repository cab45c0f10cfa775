"""One-time tokens (email verification, password reset, an imported learner's invitation):
random, hashed at rest, expiring."""

from __future__ import annotations

import secrets
from datetime import timedelta

from pynamodb.transactions import TransactWrite

from cme.identity.sessions import token_hash
from cme.platform import clock
from cme.platform.errors import BadToken
from cme.platform.models import Token

VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"
#: an imported learner's invitation to set a password (cme.identity.invitations): redeemed by the
#: reset route as a reset link is, valid 14 days
INVITE = "invite"


def new_token(purpose: str, learner_id: str, email: str, lifetime: timedelta) -> tuple[str, Token]:
    """A fresh token and its (unsaved) item, for the caller's transaction."""
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    item = Token(
        token_hash(raw),
        purpose=purpose,
        learner_id=learner_id,
        email=email,
        created_at=now,
        expires_at=now + lifetime,
    )
    return raw, item


def invalid() -> BadToken:
    return BadToken("TOKEN_INVALID", "This link is not valid any more: it was already used, or it expired.")


def redeemable(raw: str, purpose: str, *also: str) -> Token:
    """The unused, unexpired token of ``purpose`` (or one of ``also``); TOKEN_INVALID otherwise.

    Spending it is the caller's: put ``spend(token)`` in the same transaction as the change
    the token allows, so a token is used exactly once even when two requests race.
    """
    if not raw or len(raw) > 256:
        raise invalid()
    try:
        item = Token.get(token_hash(raw), consistent_read=True)
    except Token.DoesNotExist:
        raise invalid() from None
    if item.purpose not in (purpose, *also) or item.used_at is not None or item.expires_at <= clock.now():
        raise invalid()
    return item


def spend(tx: TransactWrite, item: Token) -> None:
    tx.update(
        item,
        actions=[Token.used_at.set(clock.now())],
        condition=Token.used_at.does_not_exist() & (Token.purpose == item.purpose),
    )
