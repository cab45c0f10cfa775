"""Change the password while signed in, and the notice every password change sends.

A change needs the current password: a wrong one is 422 PASSWORD_MISMATCH and counts as a
failed sign-in of the account's email from this client (cme.platform.throttle's sign-in
counters, so a stolen session cannot guess the password faster than the sign-in page can). The
new one meets Create Account's rules (cme.identity.passwords.check_password). The change ends
every other session of the learner, keeps this one, and, like a reset, sets
``password_changed_at`` (reset links issued before it stop working).

Known devices' cookies (cme.identity.devices) are kept: one is no credential (a password is
still needed), it only spares the learner's own browsers the per-email lockout of untrusted
clients, under a failure limit of its own.

After a change and after a reset (cme.identity.recovery), every confirmed email of the account
is told (``notify_changed``): when, in the office's time zone, and what to do if it was not them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from pynamodb.exceptions import UpdateError

from cme.identity import deliverability, passwords, sessions
from cme.platform import clock, mail, retry, throttle
from cme.platform.errors import InvalidInput, ServiceUnavailable
from cme.platform.models import Learner
from cme.platform.observability import logger
from cme.platform.settings import get_settings

CURRENT_WRONG = "That is not your current password."


def confirmed_emails(learner: Learner, also: Iterable[str] = ()) -> list[str]:
    """Every confirmed email of the account (and ``also``: an address a reset just proved)."""
    found = set(learner.verified_emails or ()) | set(also)
    if learner.email_verified:
        found.add(learner.email)
    return sorted(found)


def office_time(moment: datetime) -> str:
    """``moment`` as the office reads it: "December 7, 2026 at 2:41 PM EST"."""
    local = moment.astimezone(ZoneInfo(get_settings().office_timezone))
    hour = local.hour % 12 or 12
    return f"{local:%B} {local.day}, {local.year} at {hour}:{local:%M %p %Z}"


def notify_changed(learner: Learner, when: datetime, also: Iterable[str] = (), only: bool = False) -> int:
    """Email "your password was changed" to every confirmed email (with ``only``: to ``also``
    alone, as when the reset that confirmed the primary removed every other email); returns how
    many were sent.

    An address SES reported undeliverable is skipped (one GetItem each: mail to it would bounce
    again). The password is changed already: an email SES refuses is logged (cme.platform.mail)
    and the others are still sent."""
    sent = 0
    for email in sorted(set(also)) if only else confirmed_emails(learner, also):
        if deliverability.undeliverable(email):
            continue
        try:
            mail.send(email, "password_changed", {"first_name": learner.first_name, "when": office_time(when)})
        except ServiceUnavailable:
            continue
        sent += 1
    logger.info("password change notice", extra={"learner_id": learner.learner_id, "sent": sent})
    return sent


def change_password(learner_id: str, cookie: str | None, current: str, new: str, client: str) -> None:
    """Check ``current``, set ``new``, end the learner's other sessions (not ``cookie``'s), tell them."""
    learner = sessions.learner_of(learner_id)
    attempt = throttle.sign_in_attempt(learner.email, client)  # 429 once this email's failures are spent
    if not passwords.verify_password(learner.password_hash, current):
        throttle.record_sign_in_failure(attempt)
        logger.info("password change refused: current password wrong", extra={"learner_id": learner_id})
        raise InvalidInput(
            "PASSWORD_MISMATCH", CURRENT_WRONG, [{"field": "current_password", "message": CURRENT_WRONG}]
        )
    context = [learner.email.partition("@")[0], learner.first_name, learner.last_name]
    passwords.check_password(new, context, "new_password")
    if new == current:
        raise InvalidInput(
            "PASSWORD_REUSED",
            "Choose a password different from the one you have.",
            [{"field": "new_password", "message": "This is your current password; choose a new one."}],
        )
    new_hash = passwords.hash_password(new)
    now = clock.now()
    try:
        retry.call(
            lambda: learner.update(
                actions=[
                    Learner.password_hash.set(new_hash),
                    Learner.password_changed_at.set(now),
                    Learner.updated_at.set(now),
                ],
                # a change or reset that won the race since the read keeps its password
                condition=Learner.password_hash == learner.password_hash,
            ),
            "password change",
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise InvalidInput(
            "PASSWORD_MISMATCH", CURRENT_WRONG, [{"field": "current_password", "message": CURRENT_WRONG}]
        ) from None
    ended = sessions.revoke_all(learner_id, keep=cookie)
    logger.info("password changed", extra={"learner_id": learner_id, "sessions_ended": ended})
    notify_changed(learner, now)
