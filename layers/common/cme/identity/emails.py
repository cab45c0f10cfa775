"""Email ownership: verification links, holds, and every email a learner uses.

An email belongs to one learner through its EmailOwner item (written with a condition). It
counts as the learner's for attendance only once ``verified``: proven by a single-use link
sent to it and redeemed in a session of the account that asked for it (the link alone proves
the mailbox, the session proves the account: a colleague who clicks a link they did not ask
for confirms nothing). Attendance is found by email at read time, so verifying an email makes
all attendance recorded under it the learner's at once; nothing needs copying.

Until it is verified an EmailOwner item is only a hold
(docs/api.md "Email confirmation needs the account that asked for it"):
Create Account with that address takes it over at once, and once it is ``verify_email_hours`` old anyone may take it
(Create Account or adding it). An address the office imported (``imported_from``: cme.credit.imports)
is no hold, confirmed or not: it is the office's word that the address is that learner's, so it
never lapses and nobody takes it over (Create Account answers as for any account: Forgot
Password, whose reset confirms it). Taking a hold is one transaction keyed on the EmailOwner item
(the lock): the new item is written only if the hold is still the very item read. When the
hold was the primary email of its account, that account either goes on with one of its
confirmed emails as primary, or, having no confirmed email at all (so no attendance and no
claims), is closed: its learner item is deleted in the same transaction, so every link and
session of it stops working (each token's transaction and each route reads the learner).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from pynamodb.constants import ALL_OLD
from pynamodb.exceptions import DeleteError, TransactWriteError
from pynamodb.expressions.condition import Condition, size
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from cme.identity import deliverability, sessions, tokens
from cme.platform import clock, mail, retry, throttle
from cme.platform.errors import BadToken, Conflict, InvalidInput, NotFound, ServiceUnavailable
from cme.platform.models import EmailOwner, Learner, Token
from cme.platform.normalize import mask_email, normalize_email
from cme.platform.observability import logger
from cme.platform.schemas import EmailEntryReply as EmailEntry
from cme.platform.settings import get_settings

#: attempts at taking an address when what holds it changes meanwhile
TAKE_ATTEMPTS = 3


def entry(owner: EmailOwner) -> EmailEntry:
    return EmailEntry(
        email=owner.email, verified=owner.verified, primary=owner.primary, undeliverable=deliverability.of(owner)
    )


def verification_link(raw_token: str) -> str:
    return f"{get_settings().site_url.rstrip('/')}/verify-email.html?{urlencode({'token': raw_token})}"


def new_verification(learner_id: str, email: str) -> tuple[str, Token]:
    return tokens.new_token(tokens.VERIFY_EMAIL, learner_id, email, timedelta(hours=get_settings().verify_email_hours))


# A mail to an address nobody has confirmed names the account in at most this many characters:
# enough to recognise it, too little to carry a message (issue 22, 4: names stored before the
# no-address rule too).
UNCONFIRMED_NAME_CHARS = 60


def account_name(learner: Learner) -> str:
    return " ".join(part for part in (learner.first_name, learner.last_name) if part)


def short_name(name: str, limit: int = UNCONFIRMED_NAME_CHARS) -> str:
    """``name`` cut to at most ``limit`` characters, at a word when one ends in the second half."""
    if len(name) <= limit:
        return name
    cut = name[:limit]
    space = cut.rfind(" ", limit // 2)
    return (cut[:space] if space > 0 else cut).rstrip()


def send_verification(learner: Learner, email: str, raw_token: str) -> None:
    """The link to confirm ``email``, naming the account it would join (name, masked primary
    email): whoever receives it can tell whether that account is theirs."""
    mail.send(
        email,
        "verify_email",
        {
            "email": email,
            "account_name": short_name(account_name(learner)),
            "account_email": mask_email(learner.email),
            "link": verification_link(raw_token),
            "hours": get_settings().verify_email_hours,
        },
    )


PRIMARY_UNCONFIRMED = (
    "Confirm your primary email first, from the link we sent to it (or replace it if it has a typo). "
    "Until then no other email or phone can be added to or confirmed on this account."
)


def owner_proven(learner: Learner) -> bool:
    """Whether the account's owner has proven its primary inbox
    (docs/api.md "An account made before its owner"). Until then whoever set the account up may
    not be its owner: nothing else that identifies him (another email, a phone) may be added to
    or confirmed on it."""
    return bool(learner.email_verified)


def primary_unconfirmed() -> Conflict:
    return Conflict("PRIMARY_UNCONFIRMED", PRIMARY_UNCONFIRMED)


def require_owner_proven(learner: Learner) -> None:
    """409 PRIMARY_UNCONFIRMED unless :func:`owner_proven` (e.g. before confirming a phone)."""
    if not owner_proven(learner):
        raise primary_unconfirmed()


def _owned(learner_id: str, email_text: str) -> EmailOwner:
    try:
        owner = EmailOwner.get(normalize_email(email_text))
    except (EmailOwner.DoesNotExist, InvalidInput):
        owner = None
    if owner is None or owner.learner_id != learner_id:
        raise NotFound("NOT_FOUND", "That email is not on your account.")
    return owner


def current_owner(email: str) -> EmailOwner | None:
    """The EmailOwner item of ``email`` as it is now (a consistent read), or None."""
    try:
        return EmailOwner.get(email, consistent_read=True)
    except EmailOwner.DoesNotExist:
        return None


def lapsed(owner: EmailOwner) -> bool:
    """An unconfirmed address whose hold is over: anyone may take it (never one the office imported)."""
    hours = get_settings().verify_email_hours
    return not owner.verified and not imported(owner) and owner.added_at + timedelta(hours=hours) <= clock.now()


def imported(owner: EmailOwner) -> bool:
    """The office imported the address from the portal it left: the learner's, not a hold."""
    return owner.imported_from is not None


