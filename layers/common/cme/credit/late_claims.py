"""Late-claim requests (docs/domain.md "Late claims"): a learner whose claim window closed asks
the CME office to reopen it; a coordinator approves (the window reopens for that learner for a
number of days, never past a board's own limit) or declines; the learner is emailed either way.

Storage: LateClaimsTable, one item per learner per activity (the key), so the claim path reads
it in the BatchGetItem it already makes for the learner and the activity (cme.credit.claims:
no extra round trip), and My activities in the one it makes for the activities and claims.
The ``by_status`` index lists them for the coordinators (no Scan).

Races are decided by conditions, never by a read before a write: a request is put on the
condition that no request is open for the learner and activity (409 LATE_REQUEST_OPEN); a
decision updates the item, in one transaction with its audit record, on the condition that it
is still this request and still open (409 LATE_REQUEST_DECIDED for the second coordinator).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import date, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError

from cme.credit import claims
from cme.identity import deliverability
from cme.platform import audit, clock, mail, retry
from cme.platform.errors import Conflict, NotFound, ServiceUnavailable, sign_in_required
from cme.platform.models import Activity, Claim, LateClaim, Learner, get_many
from cme.platform.observability import logger
from cme.platform.schemas import LateRequestAdminOut, LateRequestOut
from cme.rules import credit

OPEN = "open"
APPROVED = "approved"
DECLINED = "declined"
STATUSES = (OPEN, APPROVED, DECLINED)
#: the most requests the coordinators' list answers (open: oldest first; decided: newest first)
LIST_LIMIT = 200


def request_id(learner_id: str, activity_id: str, nonce: str) -> str:
    """The request's id: its key (learner, activity) and a nonce, so a decision reads nothing
    to find it (GetItem-free: the conditional update names the key) and an id of an earlier
    request for the same key, since replaced, is told apart."""
    raw = f"{learner_id}\n{activity_id}\n{nonce}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def key_of(rid: str) -> tuple[str, str]:
    """(learner id, activity id) of a request id; 404 NOT_FOUND for one the portal did not make."""
    try:
        raw = base64.urlsafe_b64decode(rid + "=" * (-len(rid) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise no_such_request() from None
    parts = raw.split("\n")
    if len(parts) != 3 or not all(parts):
        raise no_such_request()
    return parts[0], parts[1]


def no_such_request() -> NotFound:
    return NotFound("NOT_FOUND", "There is no such late-claim request.")


def out(item: LateClaim) -> LateRequestOut:
    return LateRequestOut(
        request_id=item.request_id,
        activity_id=item.activity_id,
        status=item.status,
        reason=item.reason,
        created_at=item.created_at.isoformat(),
        decided_at=item.decided_at.isoformat() if item.decided_at else None,
        reopened_until=claims.reopened_until(item),
        decision_reason=item.decision_reason,
    )


# ------------------------------------------------------------------ the learner


def request(learner_id: str, activity_id: str, reason: str, source_ip: str, user_agent: str) -> LateRequestOut:
    """Record a learner's late-claim request. One BatchGetItem (learner, activity, the learner's
    claim and request for it) then one transaction (the request, on the condition that none is
    open, and its audit record); NOT_ATTENDED reads the attendance (cme.credit.claims), one more
    BatchGetItem when the learner has several verified emails.

    Refused: 404 (no such published activity), 409 ALREADY_CLAIMED, 422 NOT_ATTENDED, 422
    ACTIVITY_EXPIRED / CLAIM_WINDOW_CLOSED (what no late claim can pass: credit.check_late_request),
    422 CLAIM_WINDOW_OPEN, 409 LATE_REQUEST_OPEN."""
    learner, activity, claim, existing = _read(learner_id, activity_id)
    if claim is not None:
        raise Conflict("ALREADY_CLAIMED", "You have already claimed credit for this activity.")
    if claims.attended_under(learner, activity_id) is None:
        raise claims.not_attended()
    if existing is not None and existing.status == OPEN:
        raise open_already()
    options = claims.options(learner.degree, activity)
    credit.check_late_request(
        [o.type.value for o in options],
        activity.format or "",
        date.fromisoformat(activity.end_date),
        int(activity.claim_window_days),
        clock.office_today(),
        claims.reopened_until(existing),
    )
    now = clock.now()
    item = LateClaim(
        learner_id,
        activity_id,
        request_id=request_id(learner_id, activity_id, uuid.uuid4().hex[:12]),
        status=OPEN,
        reason=reason,
        created_at=now,
    )
    record = audit.entry(
        learner_id,
        "late claim requested",
        learner_id,
        {"activity_id": activity_id, "request_id": item.request_id, "reason": reason},
        source_ip,
        user_agent,
        at=now,
    )

    def fill(tx: Any) -> None:
        # the condition decides a race between two requests (two tabs): never the read above
        tx.save(item, condition=LateClaim.learner_id.does_not_exist() | (LateClaim.status != OPEN))
        tx.save(record)

    try:
        retry.transact(fill, "late claim request")
    except TransactWriteError as exc:
        if retry.DECISION in retry.reasons_by_item(exc):
            raise open_already() from exc
        raise
    logger.info("late claim requested", extra={"learner_id": learner_id, "activity_id": activity_id})
    return out(item)


def open_already() -> Conflict:
    return Conflict("LATE_REQUEST_OPEN", "You have already asked for a late claim for this activity.")


def _read(learner_id: str, activity_id: str) -> tuple[Learner, Activity, Claim | None, LateClaim | None]:
    found = get_many(
        Learner(learner_id), Activity(activity_id), Claim(learner_id, activity_id), LateClaim(learner_id, activity_id)
    )
    learner, activity, claim, existing = found
    if not isinstance(learner, Learner):
        raise sign_in_required()
    if not isinstance(activity, Activity) or not activity.published:
        raise NotFound("NOT_FOUND", "There is no such activity.")
    return (
        learner,
        activity,
        claim if isinstance(claim, Claim) else None,
        existing if isinstance(existing, LateClaim) else None,
    )


def mine(learner_id: str) -> list[LateRequestOut]:
    """The learner's own requests, newest first (one Query of their partition)."""
    found = [out(x) for x in LateClaim.query(learner_id, consistent_read=True)]
    return sorted(found, key=lambda x: x.created_at, reverse=True)


