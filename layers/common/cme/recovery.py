"""Forgot password: a single-use link by email, valid one hour, that sets a new password and
ends every session of the learner."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from cme import clock, mail, passwords, retry, sessions, throttle, tokens
from cme.errors import InvalidInput, ServiceUnavailable
from cme.identity import normalize_email
from cme.models import EmailOwner, Learner
from cme.observability import logger
from cme.settings import get_settings

RESET_REQUESTED = (
    "If an account uses that email, we have sent it a link to choose a new password. "
    "The link works once, within 1 hour. Check your spam folder if it does not arrive."
)


def request_reset(email_text: str, client: str) -> str:
    """Email a reset link when the email belongs to an account; the answer is the same either way."""
    settings = get_settings()
    email = normalize_email(email_text)
    throttle.hit(
        throttle.Scope("reset:email", email, settings.reset_per_email),
        throttle.Scope("reset:client", client, settings.reset_per_client),
    )
    try:
        owner = EmailOwner.get(email)
        learner = Learner.get(owner.learner_id)
    except (EmailOwner.DoesNotExist, Learner.DoesNotExist):
        return RESET_REQUESTED
    if not (owner.primary or owner.verified):
        return RESET_REQUESTED  # an unproven secondary email cannot take over the account
    minutes = settings.password_reset_minutes
    raw, token = tokens.new_token(tokens.RESET_PASSWORD, learner.learner_id, email, timedelta(minutes=minutes))
    token.save()
    link = f"{settings.site_url.rstrip('/')}/reset-password.html?{urlencode({'token': raw})}"
    try:
        mail.send(email, "reset_password", {"first_name": learner.first_name, "link": link, "minutes": minutes})
    except ServiceUnavailable:
        token.delete()
        raise
    logger.info("password reset sent", extra={"learner_id": learner.learner_id})
    return RESET_REQUESTED


def reset_password(raw_token: str, password: str) -> None:
    """Set the new password with the token (spent in the same transaction), then end all sessions."""
    token = tokens.redeemable(raw_token, tokens.RESET_PASSWORD)
    try:
        learner = Learner.get(token.learner_id)
    except Learner.DoesNotExist:
        raise tokens.invalid() from None
    passwords.check_password(password, [learner.email.partition("@")[0], learner.first_name, learner.last_name])
    if passwords.verify_password(learner.password_hash, password):
        raise InvalidInput(
            "PASSWORD_REUSED",
            "Choose a password different from the one you had.",
            [{"field": "password", "message": "This is the password you had; choose a new one."}],
        )
    new_hash = passwords.hash_password(password)

    def build(tx: TransactWrite) -> None:
        tokens.spend(tx, token)
        tx.update(
            learner,
            actions=[Learner.password_hash.set(new_hash), Learner.updated_at.set(clock.now())],
            condition=Learner.learner_id.exists(),
        )

    try:
        retry.transact(build, "password reset")
    except TransactWriteError as exc:
        if retry.DECISION not in retry.reason_codes(exc):
            raise
        raise tokens.invalid() from exc
    ended = sessions.revoke_all(learner.learner_id)
    logger.info("password reset", extra={"learner_id": learner.learner_id, "sessions_ended": ended})