def issued_for(token: Token, owner: EmailOwner) -> bool:
    """Whether a link was issued for this very EmailOwner item: by its learner, at or after it
    was written (a removed and re-added address, or one another account took, is a new item)."""
    return owner.learner_id == token.learner_id and token.created_at >= owner.added_at


def _email_taken() -> Conflict:
    """409 EMAIL_TAKEN: the address is another account's (adding it, or making it the primary)."""
    return Conflict(
        "EMAIL_TAKEN",
        "Another account already uses this email. If it is yours too, sign in there and remove it.",
        [{"field": "email", "message": "Another account already uses this email."}],
    )


def same_item(owner: EmailOwner) -> Condition:
    """The condition that the EmailOwner item is still the one read."""
    return (EmailOwner.learner_id == owner.learner_id) & (EmailOwner.added_at == owner.added_at)


class AddressTaken(Exception):
    """The address is confirmed by, or held for, an account (``current``; None when it changed
    hands during the attempt)."""

    def __init__(self, current: EmailOwner | None) -> None:
        super().__init__("address taken")
        self.current = current


@dataclass
class Takeover:
    """How a new EmailOwner item replaces what holds its address now: nothing, or a hold."""

    current: EmailOwner | None = None
    displaced: Learner | None = None  # the account whose primary email the hold was
    promote: str | None = None  # ... which goes on with this confirmed email as its primary
    close: bool = False  # ... or, with no confirmed email at all, is closed
    ended_sessions: int = field(default=0)

    @classmethod
    def plan(cls, current: EmailOwner | None) -> Takeover:
        if current is None or not current.primary:
            return cls(current)
        try:
            learner = Learner.get(current.learner_id, consistent_read=True)
        except Learner.DoesNotExist:
            return cls(current)
        if learner.email != current.email:
            return cls(current)
        confirmed = sorted(set(learner.verified_emails or ()) - {current.email})
        if confirmed:
            return cls(current, displaced=learner, promote=confirmed[0])
        return cls(current, displaced=learner, close=True)

    def write(self, tx: TransactWrite, owner: EmailOwner) -> None:
        """The transaction's first item is always the new owner item (callers read reason 0)."""
        current = self.current
        if current is None:
            tx.save(owner, condition=EmailOwner.email.does_not_exist(), return_values=ALL_OLD)
            return
        a_hold = (EmailOwner.verified == False) & EmailOwner.imported_from.does_not_exist()  # noqa: E712
        condition = same_item(current) & a_hold
        tx.save(owner, condition=condition, return_values=ALL_OLD)
        if self.displaced is None:
            return
        learner_id = self.displaced.learner_id
        if self.promote is not None:
            tx.update(
                EmailOwner(self.promote),
                actions=[EmailOwner.primary.set(True)],
                condition=(EmailOwner.learner_id == learner_id) & (EmailOwner.verified == True),  # noqa: E712
            )
            tx.update(
                Learner(learner_id),
                actions=[
                    Learner.email.set(self.promote),
                    Learner.email_verified.set(True),
                    Learner.updated_at.set(clock.now()),
                ],
                condition=(Learner.email == current.email) & Learner.verified_emails.contains(self.promote),
            )
        elif self.close:
            tx.delete(
                Learner(learner_id),
                condition=(Learner.email == current.email) & Learner.verified_emails.does_not_exist(),
            )

    def finish(self) -> None:
        """After the commit: end the closed account's sessions and drop its other holds.

        The account is already closed exactly (its learner item is gone, which every token
        and every route checks); this only clears what it left behind."""
        if self.displaced is None:
            return
        learner_id = self.displaced.learner_id
        if self.promote is not None:
            logger.info("primary email taken over; a confirmed email is primary now", extra={"learner_id": learner_id})
            return
        try:
            self.ended_sessions = sessions.revoke_all(learner_id)
            for other in EmailOwner.by_learner.query(learner_id):
                if other.learner_id != learner_id or other.verified:
                    continue
                with contextlib.suppress(DeleteError):  # taken or changed meanwhile: not its own any more
                    other.delete(condition=same_item(other) & (EmailOwner.verified == False))  # noqa: E712
        except Exception:  # the closing is done; what it left behind lapses and ends on its own
            logger.warning("closed account not fully cleared", extra={"learner_id": learner_id}, exc_info=True)
        logger.info(
            "account closed: its only email was taken over before it was confirmed",
            extra={"learner_id": learner_id, "sessions_ended": self.ended_sessions},
        )


