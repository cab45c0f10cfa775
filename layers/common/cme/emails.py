"""Email ownership: verification links, and every email a learner uses.

An email belongs to one learner through its EmailOwner item (written with a condition). It
counts as the learner's for attendance only once ``verified``: proven by a single-use link
sent to it. Attendance is found by email at read time, so verifying an email makes all
attendance recorded under it the learner's at once, and attendance recorded later under a
verified email is theirs immediately; nothing needs copying.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from cme import clock, mail, retry, sessions, throttle, tokens
from cme.errors import Conflict, InvalidInput, NotFound, ServiceUnavailable
from cme.identity import normalize_email
from cme.models import EmailOwner, Learner, Token
from cme.observability import logger
from cme.schemas import EmailEntryReply as EmailEntry
from cme.settings import get_settings


def entry(owner: EmailOwner) -> EmailEntry:
    return EmailEntry(email=owner.email, verified=owner.verified, primary=owner.primary)


def verification_link(raw_token: str) -> str:
    return f"{get_settings().site_url.rstrip('/')}/verify-email.html?{urlencode({'token': raw_token})}"


def new_verification(learner_id: str, email: str) -> tuple[str, Token]:
    return tokens.new_token(tokens.VERIFY_EMAIL, learner_id, email, timedelta(hours=get_settings().verify_email_hours))


def send_verification(first_name: str, email: str, raw_token: str) -> None:
    mail.send(
        email,
        "verify_email",
        {
            "first_name": first_name,
            "email": email,
            "link": verification_link(raw_token),
            "hours": get_settings().verify_email_hours,
        },
    )


def _owned(learner_id: str, email_text: str) -> EmailOwner:
    try:
        owner = EmailOwner.get(normalize_email(email_text))
    except (EmailOwner.DoesNotExist, InvalidInput):
        owner = None
    if owner is None or owner.learner_id != learner_id:
        raise NotFound("NOT_FOUND", "That email is not on your account.")
    return owner


def verify(raw_token: str) -> tuple[str, str]:
    """Spend a verification token: its email is now proven the learner's.

    Returns (learner id, the email confirmed).
    """
    token = tokens.redeemable(raw_token, tokens.VERIFY_EMAIL)
    try:
        owner = EmailOwner.get(token.email, consistent_read=True)
    except EmailOwner.DoesNotExist:
        raise tokens.invalid() from None
    if owner.learner_id != token.learner_id:
        raise tokens.invalid()
    now = clock.now()
    learner_actions: list[Action] = [Learner.verified_emails.add({token.email}), Learner.updated_at.set(now)]
    if owner.primary:
        learner_actions.append(Learner.email_verified.set(True))

    def build(tx: TransactWrite) -> None:
        tokens.spend(tx, token)
        tx.update(
            owner,
            actions=[EmailOwner.verified.set(True), EmailOwner.verified_at.set(now)],
            condition=EmailOwner.learner_id == token.learner_id,
        )
        tx.update(Learner(token.learner_id), actions=learner_actions, condition=Learner.learner_id.exists())

    try:
        retry.transact(build, "email verify")
    except TransactWriteError as exc:
        if retry.DECISION not in retry.reason_codes(exc):
            raise
        raise tokens.invalid() from exc
    logger.info("email verified", extra={"learner_id": token.learner_id})
    return token.learner_id, token.email


def resend(learner_id: str, email_text: str | None) -> EmailEntry:
    """Send a new verification link to one of the learner's unverified emails (default: primary)."""
    settings = get_settings()
    learner = sessions.learner_of(learner_id)
    owner = _owned(learner_id, email_text or learner.email)
    if owner.verified:
        return entry(owner)
    throttle.hit(throttle.Scope("verify-send:learner", learner_id, settings.verify_sends_per_learner))
    raw, token = new_verification(learner_id, owner.email)
    token.save()
    try:
        send_verification(learner.first_name, owner.email, raw)
    except ServiceUnavailable:
        token.delete()
        raise
    return entry(owner)


def list_emails(learner_id: str) -> list[EmailEntry]:
    owners = sorted(EmailOwner.by_learner.query(learner_id), key=lambda o: (not o.primary, o.added_at))
    return [entry(owner) for owner in owners]


