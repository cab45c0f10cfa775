"""Forgot password: a single-use link by email, valid one hour, that sets a new password, ends
every session of the learner and tells every confirmed email (cme.identity.password_change).

A link goes to an address only when it is an account's confirmed email, or that account's own
unconfirmed primary email (redeeming it then confirms the email: the click proves the
mailbox). A reset spends every reset link of the learner issued before it: the reset's
transaction sets ``password_changed_at`` on the learner item and holds each later reset to a
link issued after it (exact: one item, no index).

An imported account (cme.credit.imports: ``password_hash`` UNSET) is reached the same way: a
reset link to an email the office imported, or the office's invitation (cme.identity.invitations:
a token of purpose ``invite``, valid 14 days, redeemed by the same route with the same single
use). Either sets the password and confirms the email. Everything on such an account is the
office's (nobody could sign in to it), so its owner moving in keeps the emails the office
imported and the phone."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timedelta
from urllib.parse import urlencode

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from cme.identity import accounts, deliverability, emails, password_change, passwords, sessions, tokens
from cme.platform import audit, clock, mail, retry, throttle
from cme.platform.errors import InvalidInput, ServiceUnavailable
from cme.platform.models import EmailOwner, Learner, Token
from cme.platform.normalize import normalize_email
from cme.platform.observability import logger
from cme.platform.settings import get_settings

RESET_REQUESTED = (
    "If an account uses that email, we have sent it a link to choose a new password. "
    "The link works once, within 1 hour. Check your spam folder if it does not arrive."
)


#: The learner id a reset request for no account reads and writes its decoy token under (no
#: learner has it: ids are UUIDs), so the request does the same AWS calls as a real one.
NO_LEARNER = "-"


def request_reset(email_text: str, client: str) -> str:
    """Email a reset link when the email belongs to an account; the answer is the same either way.

    So is the work (docs/architecture.md "Security in brief"): for an unknown email, or one that
    may not reset (an unproven secondary address), the request does the same AWS calls in the
    same order: it reads the email's item and a learner (NO_LEARNER), writes a token nobody
    can use (its raw value is dropped; its learner does not exist) and sends the same email to
    SES's mailbox simulator (cme.platform.mail.NOWHERE), which accepts it and delivers nothing.
    """
    settings = get_settings()
    email = normalize_email(email_text)
    throttle.hit(
        throttle.Scope("reset:email", email, settings.reset_per_email),
        throttle.Scope("reset:client", client, settings.reset_per_client),
    )
    learner = owner = None
    with suppress(EmailOwner.DoesNotExist):
        owner = EmailOwner.get(email)
    with suppress(Learner.DoesNotExist):
        learner = Learner.get(owner.learner_id if owner else NO_LEARNER)
    # a hold (an unproven secondary email) cannot take over the account
    real = False
    to, learner_id, first_name = mail.NOWHERE, NO_LEARNER, "there"
    if owner is not None and learner is not None and may_reset(owner, learner):
        deliverability.refuse_if_marked(owner)  # 409: the link would never arrive
        real, to, learner_id, first_name = True, email, learner.learner_id, learner.first_name
    minutes = settings.password_reset_minutes
    raw, token = tokens.new_token(tokens.RESET_PASSWORD, learner_id, to, timedelta(minutes=minutes))
    token.save()
    try:
        mail.send(to, "reset_password", {"first_name": first_name, "link": reset_link(raw), "minutes": minutes})
    except ServiceUnavailable:
        token.delete()
        raise
    if real:
        logger.info("password reset sent", extra={"learner_id": learner_id})
    return RESET_REQUESTED


def may_reset(owner: EmailOwner, learner: Learner) -> bool:
    """Whether a reset link may go to ``owner``'s address: an account's confirmed email, an email
    the office imported (its word, not a hold), or the account's own unconfirmed primary."""
    return owner.verified or emails.imported(owner) or (owner.primary and learner.email == owner.email)


def reset_link(raw_token: str, welcome: bool = False) -> str:
    """The page that sets a password with a reset link's token, or (``welcome``: the page words it
    as a first password) an invitation's."""
    query = {"token": raw_token, **({"welcome": "1"} if welcome else {})}
    return f"{get_settings().site_url.rstrip('/')}/reset-password.html?{urlencode(query)}"


def office_made(learner: Learner) -> bool:
    """An account the office imported that nobody has signed in to yet (no password): all on it
    is the office's."""
    return learner.imported_from is not None and learner.password_hash == passwords.UNSET


def _after_last_reset(token: Token, learner: Learner) -> bool:
    """Whether the reset link was issued after the learner's last password reset."""
    return learner.password_changed_at is None or learner.password_changed_at < token.created_at


