"""The office merges a learner's second account (an old email, a new one) into the one kept.

``merge(keep, other, ...)`` moves the other account's emails (their attendance is kept under the
email, so it follows), claims, outside credit and requirement tracking into the kept account and
closes the other. Refused first with 409 ``MERGE_CONFLICT`` when both accounts claimed one activity
(a learner has one claim per activity; the office revokes one first), 404 for an unknown or
already closed account, 422 ``MERGE_SAME_LEARNER`` for one account twice.

Steps, each a write transaction (cme.platform.retry: retried under conflicts and throttling) of at
most ``BATCH`` items, each moving what is still the other account's, so a merge cut off anywhere
and run again finishes it without losing or doubling anything:

1. close: the other learner is marked ``merged_into`` (sign-in refuses it from then on with its
   usual wrong-password answer) and loses its confirmed phone and transcript schedule; its
   learner-search item goes in the same transaction; then its sessions are ended;
2. emails: each EmailOwner is handed to the kept learner (never as primary), its confirmed
   address moved between the two learners' ``verified_emails`` in the same transaction, so the
   kept learner is found by each (cme.identity.learner_search) and its attendance counts;
3. claims: each is put under the kept learner (only if it has none for that activity) and
   deleted from the other, in one transaction with an audit record naming each claim moved (a
   claim is a kept record: this is the one delete of a claim, and it never loses one).
   Certificates are left as issued: their records still name the other account, so each
   verifies as before (same code, same name);
4. outside credit: each certificate file is copied to the kept learner's key first (a file's
   key names its learner: cme.records.outside's sweep expires a file whose credit is gone), then
   the credit is put under the kept learner and deleted from the other; the hourly sweep tags
   the old file to expire (no credit names it now);
5. requirement tracking: each set the kept learner does not track moves with its cycle end (one
   it tracks already keeps the kept learner's cycle);
6. finish: ``merge_finished_at`` is set with one audit record on each learner, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from cme.credit import learners
from cme.identity import sessions
from cme.platform import audit, aws, clock, retry
from cme.platform.errors import Conflict, InvalidInput, NotFound
from cme.platform.models import Claim, EmailOwner, Learner, LearnerSearch, get_many
from cme.platform.models.tables import OutsideCredit, TrackedRequirement
from cme.platform.observability import logger
from cme.platform.schemas import LearnerRecord
from cme.platform.settings import get_settings
from cme.records import outside

#: items moved per transaction (a claim or an outside credit is two writes: put and delete;
#: TransactWriteItems takes 100)
BATCH = 25


def _no_learner() -> NotFound:
    return NotFound("NOT_FOUND", "There is no such learner.")


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _learners(keep_id: str, other_id: str) -> tuple[Learner, Learner]:
    if not (0 < len(keep_id) <= 100 and 0 < len(other_id) <= 100):
        raise _no_learner()
    found = get_many(Learner(keep_id), Learner(other_id))
    keep, other = found
    if not isinstance(keep, Learner) or keep.merged_into:
        raise _no_learner()  # a closed account takes nothing in
    if not isinstance(other, Learner) or (other.merged_into and other.merged_into != keep_id):
        raise _no_learner()
    return keep, other


def _conflicts(keep_id: str, other_id: str) -> list[dict[str, str]]:
    """The activities both accounts claimed, one detail each (activity id and title)."""
    kept = {c.activity_id for c in Claim.query(keep_id, consistent_read=True, attributes_to_get=["activity_id"])}
    both = [c for c in Claim.query(other_id, consistent_read=True) if c.activity_id in kept]
    return [{"activity_id": c.activity_id, "title": c.activity_title} for c in both]


def _conflict(details: list[dict[str, str]]) -> Conflict:
    titles = "; ".join(d["title"] for d in details)
    return Conflict(
        "MERGE_CONFLICT",
        f"Both accounts claimed credit for: {titles}. Revoke one of these claims, then merge again.",
        details,
    )


def _close(keep: Learner, other: Learner) -> None:
    """Step 1: the other learner is closed (once; a re-run finds it closed into ``keep``)."""
    if other.merged_into is None:
        now = clock.now()

        def build(tx: TransactWrite) -> None:
            tx.update(
                other,
                actions=[
                    Learner.merged_into.set(keep.learner_id),
                    Learner.merged_at.set(now),
                    Learner.confirmed_phone.remove(),  # no texter is identified as a closed account
                    Learner.transcript_schedule.remove(),  # nor is it sent transcripts
                    Learner.transcript_due.remove(),
                    Learner.updated_at.set(now),
                ],
                condition=Learner.learner_id.exists() & Learner.merged_into.does_not_exist(),
            )
            tx.delete(LearnerSearch(other.learner_id))

        try:
            retry.transact(build, "merge close")
        except TransactWriteError as exc:
            if retry.DECISION not in retry.reason_codes(exc):
                raise
            fresh = Learner.get(other.learner_id, consistent_read=True)
            if fresh.merged_into != keep.learner_id:
                raise _no_learner() from None  # merged into another meanwhile
    sessions.revoke_all(other.learner_id)


def _emails(keep: Learner, other: Learner) -> list[str]:
    """Step 2: every email still the other learner's, handed over; returns them."""
    named = {o.email for o in EmailOwner.by_learner.query(other.learner_id)}  # the index proposes
    named |= set(other.verified_emails or ()) | {other.email}
    owners = [o for o in get_many(*(EmailOwner(e) for e in sorted(named))) if isinstance(o, EmailOwner)]
    mine = [o for o in owners if o.learner_id == other.learner_id]
    for batch in _chunks(mine):
        confirmed = {o.email for o in batch if o.verified}

        def build(tx: TransactWrite, batch: list[EmailOwner] = batch, confirmed: set[str] = confirmed) -> None:
            for owner in batch:
                tx.update(
                    owner,
                    actions=[EmailOwner.learner_id.set(keep.learner_id), EmailOwner.primary.set(False)],
                    condition=EmailOwner.learner_id == other.learner_id,
                )
            if confirmed:
                tx.update(keep, actions=[Learner.verified_emails.add(confirmed)])
                tx.update(other, actions=[Learner.verified_emails.delete(confirmed)])

        try:
            retry.transact(build, "merge emails")
        except TransactWriteError as exc:
            if retry.DECISION not in retry.reason_codes(exc):
                raise
            # one was removed or taken meanwhile: the rest move one at a time
            for owner in batch:
                _email_alone(keep, other, owner)
    return sorted(o.email for o in mine)


