"""Revoking a claim (docs/domain.md "Revoked claims"; docs/architecture.md "Revoked claims").

A revoked claim is kept (its record, its audit, its certificate) but moved out of the way: in
one transaction the live claim (key learner x activity) is deleted, on the condition that it is
still the claim read (same claim id, certificate code and board reporting state), and put again
under ``REVOKED_PREFIX + activity id + "#" + claim id`` with ``status`` "revoked"; its certificate
record is marked revoked (verification answers ``valid: false, status: "revoked"``); the audit
record is put. The activity's key is then free for a new claim, and nothing that reads live
claims (``Claim.live``, the ``by_activity`` index, the ``by_report`` index's "U#"/"R#" keys) finds it.

Board reporting: a line not yet reported leaves the board index (``report_board`` removed); a
line already reported stays in it under "W#" + its completion date, so the board-reports status
lists it for the office to withdraw (cme.records.board_files.withdrawals).

Race-safe: two revocations of one claim cannot both succeed (the delete's condition); a revocation
and a new claim cannot overlap on one key (the claim's does-not-exist condition holds only once the
old claim is moved); a certificate reissued or a line marked reported meanwhile cancels the
transaction, which is then made again from what is recorded now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from cme.credit import claims
from cme.platform import audit, clock, retry
from cme.platform.errors import Conflict, NotFound
from cme.platform.models import AuditRecord, Certificate, Claim, Learner, get_many
from cme.platform.models.tables import REVOKED_PREFIX
from cme.platform.observability import logger
from cme.platform.schemas import ClaimOut, ClaimStatus
from cme.publishing import activities
from cme.records import board_files, certificates

#: the claim changed (a certificate reissued, a line reported) between the read and the write
ATTEMPTS = 3


def revoked_key(activity_id: str, claim_id: str) -> str:
    return f"{REVOKED_PREFIX}{activity_id}#{claim_id}"


def _moved(claim: Claim, actor_id: str, actor_name: str, reason: str, now: Any) -> Claim:
    """The revoked copy of ``claim`` (not saved): every attribute kept, at its revoked key."""
    values = {
        name: getattr(claim, name) for name in Claim.get_attributes() if name not in ("learner_id", "activity_id")
    }
    copy = Claim(claim.learner_id, revoked_key(claim.activity_id, claim.claim_id), **values)
    copy.revoked_from = claim.activity_id
    copy.status = ClaimStatus.REVOKED.value
    copy.revoked_at = now
    copy.revoked_by = actor_id
    copy.revoked_by_name = actor_name
    copy.revoke_reason = reason
    board_files.withdraw(copy)
    return copy


def _same_claim(claim: Claim) -> Any:
    """The condition that the live claim is still the one read."""
    condition = (Claim.claim_id == claim.claim_id) & (Claim.certificate_code == claim.certificate_code)
    if claim.report_key is None:
        return condition & Claim.report_key.does_not_exist()
    return condition & (Claim.report_key == claim.report_key)


def _load(
    learner_id: str, activity_id: str, actor_id: str
) -> tuple[Learner, Claim, Certificate | None, Learner | None]:
    """The learner, their live claim of the activity, its certificate record and the coordinator:
    two consistent reads (a BatchGetItem, then the certificate by the claim's code). 404 for an
    unknown learner; for a learner without a live claim: 409 ALREADY_REVOKED when a revoked one is
    there (one Query of the key), else 404."""
    learner, claim, actor = get_many(Learner(learner_id), Claim(learner_id, activity_id), Learner(actor_id))
    if not isinstance(learner, Learner):
        raise NotFound("NOT_FOUND", "There is no such learner.")
    if not isinstance(claim, Claim):
        if next(iter(Claim.revoked_of(learner_id, activity_id, limit=1, consistent_read=True)), None) is not None:
            raise Conflict("ALREADY_REVOKED", "This learner's claim of this activity was already revoked.")
        raise NotFound("NOT_FOUND", "This learner has no claim of this activity.")
    (certificate,) = get_many(Certificate(claim.certificate_code))
    return (
        learner,
        claim,
        certificate if isinstance(certificate, Certificate) else None,
        actor if isinstance(actor, Learner) else None,
    )


def _move(claim: Claim, copy: Claim, certificate: Certificate, record: AuditRecord) -> Callable[[TransactWrite], None]:
    """The revocation's transaction (docs/architecture.md "Revoked claims"). A certificate record
    made now (``revoked_at`` already set: a claim from before records) is put; else it is marked."""

    def fill(tx: TransactWrite) -> None:
        tx.delete(claim, condition=_same_claim(claim))
        tx.save(copy, condition=Claim.activity_id.does_not_exist())
        if certificate.revoked_at is None:
            tx.update(
                certificate,
                actions=[Certificate.revoked_at.set(copy.revoked_at)],
                condition=Certificate.certificate_code.exists() & Certificate.revoked_at.does_not_exist(),
            )
        else:
            tx.save(certificate, condition=Certificate.certificate_code.does_not_exist())
        tx.save(record)

    return fill


def revoke(
    learner_id: str, activity_id: str, reason: str, actor_id: str, source_ip: str = "", user_agent: str = ""
) -> ClaimOut:
    """Revoke the learner's claim of the activity (see the module): returns it, ``status`` "revoked".

    Round trips: the learner, the claim and the coordinator (one BatchGetItem), the certificate
    record (one), the transaction, then the activity's claim count (one UpdateItem ADD -1, outside
    the transaction as a claim's own count is: cme.publishing.activities.add_to_count)."""
    for attempt in range(ATTEMPTS):
        learner, claim, certificate, actor = _load(learner_id, activity_id, actor_id)
        now = clock.now()
        actor_name = claims.who_is(actor) if actor else ""
        copy = _moved(claim, actor_id, actor_name, reason, now)
        record = audit.entry(
            learner_id,
            "claim_revoked",
            actor_id,
            {
                "activity_id": activity_id,
                "claim_id": claim.claim_id,
                "certificate_code": claim.certificate_code,
                "reason": reason,
                "revoked_by": actor_name,
                **({"reported_on": claim.reported_on, "board": claim.report_board} if claim.reported_on else {}),
            },
            source_ip,
            user_agent,
            at=now,
        )
        if certificate is None:  # a claim from before certificates were recorded at claim time
            certificate = certificates.record(claim, learner, claim.certificate_code)
            certificate.revoked_at = now
        try:
            retry.transact(_move(claim, copy, certificate, record), "claim revocation")
        except TransactWriteError as exc:
            if retry.DECISION not in retry.reason_codes(exc):
                raise
            # the claim changed or was revoked meanwhile: read again (409 once it is revoked)
            logger.info("claim changed during revocation", extra={"attempt": attempt, "claim_id": claim.claim_id})
            continue
        activities.add_to_count(activity_id, "claim_count", -1)
        logger.info("claim revoked", extra={"learner_id": learner_id, "activity_id": activity_id})
        return claims.out(copy)
    raise Conflict("CLAIM_CHANGED", "This learner's claim of this activity changed meanwhile; please try again.")