def one_of_mine(learner_id: str, rid: str) -> LateRequestOut:
    """One of the learner's requests (one consistent GetItem); 404 for another learner's, or an
    id since replaced by a newer request."""
    owner, activity_id = key_of(rid)
    if owner != learner_id:
        raise no_such_request()
    try:
        item = LateClaim.get(learner_id, activity_id, consistent_read=True)
    except LateClaim.DoesNotExist:
        raise no_such_request() from None
    if item.request_id != rid:
        raise no_such_request()
    return out(item)


# ------------------------------------------------------------------ the office


def listed(status: str) -> list[LateRequestAdminOut]:
    """The requests in ``status`` with each learner's name and email and each activity's title:
    one Query of the ``by_status`` index (open: oldest first, the queue; decided: newest first;
    at most LIST_LIMIT), then the learners and activities in BatchGetItems of up to 100 keys."""
    items = list(LateClaim.by_status.query(status, scan_index_forward=status == OPEN, limit=LIST_LIMIT))
    items = [x for x in items if x.status == status][:LIST_LIMIT]  # an index lags its table
    keys: list[Any] = [Learner(i) for i in sorted({x.learner_id for x in items})]
    keys += [Activity(a) for a in sorted({x.activity_id for x in items})]
    found = claims.read_many(keys)
    learners = {x.learner_id: x for x in found if isinstance(x, Learner)}
    activities = {x.activity_id: x for x in found if isinstance(x, Activity)}
    return [_admin_out(x, learners.get(x.learner_id), activities.get(x.activity_id)) for x in items]


def _admin_out(item: LateClaim, learner: Learner | None, activity: Activity | None) -> LateRequestAdminOut:
    return LateRequestAdminOut(
        **out(item).model_dump(),
        learner_id=item.learner_id,
        learner_name=f"{learner.first_name} {learner.last_name}" if learner else "",
        learner_email=learner.email if learner else "",
        activity_title=activity.title if activity else "",
    )