def add(learner_id: str, email_text: str) -> tuple[EmailEntry, bool]:
    """Reserve another email for the learner and send its verification link.

    Returns the entry and whether it was newly added (an email already on the account is
    returned as it is). 409 EMAIL_TAKEN when another account owns it.
    """
    settings = get_settings()
    email = normalize_email(email_text)
    learner = sessions.learner_of(learner_id)
    throttle.hit(throttle.Scope("verify-send:learner", learner_id, settings.verify_sends_per_learner))
    if sum(1 for _ in EmailOwner.by_learner.query(learner_id)) >= settings.max_emails_per_learner:
        raise InvalidInput(
            "TOO_MANY_EMAILS",
            f"An account can hold {settings.max_emails_per_learner} emails. Remove one you no longer use first.",
            [{"field": "email", "message": "This account already holds the most emails it can."}],
        )
    owner = EmailOwner(email, learner_id=learner_id, verified=False, primary=False, added_at=clock.now())
    raw, token = new_verification(learner_id, email)

    def build(tx: TransactWrite) -> None:
        tx.save(owner, condition=EmailOwner.email.does_not_exist())
        tx.save(token)

    def undo(tx: TransactWrite) -> None:
        tx.delete(owner)
        tx.delete(token)

    try:
        retry.transact(build, "email add")
    except TransactWriteError as exc:
        if retry.DECISION not in retry.reason_codes(exc):
            raise
        existing = EmailOwner.get(email, consistent_read=True)
        if existing.learner_id == learner_id:
            return entry(existing), False
        raise Conflict(
            "EMAIL_TAKEN",
            "Another account already uses this email. If it is yours too, sign in there and remove it.",
            [{"field": "email", "message": "Another account already uses this email."}],
        ) from exc
    try:
        send_verification(learner.first_name, email, raw)
    except ServiceUnavailable:
        retry.transact(undo, "email add undo")
        raise
    logger.info("email added", extra={"learner_id": learner_id})
    return entry(owner), True


def remove(learner_id: str, email_text: str) -> None:
    owner = _owned(learner_id, email_text)
    if owner.primary:
        raise InvalidInput(
            "PRIMARY_EMAIL",
            "This is the email you sign in with. Make another verified email primary first.",
            [{"field": "email", "message": "This is the email you sign in with."}],
        )

    def build(tx: TransactWrite) -> None:
        tx.delete(owner, condition=(EmailOwner.learner_id == learner_id) & (EmailOwner.primary == False))  # noqa: E712
        tx.update(
            Learner(learner_id),
            actions=[Learner.verified_emails.delete({owner.email})],
            condition=Learner.learner_id.exists(),
        )

    try:
        retry.transact(build, "email remove")
    except TransactWriteError as exc:
        if retry.DECISION not in retry.reason_codes(exc):
            raise
        raise Conflict("EMAIL_CHANGED", "That email changed meanwhile; reload and try again.") from exc


def make_primary(learner_id: str, email_text: str) -> str:
    """Make a verified email the one the learner signs in with. Returns the learner id."""
    owner = _owned(learner_id, email_text)
    if not owner.verified:
        raise InvalidInput(
            "EMAIL_NOT_VERIFIED",
            "Confirm this email from the link we sent to it before making it your primary email.",
            [{"field": "email", "message": "This email is not confirmed yet."}],
        )
    learner = sessions.learner_of(learner_id)
    if learner.email == owner.email:
        return learner_id
    now = clock.now()

    def build(tx: TransactWrite) -> None:
        tx.update(
            EmailOwner(learner.email),
            actions=[EmailOwner.primary.set(False)],
            condition=EmailOwner.learner_id == learner_id,
        )
        tx.update(
            owner,
            actions=[EmailOwner.primary.set(True)],
            condition=(EmailOwner.learner_id == learner_id) & (EmailOwner.verified == True),  # noqa: E712
        )
        tx.update(
            learner,
            actions=[Learner.email.set(owner.email), Learner.email_verified.set(True), Learner.updated_at.set(now)],
            condition=Learner.email == learner.email,
        )

    try:
        retry.transact(build, "primary email")
    except TransactWriteError as exc:
        if retry.DECISION not in retry.reason_codes(exc):
            raise
        raise Conflict("EMAIL_CHANGED", "Your emails changed meanwhile; reload and try again.") from exc
    logger.info("primary email changed", extra={"learner_id": learner_id})
    return learner_id
