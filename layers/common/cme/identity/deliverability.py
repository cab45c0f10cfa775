"""Addresses SES reports undeliverable, and no further mail to them.

Every email goes out with the configuration set (cme.platform.mail), whose event destination publishes
SES's bounce and complaint events to an SNS topic; the MailFeedbackFunction reads each one
(``parse``, a pure function) and marks the addresses on their EmailOwner items (``mark``):

- a permanent bounce (``bounceType`` "Permanent": no such mailbox, or a domain that refuses
  the office's mail, such as a DMARC ``p=reject``) or a complaint (the recipient marked the
  email as spam) marks the address: reason ``bounce`` or ``complaint``, and when SES reported
  it;
- a transient or undetermined bounce (a full mailbox, a server down) marks nothing: SES
  itself tried again;
- an address that is on no account is left alone (there is nothing to mark, and its owner is
  not the portal's to track).

SNS delivers at least once, and not in order: a report marks only when it is at least as new
as the mark already there and as the learner's last resend (``deliverable_since``), so a
repeated or a late report changes nothing.

A marked address gets no more mail: a learner waiting for one (a password reset link) is told
so (409 EMAIL_UNDELIVERABLE), the scheduled transcript skips it, and My emails and the
coordinators' attendance list show the mark. The learner's resend (``POST
/api/me/emails/{email}/resend``) tries the address again and, once SES has taken that email,
clears the mark (cme.identity.emails.resend).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from cme.platform import retry
from cme.platform.errors import Conflict, InvalidInput
from cme.platform.models import EmailOwner
from cme.platform.normalize import normalize_email
from cme.platform.observability import logger
from cme.platform.schemas import Undeliverable, UndeliverableReason

UNDELIVERABLE = (
    "Email to this address cannot be delivered (it bounced, or was reported as spam), so we did "
    "not send it. Use another of your emails, or fix the mailbox and then choose Send it again "
    "on My emails."
)

#: a complaint whose recipient said the opposite (RFC 5965 feedback type "not-spam") marks nothing
NOT_SPAM = "not-spam"


@dataclass(frozen=True)
class Feedback:
    """One SES event that makes addresses undeliverable."""

    reason: UndeliverableReason
    at: datetime  # when SES received the bounce or the complaint
    recipients: tuple[str, ...]


def _moment(*values: Any) -> datetime | None:
    for value in values:
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            if moment.tzinfo is not None:
                return moment
    return None


def _addresses(entries: Any) -> tuple[str, ...]:
    if not isinstance(entries, list):
        return ()
    found = [entry.get("emailAddress") for entry in entries if isinstance(entry, dict)]
    return tuple(address for address in found if isinstance(address, str) and address)


def parse(message: str) -> Feedback | None:
    """The addresses an SES event (the JSON of one SNS message) makes undeliverable, or None when
    it makes none undeliverable (a transient bounce, a delivery, another event, not SES's JSON).

    Reads SES event publishing's ``eventType`` and SES notifications' ``notificationType`` alike."""
    try:
        event = json.loads(message)
    except (TypeError, ValueError):
        return None
    if not isinstance(event, dict):
        return None
    kind = event.get("eventType") or event.get("notificationType")
    mail: dict[str, Any] = event["mail"] if isinstance(event.get("mail"), dict) else {}
    if kind == "Bounce":
        bounce = event.get("bounce")
        if not isinstance(bounce, dict) or bounce.get("bounceType") != "Permanent":
            return None
        reason, detail, recipients = UndeliverableReason.BOUNCE, bounce, _addresses(bounce.get("bouncedRecipients"))
    elif kind == "Complaint":
        complaint = event.get("complaint")
        if not isinstance(complaint, dict) or complaint.get("complaintFeedbackType") == NOT_SPAM:
            return None
        reason, detail = UndeliverableReason.COMPLAINT, complaint
        recipients = _addresses(complaint.get("complainedRecipients"))
    else:
        return None
    at = _moment(detail.get("timestamp"), mail.get("timestamp"))
    if at is None or not recipients:
        return None
    return Feedback(reason, at, recipients)


def mark(feedback: Feedback) -> int:
    """Mark each recipient's EmailOwner item undeliverable; returns how many were marked.

    One conditional UpdateItem per recipient: the item must exist (an address on no account is
    not created), and the report must be no older than the mark there and than the learner's
    last resend. A repeated report writes the same values again; an older one changes nothing."""
    marked = 0
    for address in feedback.recipients:
        try:
            email = normalize_email(address)
        except InvalidInput:
            logger.info("SES feedback for an address that is not an email: ignored")
            continue
        if _mark_one(email, feedback):
            marked += 1
            logger.info("address marked undeliverable", extra={"reason": feedback.reason.value})
        else:  # no account has it, or a newer report or resend is already there
            logger.info("SES feedback changed nothing: an address on no account, or an older report")
    return marked


def _mark_one(email: str, feedback: Feedback) -> bool:
    condition = (
        EmailOwner.email.exists()
        & (EmailOwner.deliverable_since.does_not_exist() | (EmailOwner.deliverable_since <= feedback.at))
        & (EmailOwner.undeliverable_at.does_not_exist() | (EmailOwner.undeliverable_at <= feedback.at))
    )
    actions: list[Action] = [
        EmailOwner.undeliverable_reason.set(feedback.reason.value),
        EmailOwner.undeliverable_at.set(feedback.at),
    ]
    try:
        retry.call(lambda: EmailOwner(email).update(actions=actions, condition=condition), "undeliverable")
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def of(owner: EmailOwner) -> Undeliverable | None:
    """The mark on an email, as the API shows it (None: mail goes to it)."""
    if not owner.undeliverable_reason or owner.undeliverable_at is None:
        return None
    return Undeliverable(reason=UndeliverableReason(owner.undeliverable_reason), at=owner.undeliverable_at.isoformat())


def refused() -> Conflict:
    return Conflict(
        "EMAIL_UNDELIVERABLE",
        UNDELIVERABLE,
        [{"field": "email", "message": "Email to this address cannot be delivered."}],
    )


def refuse_if_marked(owner: EmailOwner) -> None:
    """409 EMAIL_UNDELIVERABLE when mail to ``owner``'s address is not sent any more."""
    if of(owner) is not None:
        raise refused()


def undeliverable(email: str) -> bool:
    """Whether ``email`` is marked (one GetItem; an address on no account is not)."""
    try:
        return of(EmailOwner.get(email)) is not None
    except EmailOwner.DoesNotExist:
        return False


def clear(owner: EmailOwner, since: datetime) -> EmailOwner:
    """Take the mark off after the learner's resend reached SES at ``since``: reports of mail sent
    before it no longer mark. Conditional on the mark being the one read (a newer report stays)."""
    if owner.undeliverable_at is None:
        return owner
    try:
        retry.call(
            lambda: owner.update(
                actions=[
                    EmailOwner.undeliverable_reason.remove(),
                    EmailOwner.undeliverable_at.remove(),
                    EmailOwner.deliverable_since.set(since),
                ],
                condition=(EmailOwner.learner_id == owner.learner_id)
                & (EmailOwner.undeliverable_at == owner.undeliverable_at),
            ),
            "deliverable again",
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        logger.info("undeliverable mark kept: a newer report came meanwhile", extra={"learner_id": owner.learner_id})
        owner.refresh(consistent_read=True)
    return owner