def take(
    owner: EmailOwner,
    also: list[Model],
    what: str,
    *,
    over_any_hold: bool,
    extra: Callable[[TransactWrite], None] | None = None,
) -> Takeover:
    """Write ``owner`` (and the ``also`` items, saved) in one transaction, over nothing or
    over a hold. ``over_any_hold``: Create Account wins over every hold; adding an email wins
    only over a lapsed one.

    The first attempt takes the address as free (one transaction, no read); when it is not,
    the cancelled transaction hands back the item that holds it (ALL_OLD), and the decision is
    made on that exact item. Raises AddressTaken when the address is confirmed, imported by the
    office, already this learner's, held, or was written after this request began (a racing
    request: it won).
    """
    current: EmailOwner | None = None
    for _ in range(TAKE_ATTEMPTS):
        plan = Takeover.plan(current)

        def build(tx: TransactWrite, plan: Takeover = plan) -> None:
            plan.write(tx, owner)
            for item in also:
                tx.save(item)
            if extra is not None:  # more of the caller's writes, after these
                extra(tx)

        try:
            retry.transact(build, what)
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            if retry.DECISION not in retry.reason_codes(exc):
                raise
            first = reasons[0] if reasons else None
            if first is None or first.code != retry.DECISION:
                continue  # the displaced account changed meanwhile: decide again
            found = EmailOwner.from_raw_data(first.raw_item) if first.raw_item else None
            if found is not None and (
                found.verified
                or imported(found)
                or found.learner_id == owner.learner_id
                or not (over_any_hold or lapsed(found))
                or found.added_at >= owner.added_at
            ):
                raise AddressTaken(found) from exc
            current = found  # a hold (None: gone meanwhile): decide on it
            continue
        plan.finish()
        return plan
    raise AddressTaken(None)


def other_account() -> BadToken:
    return BadToken(
        "TOKEN_INVALID",
        "This link confirms an email for another account. Sign out, then sign in to the account "
        "the email names, and open the link again.",
    )


def verify(raw_token: str, learner_id: str) -> tuple[str, str]:
    """Spend a verification token in a session of the account that asked for it: its email
    is now proven the learner's. Another account's token is TOKEN_INVALID and stays unspent.

    Returns (learner id, the email confirmed).
    """
    token = tokens.redeemable(raw_token, tokens.VERIFY_EMAIL)
    if token.learner_id != learner_id:
        logger.info("verification refused: another account's link", extra={"learner_id": learner_id})
        raise other_account()
    owner = current_owner(token.email)
    if owner is None or not issued_for(token, owner):
        raise tokens.invalid()  # removed, or taken by another account, since the link was sent
    now = clock.now()
    learner_actions: list[Action] = [Learner.verified_emails.add({token.email}), Learner.updated_at.set(now)]
    learner_condition = Learner.learner_id.exists()
    if owner.primary:
        learner_actions.append(Learner.email_verified.set(True))
    else:  # another email only once the owner has proven the primary inbox (owner_proven), exactly
        learner_condition &= Learner.email_verified == True  # noqa: E712

    def build(tx: TransactWrite) -> None:
        tokens.spend(tx, token)
        tx.update(
            owner,
            actions=[EmailOwner.verified.set(True), EmailOwner.verified_at.set(EmailOwner.verified_at | now)],
            condition=same_item(owner),
        )
        tx.update(Learner(learner_id), actions=learner_actions, condition=learner_condition)

    try:
        retry.transact(build, "email verify")
    except TransactWriteError as exc:
        reasons = retry.reasons_by_item(exc)
        if retry.DECISION not in reasons:
            raise
        if reasons[2:] == [retry.DECISION]:  # the learner's condition: gone, or its primary unconfirmed
            try:
                learner: Learner | None = Learner.get(learner_id, consistent_read=True)
            except Learner.DoesNotExist:
                learner = None  # the account is gone: the link is no good
            if learner is not None and not owner_proven(learner):
                raise primary_unconfirmed() from exc
        raise tokens.invalid() from exc
    logger.info("email verified", extra={"learner_id": learner_id})
    return learner_id, token.email