def approve(rid: str, days: int, actor: str, source_ip: str, user_agent: str) -> LateRequestAdminOut:
    """Reopen the learner's window until the office's today + ``days`` (what a board closes stays
    closed: credit.board_limits at claim time) and email them."""
    until = clock.office_today() + timedelta(days=days)
    actions = [LateClaim.days.set(days), LateClaim.reopened_until.set(until.isoformat())]
    return _decide(
        rid, APPROVED, actions, {"days": days, "reopened_until": until.isoformat()}, actor, source_ip, user_agent
    )


def decline(rid: str, reason: str, actor: str, source_ip: str, user_agent: str) -> LateRequestAdminOut:
    actions = [LateClaim.decision_reason.set(reason)]
    return _decide(rid, DECLINED, actions, {"reason": reason}, actor, source_ip, user_agent)


def _decide(
    rid: str,
    status: str,
    actions: list[Any],
    detail: dict[str, Any],
    actor: str,
    source_ip: str,
    user_agent: str,
) -> LateRequestAdminOut:
    """One transaction: the request's update, on the condition that it is this request and still
    open, and its audit record. Exactly once: a second coordinator's transaction fails its
    condition (409 LATE_REQUEST_DECIDED), and a retry of our own that committed is recognised by
    its ``decision_id``. Then the learner and activity (one BatchGetItem) and the email."""
    learner_id, activity_id = key_of(rid)
    now = clock.now()
    target = LateClaim(learner_id, activity_id)
    record = audit.entry(
        learner_id,
        f"late claim {status}",
        actor,
        {"activity_id": activity_id, "request_id": rid, **detail},
        source_ip,
        user_agent,
        at=now,
    )
    condition = (LateClaim.request_id == rid) & (LateClaim.status == OPEN)
    decision_id = uuid.uuid4().hex
    every = [
        *actions,
        LateClaim.status.set(status),
        LateClaim.decided_at.set(now),
        LateClaim.decided_by.set(actor),
        LateClaim.decision_id.set(decision_id),
    ]

    def fill(tx: Any) -> None:
        tx.update(target, actions=every, condition=condition)
        tx.save(record)

    try:
        retry.transact(fill, f"late claim {status}")
    except TransactWriteError as exc:
        if retry.DECISION not in retry.reasons_by_item(exc):
            raise
        _refused(learner_id, activity_id, rid, decision_id, exc)
    learner, activity, item = _after(learner_id, activity_id)
    _tell(learner, activity, item)
    logger.info("late claim decided", extra={"learner_id": learner_id, "activity_id": activity_id, "status": status})
    return _admin_out(item, learner, activity)


def _refused(learner_id: str, activity_id: str, rid: str, decision_id: str, exc: Exception) -> None:
    """Why the decision's condition failed (one consistent GetItem): no such request (404), or
    decided already (409), unless the decision is our own, committed by an attempt whose answer
    was lost."""
    try:
        item = LateClaim.get(learner_id, activity_id, consistent_read=True)
    except LateClaim.DoesNotExist:
        raise no_such_request() from exc
    if item.request_id != rid:
        raise no_such_request() from exc
    if item.decision_id == decision_id:
        return
    raise Conflict(
        "LATE_REQUEST_DECIDED", f"This late-claim request was {item.status} already. Reload the list."
    ) from exc


def _after(learner_id: str, activity_id: str) -> tuple[Learner | None, Activity | None, LateClaim]:
    learner, activity, item = get_many(Learner(learner_id), Activity(activity_id), LateClaim(learner_id, activity_id))
    assert isinstance(item, LateClaim)
    return (
        learner if isinstance(learner, Learner) else None,
        activity if isinstance(activity, Activity) else None,
        item,
    )


def _tell(learner: Learner | None, activity: Activity | None, item: LateClaim) -> None:
    """Email the learner the decision, as the password notice is sent (cme.identity.password_change):
    not to an address SES reported undeliverable (one GetItem); an email SES refuses is logged
    (cme.platform.mail) and the decision stands."""
    if learner is None or activity is None or deliverability.undeliverable(learner.email):
        return
    context = {
        "first_name": learner.first_name,
        "activity_title": activity.title,
        "reopened_until": credit.long_day(until) if (until := claims.reopened_until(item)) else "",
        "reason": item.decision_reason or "",
    }
    try:
        mail.send(learner.email, f"late_claim_{item.status}", context)
    except ServiceUnavailable:
        return