def _email_alone(keep: Learner, other: Learner, owner: EmailOwner) -> None:
    def build(tx: TransactWrite) -> None:
        tx.update(
            owner,
            actions=[EmailOwner.learner_id.set(keep.learner_id), EmailOwner.primary.set(False)],
            condition=EmailOwner.learner_id == other.learner_id,
        )
        if owner.verified:
            tx.update(keep, actions=[Learner.verified_emails.add({owner.email})])
            tx.update(other, actions=[Learner.verified_emails.delete({owner.email})])

    try:
        retry.transact(build, "merge email")
    except TransactWriteError as exc:
        if retry.DECISION not in retry.reason_codes(exc):
            raise
        logger.info("an email left the account during its merge", extra={"learner_id": other.learner_id})


def _moved(item: Any, keep_id: str, **changes: Any) -> Any:
    """A copy of ``item`` under the kept learner."""
    values = {**item.attribute_values, "learner_id": keep_id, **changes}
    return type(item)(**values)


def _claims(keep: Learner, other: Learner, actor: str, client: tuple[str, str]) -> int:
    """Step 3: every claim still the other learner's, moved; returns how many. A claim is a kept
    record: each batch's transaction also puts an audit record on the kept learner naming every
    claim it moved (claim id, activity, certificate code), so none leaves its account unrecorded."""
    found = list(Claim.query(other.learner_id, consistent_read=True))
    for batch in _chunks(found):
        moved = [
            {"claim_id": c.claim_id, "activity_id": c.activity_id, "certificate_code": c.certificate_code}
            for c in batch
        ]
        record = audit.entry(
            keep.learner_id, "claims_moved", actor, {"from_learner_id": other.learner_id, "claims": moved}, *client
        )

        def build(tx: TransactWrite, batch: list[Claim] = batch, record: Any = record) -> None:
            for claim in batch:
                tx.save(_moved(claim, keep.learner_id), condition=Claim.learner_id.does_not_exist())
                tx.delete(claim, condition=Claim.learner_id.exists())
            tx.save(record)

        try:
            retry.transact(build, "merge claims")
        except TransactWriteError as exc:
            if retry.DECISION not in retry.reason_codes(exc):
                raise
            details = _conflicts(keep.learner_id, other.learner_id)
            if details:  # the kept learner claimed one of them meanwhile
                raise _conflict(details) from None
            raise
    return len(found)


