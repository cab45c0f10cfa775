"""The invitation of learners an import created (docs/api.md "Imports", issue 25): an email with a
link to set their password, through the paced mail queue.

An imported learner has no password (``password_hash`` is cme.identity.passwords.UNSET): the
office invites them. ``queue`` puts one message per learner on the paced mail queue
(``settings.transcript_queue``, ``kind`` "invite"), once per import: a marker
(models.ImportInvite: the import's id, "invite#" + the learner's id, in the imports table) is put
only if absent before the message is queued, so the office's Invite, repeated, queues nobody
twice (a marker whose message the queue refused is deleted again: the next Invite tries that
learner again). A learner who has set a password (a reset, or an earlier invitation) is not
invited.

The mail worker (functions/transcript_mailer) hands each message to ``idempotent_send``: a new
single-use token of purpose ``invite`` (cme.identity.tokens, stored hashed, valid
``VALID_DAYS``) and the email with its link to the reset page, which the reset route redeems as a
reset link (cme.identity.recovery: the same single use, its own expiry). The password set, the
email is confirmed and the learner signs in. A redelivered message sends no second email.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pynamodb.exceptions import PutError

from cme.identity import deliverability, emails, passwords, recovery, tokens
from cme.platform import clock, mail, pacing, queues, retry
from cme.platform.errors import ServiceUnavailable
from cme.platform.models import ImportInvite, Learner
from cme.platform.models.tables import INVITE_PREFIX
from cme.platform.observability import logger
from cme.platform.settings import get_settings

KIND = "invite"
#: how long an invitation's link works
VALID_DAYS = 14
#: learners read per BatchGetItem (DynamoDB's limit)
_READ = 100


def _marker(import_id: str, learner_id: str) -> ImportInvite:
    return ImportInvite(import_id, f"{INVITE_PREFIX}{learner_id}", learner_id=learner_id, at=clock.now())


def _mark(import_id: str, learner_id: str) -> bool:
    """Put the learner's marker unless it exists: True when this call is the one that invites."""
    marker = _marker(import_id, learner_id)
    try:
        retry.call(lambda: marker.save(condition=ImportInvite.sk.does_not_exist()), "invitation marker")
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _unmark(import_id: str, tasks: list[dict[str, Any]]) -> None:
    for task in tasks:
        try:
            ImportInvite(import_id, f"{INVITE_PREFIX}{task['learner_id']}").delete()
        except Exception:  # the learner stays marked: the office's next Invite skips them
            logger.exception("invitation marker not removed", extra={"import_id": import_id})


def without_password(learner: Learner) -> bool:
    """A learner the office may invite: imported, no password set since, not merged away."""
    return learner.password_hash == passwords.UNSET and learner.merged_into is None


def _invitable(learner_ids: list[str]) -> list[str]:
    """Of ``learner_ids`` (each once, in order), those who exist and have no password yet."""
    wanted = list(dict.fromkeys(learner_ids))
    found: set[str] = set()
    for at in range(0, len(wanted), _READ):
        chunk = wanted[at : at + _READ]
        attributes = ["learner_id", "password_hash", "merged_into"]
        found |= {
            item.learner_id
            for item in Learner.batch_get(chunk, consistent_read=True, attributes_to_get=attributes)
            if without_password(item)
        }
    return [learner_id for learner_id in wanted if learner_id in found]


def _send_batch(import_id: str, batch: list[dict[str, Any]]) -> None:
    try:
        queues.send_batch(get_settings().transcript_queue, batch)
    except Exception:
        _unmark(import_id, batch)  # the next Invite tries them again
        raise


def queue(learner_ids: list[str], import_id: str, source_name: str) -> int:
    """Queue an invitation for each learner not invited by this import yet and without a password;
    how many were queued. 503 EMAIL_UNAVAILABLE when the queue refuses (those already queued stay
    queued; the rest are tried again by the next call)."""
    queued = 0
    batch: list[dict[str, Any]] = []
    try:
        for learner_id in _invitable(learner_ids):
            if not _mark(import_id, learner_id):
                continue
            batch.append({"kind": KIND, "import_id": import_id, "learner_id": learner_id, "source_name": source_name})
            if len(batch) == queues.BATCH:
                _send_batch(import_id, batch)
                queued, batch = queued + len(batch), []
        if batch:
            _send_batch(import_id, batch)
            queued += len(batch)
    except Exception as exc:
        logger.exception("invitations not queued", extra={"import_id": import_id, "queued": queued})
        raise ServiceUnavailable(
            "EMAIL_UNAVAILABLE", "We could not send the invitations just now. Please try again in a minute."
        ) from exc
    logger.info("invitations queued", extra={"import_id": import_id, "count": queued})
    return queued


def send(task: dict[str, Any]) -> bool:
    """Email one invitation (the worker's unit, run at most once by ``idempotent_send``); False
    when it no longer stands (the learner set a password meanwhile, is gone, or their address is
    undeliverable). Paced (cme.platform.pacing): ``pacing.OutOfTime`` sends it back to the queue."""
    pacer = pacing.mail_pacer()
    pacer.ensure_time()
    try:
        learner = Learner.get(task["learner_id"], consistent_read=True)
    except Learner.DoesNotExist:
        learner = None
    if learner is None or not without_password(learner) or deliverability.undeliverable(learner.email):
        logger.info("invitation skipped", extra={"import_id": task["import_id"]})
        return False
    raw, token = tokens.new_token(tokens.INVITE, learner.learner_id, learner.email, timedelta(days=VALID_DAYS))
    token.save()
    context = {
        "first_name": emails.short_name(learner.first_name),  # to an address not yet confirmed
        "source_name": task.get("source_name") or learner.imported_from or "",
        "email": learner.email,
        "link": recovery.reset_link(raw, welcome=True),
        "days": VALID_DAYS,
    }
    try:
        mail.send(learner.email, "invite", context, pacer=pacer)
    except BaseException:
        token.delete()  # not sent: nobody holds the link
        raise
    logger.info("invitation sent", extra={"import_id": task["import_id"], "learner_id": learner.learner_id})
    return True


def idempotent_send(task: dict[str, Any], lambda_context: Any = None) -> bool:
    """``send`` at most once per (import, learner): an SQS redelivery of a sent invitation
    replays its record instead of emailing again."""
    return queues.at_most_once(send, task, "[kind, import_id, learner_id]", lambda_context)