def resend(learner_id: str, email_text: str | None) -> EmailEntry:
    """Send a new verification link to one of the learner's unverified emails (default: primary).

    An email SES reported undeliverable (cme.identity.deliverability) is tried again: an unverified one
    gets its verification link, a verified one a short note that it works again (its ownership
    is not in doubt, only its mailbox: confirming it again would hide its attendance meanwhile).
    Once SES has taken that email the mark is cleared; should it bounce again, SES's report
    marks it again."""
    settings = get_settings()
    learner = sessions.learner_of(learner_id)
    owner = _owned(learner_id, email_text or learner.email)
    marked = deliverability.of(owner) is not None
    if owner.verified and not marked:
        return entry(owner)
    throttle.hit(throttle.Scope("verify-send:learner", learner_id, settings.verify_sends_per_learner))
    since = clock.now()
    if owner.verified:
        link = f"{settings.site_url.rstrip('/')}/portal.html"
        mail.send(owner.email, "mail_check", {"email": owner.email, "link": link})
    else:
        raw, token = new_verification(learner_id, owner.email)
        token.save()
        try:
            send_verification(learner, owner.email, raw)
        except ServiceUnavailable:
            token.delete()
            raise
    if marked:
        owner = deliverability.clear(owner, since)
        logger.info("undeliverable email tried again", extra={"learner_id": learner_id})
    return entry(owner)


def list_emails(learner_id: str) -> list[EmailEntry]:
    owners = sorted(EmailOwner.by_learner.query(learner_id), key=lambda o: (not o.primary, o.added_at))
    return [entry(owner) for owner in owners]


def add(learner_id: str, email_text: str) -> tuple[EmailEntry, bool]:
    """Reserve another email for the learner and send its verification link.

    Returns the entry and whether it was newly added (an email already on the account is
    returned as it is). 409 EMAIL_TAKEN when another account has confirmed it or holds it
    (a hold lapses after ``verify_email_hours``; a lapsed one is taken over).
    """
    settings = get_settings()
    email = normalize_email(email_text)
    learner = sessions.learner_of(learner_id)
    require_owner_proven(learner)  # the primary email first: to replace it, replace_primary
    throttle.hit(throttle.Scope("verify-send:learner", learner_id, settings.verify_sends_per_learner))
    if sum(1 for _ in EmailOwner.by_learner.query(learner_id)) >= settings.max_emails_per_learner:
        raise InvalidInput(
            "TOO_MANY_EMAILS",
            f"An account can hold {settings.max_emails_per_learner} emails. Remove one you no longer use first.",
            [{"field": "email", "message": "This account already holds the most emails it can."}],
        )
    owner = EmailOwner(email, learner_id=learner_id, verified=False, primary=False, added_at=clock.now())
    raw, token = new_verification(learner_id, email)
    try:
        take(owner, [token], "email add", over_any_hold=False)
    except AddressTaken as taken:
        if taken.current is not None and taken.current.learner_id == learner_id:
            return entry(taken.current), False
        raise _email_taken() from None

    def undo(tx: TransactWrite) -> None:
        tx.delete(owner, condition=same_item(owner))
        tx.delete(token)

    try:
        send_verification(learner, email, raw)
    except ServiceUnavailable:
        retry.transact(undo, "email add undo")
        raise
    logger.info("email added", extra={"learner_id": learner_id})
    return entry(owner), True