def _copy_document(old_key: str, new_key: str) -> bool:
    """Copy an outside credit's certificate file to its new key; False when none was uploaded."""
    from botocore.exceptions import ClientError

    bucket = get_settings().documents_bucket
    try:
        aws.client("s3").copy_object(
            Bucket=bucket, Key=new_key, CopySource={"Bucket": bucket, "Key": old_key}, MetadataDirective="COPY"
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code", "") in ("NoSuchKey", "404"):
            return False  # an upload form asked for, no file sent
        raise
    return True


def _outside(keep: Learner, other: Learner) -> int:
    """Step 4: every outside credit still the other learner's, moved with its file."""
    found = list(OutsideCredit.query(other.learner_id, consistent_read=True))
    for batch in _chunks(found):
        moved: list[tuple[OutsideCredit, OutsideCredit]] = []
        for item in batch:
            # an upload not checked yet lies under the other learner's prefix: it is not moved (the
            # hourly sweep expires a file no credit names), the learner uploads again if they wish
            changes: dict[str, Any] = {"pending_key": None, "pending_type": None}
            if item.document_key:
                changes["document_key"] = outside.document_key(keep.learner_id, item.outside_credit_id)
                if item.document_key != changes["document_key"]:
                    _copy_document(item.document_key, changes["document_key"])
            moved.append((item, _moved(item, keep.learner_id, **changes)))

        def build(tx: TransactWrite, moved: list[tuple[OutsideCredit, OutsideCredit]] = moved) -> None:
            for old, new in moved:
                tx.save(new, condition=OutsideCredit.learner_id.does_not_exist())
                tx.delete(old, condition=OutsideCredit.learner_id.exists())

        retry.transact(build, "merge outside credit")
    return len(found)


def _tracked(keep: Learner, other: Learner) -> int:
    """Step 5: the requirement sets the other learner tracks; a set both track keeps the kept
    learner's cycle end."""

    def kept_sets() -> set[str]:
        return {t.set_id for t in TrackedRequirement.query(f"learner#{keep.learner_id}", consistent_read=True)}

    kept = kept_sets()
    found = list(TrackedRequirement.query(f"learner#{other.learner_id}", consistent_read=True))
    for batch in _chunks(found):
        for attempt in range(2):

            def build(tx: TransactWrite, batch: list[TrackedRequirement] = batch, kept: set[str] = kept) -> None:
                for item in batch:
                    if item.set_id not in kept:
                        scope = f"learner#{keep.learner_id}"
                        new = TrackedRequirement(scope, item.set_id, cycle_end=item.cycle_end, updated_at=clock.now())
                        tx.save(new, condition=TrackedRequirement.scope.does_not_exist())
                    tx.delete(item)

            try:
                retry.transact(build, "merge tracking")
                break
            except TransactWriteError as exc:
                if attempt or retry.DECISION not in retry.reason_codes(exc):
                    raise
                kept = kept_sets()  # the kept learner started tracking one meanwhile
    return len(found)


def _finish(keep: Learner, other: Learner, detail: dict[str, Any], actor: str, client: tuple[str, str]) -> None:
    """Step 6: the merge is finished, with one audit record on each learner (once)."""
    now = clock.now()
    records = [
        audit.entry(
            keep.learner_id, "learner_merged_in", actor, {**detail, "other_learner_id": other.learner_id}, *client, now
        ),
        audit.entry(
            other.learner_id, "learner_merged_into", actor, {**detail, "learner_id": keep.learner_id}, *client, now
        ),
    ]

    def build(tx: TransactWrite) -> None:
        tx.update(
            other,
            actions=[Learner.merge_finished_at.set(now)],
            condition=(Learner.merged_into == keep.learner_id) & Learner.merge_finished_at.does_not_exist(),
        )
        for record in records:
            tx.save(record)

    try:
        retry.transact(build, "merge finish")
    except TransactWriteError as exc:
        if retry.DECISION not in retry.reason_codes(exc):
            raise
        # finished by the run before (cut off after it): audited once already


def merge(keep_id: str, other_id: str, reason: str, actor: str, client: tuple[str, str]) -> LearnerRecord:
    """Merge learner ``other_id`` into ``keep_id`` (see the module's steps); returns the kept
    learner's record. Running it again for the same pair finishes a merge cut off halfway."""
    if keep_id == other_id:
        raise InvalidInput(
            "MERGE_SAME_LEARNER",
            "An account cannot be merged into itself; choose the learner's other account.",
            [{"field": "other_learner_id", "message": "This is the same learner."}],
        )
    keep, other = _learners(keep_id, other_id)
    details = _conflicts(keep_id, other_id)
    if details:
        raise _conflict(details)
    _close(keep, other)
    emails = _emails(keep, other)
    counts = {
        "claims": _claims(keep, other, actor, client),
        "outside_credits": _outside(keep, other),
        "tracked": _tracked(keep, other),
    }
    _finish(keep, other, {"reason": reason, "emails": emails, **counts}, actor, client)
    logger.info("learners merged (audited)", extra={"learner_id": keep_id, "other_learner_id": other_id, **counts})
    return learners.record(keep_id)