def _valid_reset(raw_token: str) -> tuple[Token, Learner, EmailOwner]:
    """The reset link's (or an invitation's) token, learner and email item, or TOKEN_INVALID
    (used, expired, superseded)."""
    token = tokens.redeemable(raw_token, tokens.RESET_PASSWORD, tokens.INVITE)
    try:
        learner = Learner.get(token.learner_id, consistent_read=True)
        owner = EmailOwner.get(token.email, consistent_read=True)
    except (Learner.DoesNotExist, EmailOwner.DoesNotExist):
        raise tokens.invalid() from None  # the account was closed, or the address removed
    if not emails.issued_for(token, owner) or not _after_last_reset(token, learner):
        raise tokens.invalid()  # the address changed hands, or a later link was already used
    return token, learner, owner


def check_reset(raw_token: str) -> None:
    """Whether a reset link still works, without spending it: the page says so before asking for a password."""
    _valid_reset(raw_token)


def reset_password(raw_token: str, password: str, client: tuple[str, str] = ("", "")) -> None:
    """Set the new password with the token (spent in the same transaction), then end all sessions."""
    token, learner, owner = _valid_reset(raw_token)
    passwords.check_password(password, [learner.email.partition("@")[0], learner.first_name, learner.last_name])
    if passwords.verify_password(learner.password_hash, password):
        raise InvalidInput(
            "PASSWORD_REUSED",
            "Choose a password different from the one you had.",
            [{"field": "password", "message": "This is the password you had; choose a new one."}],
        )
    new_hash = passwords.hash_password(password)
    now = clock.now()
    actions: list[Action] = [
        Learner.password_hash.set(new_hash),
        Learner.updated_at.set(now),
        Learner.password_changed_at.set(now),
        Learner.verified_emails.add({owner.email}),  # the link reached this mailbox: it is proven
    ]
    moves_in = owner.primary and not emails.owner_proven(learner)
    # the office imported the account and nobody signed in to it since: its phone is the office's
    by_office = office_made(learner)
    if owner.primary:
        actions.append(Learner.email_verified.set(True))
    if moves_in:  # devices (none can be known) and sessions (none) of whoever set it up stop working
        actions.append(Learner.devices_valid_after.set(now))
    if moves_in and not by_office:  # the owner moves in: whatever the maker set up stops working (owner_moved_in)
        actions += [
            Learner.phone_e164.remove(),
            # a phone the maker confirmed stops identifying texts too (cme.identity.phones)
            Learner.confirmed_phone.remove(),
            Learner.phone_code_hash.remove(),
            Learner.phone_code_to.remove(),
            Learner.phone_code_expires.remove(),
            Learner.phone_code_tries.remove(),
            Learner.notices.add({accounts.OWNER_MOVED_IN}),
        ]
    # the account as read: an invitation's or reset's token for an account still unset sets its
    # first password only while it is unset (a racing first reset wins alone)
    unchanged = Learner.password_hash == passwords.UNSET if by_office else Learner.learner_id.exists()

    def build(tx: TransactWrite) -> None:
        tokens.spend(tx, token)
        tx.update(
            learner,
            actions=actions,
            condition=Learner.learner_id.exists()
            & unchanged
            & (Learner.password_changed_at.does_not_exist() | (Learner.password_changed_at < token.created_at)),
        )
        tx.update(
            owner,
            actions=[EmailOwner.verified.set(True), EmailOwner.verified_at.set(EmailOwner.verified_at | now)],
            condition=emails.same_item(owner),
        )

    try:
        retry.transact(build, "password reset")
    except TransactWriteError as exc:
        if retry.DECISION not in retry.reason_codes(exc):
            raise
        raise tokens.invalid() from exc
    ended = sessions.revoke_all(learner.learner_id)
    if moves_in:
        owner_moved_in(learner, ended, now, client, phone_kept=by_office)
    throttle.clear_sign_in_failures({learner.email, *learner.verified_emails})  # sign in at once, from anywhere
    logger.info("password reset", extra={"learner_id": learner.learner_id, "sessions_ended": ended})
    # every confirmed email is told, the one the link just proved too; when the owner moved in,
    # that one alone (the others were the maker's and are gone)
    password_change.notify_changed(learner, now, also=[owner.email], only=moves_in)


def owner_moved_in(
    learner: Learner, sessions_ended: int, at: datetime, client: tuple[str, str], phone_kept: bool = False
) -> None:
    """After a reset confirmed the primary email
    (docs/api.md "An account made before its owner"): drop every other email (whoever set the
    account up added them; not those the office imported), audited with the phone and the
    sessions the reset ended. The phone and device cookies went in the reset's transaction
    (``phone_e164`` removed unless ``phone_kept``: an account the office made; ``devices_valid_after``)."""
    removed = emails.drop_others(learner.learner_id, learner.email)
    record = audit.entry(
        learner.learner_id,
        accounts.OWNER_MOVED_IN,
        learner.learner_id,
        {
            "emails_removed": removed,
            "phone_removed": bool(learner.phone_e164) and not phone_kept,
            "sessions_ended": sessions_ended,
            "device_cookies_before": at.isoformat(),
        },
        *client,
        at,
    )
    retry.call(record.save, "audit")
    logger.info(
        "owner moved in: what the account's maker set up was removed",
        extra={"learner_id": learner.learner_id, "emails_removed": len(removed)},
    )