def replace_primary(learner_id: str, email_text: str) -> EmailEntry:
    """Replace the account's unconfirmed primary email (a typo must not strand the learner):
    the new address becomes the primary, unconfirmed, and gets its link; the old one leaves the
    account (its links stop working). Once the primary is confirmed, 422
    EMAIL_CHANGE_NEEDS_VERIFICATION: other emails are added under My emails."""
    settings = get_settings()
    email = normalize_email(email_text)
    learner = sessions.learner_of(learner_id)
    if owner_proven(learner):
        raise InvalidInput(
            "EMAIL_CHANGE_NEEDS_VERIFICATION",
            "To change your email, add the new one under My emails and confirm it from your inbox.",
            [{"field": "email", "message": "Change your email under My emails."}],
        )
    old = current_owner(learner.email)
    if old is None or old.learner_id != learner_id:
        raise Conflict("EMAIL_CHANGED", "Your emails changed meanwhile; reload and try again.")
    if email == learner.email:
        return entry(old)
    throttle.hit(throttle.Scope("verify-send:learner", learner_id, settings.verify_sends_per_learner))
    now = clock.now()
    owner = EmailOwner(email, learner_id=learner_id, verified=False, primary=True, added_at=now)
    raw, token = new_verification(learner_id, email)
    unconfirmed = (Learner.email == learner.email) & (Learner.email_verified == False)  # noqa: E712

    def swap(tx: TransactWrite) -> None:
        tx.delete(old, condition=same_item(old) & (EmailOwner.verified == False))  # noqa: E712
        tx.update(
            Learner(learner_id), actions=[Learner.email.set(email), Learner.updated_at.set(now)], condition=unconfirmed
        )

    try:
        take(owner, [token], "primary replace", over_any_hold=False, extra=swap)
    except AddressTaken as taken:
        if taken.current is None or taken.current.learner_id == learner_id:
            raise Conflict("EMAIL_CHANGED", "Your emails changed meanwhile; reload and try again.") from None
        raise _email_taken() from None

    def undo(tx: TransactWrite) -> None:
        tx.delete(owner, condition=same_item(owner))
        tx.delete(token)
        tx.save(old, condition=EmailOwner.email.does_not_exist())
        tx.update(Learner(learner_id), actions=[Learner.email.set(old.email)], condition=Learner.email == email)

    learner.email = email
    try:
        send_verification(learner, email, raw)
    except ServiceUnavailable:
        retry.transact(undo, "primary replace undo")
        raise
    logger.info("unconfirmed primary email replaced", extra={"learner_id": learner_id})
    return entry(owner)


def remove(learner_id: str, email_text: str) -> None:
    """Remove one of the learner's emails other than the primary one.

    While the primary email is unconfirmed, the last confirmed email stays: an account with
    no confirmed email is one whose primary address anyone may take over (and close), which
    must never happen to an account that has had attendance and claims.
    """
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
            actions=[Learner.verified_emails.delete({owner.email}), Learner.updated_at.set(clock.now())],
            condition=Learner.learner_id.exists()
            & (
                (Learner.email_verified == True)  # noqa: E712
                | ~Learner.verified_emails.contains(owner.email)
                | (size(Learner.verified_emails) > 1)
            ),
        )

    try:
        retry.transact(build, "email remove")
    except TransactWriteError as exc:
        reasons = retry.reasons_by_item(exc)
        if retry.DECISION not in reasons:
            raise
        if reasons[0] != retry.DECISION:
            sessions.learner_of(learner_id)  # 401 when the account is gone
            raise InvalidInput(
                "LAST_CONFIRMED_EMAIL",
                "This is the only confirmed email on your account. Confirm your primary email, "
                "or make this one primary, before removing it.",
                [{"field": "email", "message": "This is your only confirmed email."}],
            ) from exc
        raise Conflict("EMAIL_CHANGED", "That email changed meanwhile; reload and try again.") from exc


def drop_others(learner_id: str, primary: str) -> list[str]:
    """Remove every email of the learner but ``primary`` (the owner moved in: cme.identity.recovery),
    confirmed or not, and but those the office imported (its word, not the maker's); returns
    them. Each goes with its entry in ``verified_emails``, exactly (the item only while it is
    still the one read, and still not imported)."""
    removed = []
    for other in EmailOwner.by_learner.query(learner_id):
        if other.learner_id != learner_id or other.email == primary or imported(other):
            continue

        def build(tx: TransactWrite, other: EmailOwner = other) -> None:
            tx.delete(
                other,
                condition=same_item(other)
                & (EmailOwner.primary == False)  # noqa: E712
                & EmailOwner.imported_from.does_not_exist(),
            )
            tx.update(
                Learner(learner_id),
                actions=[Learner.verified_emails.delete({other.email}), Learner.updated_at.set(clock.now())],
                condition=Learner.learner_id.exists(),
            )

        try:
            retry.transact(build, "email drop")
        except TransactWriteError as exc:
            if retry.DECISION not in retry.reason_codes(exc):
                raise
            continue  # changed hands or gone meanwhile: no longer this account's
        removed.append(other.email)
    return sorted(removed)


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
