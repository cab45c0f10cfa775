"""Claiming credit (docs/domain.md "Credit"): who may claim what, the rules, and one claim per
learner per activity under every race."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from cme.credit import certificate_mail
from cme.platform import audit, clock, retry
from cme.platform.errors import Conflict, InvalidInput, NotFound, sign_in_required
from cme.platform.models import (
    Activity,
    Attendance,
    AuditRecord,
    Certificate,
    Claim,
    EmailAttendance,
    EmailOwner,
    LateClaim,
    Learner,
    get_many,
    plain,
)
from cme.platform.models.tables import ClaimLine
from cme.platform.observability import logger
from cme.platform.schemas import (
    ClaimIn,
    ClaimLineOut,
    ClaimOut,
    ClaimStatus,
    Credit,
    CreditType,
    MyActivitiesReply,
    MyActivity,
    MyLateRequest,
)
from cme.platform.settings import get_settings
from cme.publishing import activities
from cme.records import board_files, certificates
from cme.rules import credit


def designated(activity: Activity) -> list[Credit]:
    return [Credit(type=c.type, max=float(c.max)) for c in activity.credits]  # type: ignore[arg-type]


def options(degree: str, activity: Activity) -> list[Credit]:
    """What a learner of ``degree`` may claim of the activity (credit.credit_options): ACPE under the
    UAN of their audience, IPCE only from a jointly accredited office."""
    return credit.credit_options(
        degree, designated(activity), activities.uans(activity), get_settings().jointly_accredited
    )


def lines_out(lines: list[credit.Line]) -> list[ClaimLineOut]:
    return [
        ClaimLineOut(credit_type=x.credit_type, credits=x.credits, label=credit.label(x.credit_type)) for x in lines
    ]


def out(claim: Claim) -> ClaimOut:
    """A claim as replies show it (a revoked one too: ``status``, when, by whom, why); who made or
    revoked it by name and email, never by key."""
    return ClaimOut(
        claim_id=claim.claim_id,
        activity_id=claim.activity,
        activity_title=claim.activity_title,
        activity_date=date.fromisoformat(claim.activity_start),
        completed_on=certificates.completed_on(claim),
        credit_type=claim.credit_type,  # type: ignore[arg-type]
        credits=float(claim.credits),
        lines=lines_out(credit.claim_lines(claim)),
        claimed_at=claim.claimed_at.isoformat(),
        certificate_code=claim.certificate_code,
        status=ClaimStatus.REVOKED if claim.status == ClaimStatus.REVOKED else ClaimStatus.CLAIMED,
        made_by=claim.made_by_name,
        revoked_at=claim.revoked_at.isoformat() if claim.revoked_at else None,
        revoked_by=claim.revoked_by_name,
        revoke_reason=claim.revoke_reason,
        **source_of(claim),
    )


def source_of(claim: Claim) -> dict[str, Any]:
    """Where a claim came from, as replies show it: ``source`` "claim" (made here) or "imported"
    (with ``source_name`` and ``source_label``, cme.rules.credit.imported_from)."""
    if claim.source != "imported" or not claim.source_name:
        return {"source": "claim"}
    return {
        "source": "imported",
        "source_name": claim.source_name,
        "source_label": credit.imported_from(claim.source_name),
    }


def _requested(data: ClaimIn) -> tuple[list[tuple[str, float]], bool]:
    """The lines asked for, and whether as ``lines`` (else one line, ``credit_type`` + ``credits``)."""
    if data.lines is not None:
        if data.credit_type is not None or data.credits is not None:
            raise credit.problem(
                "CREDITS_INVALID", "Send either credit_type and credits (one credit) or lines, not both.", "lines"
            )
        return [(x.credit_type, x.credits) for x in data.lines], True
    if data.credit_type is None or data.credits is None:
        field = "credits" if data.credit_type else "credit_type"
        raise credit.problem("CREDITS_INVALID", "Choose the credit to claim and how much.", field)
    return [(data.credit_type, data.credits)], False


@dataclass(frozen=True)
class Reporting:
    """What board and NABP reporting needs: the profile's, with what the claim form added."""

    board_ids: dict[str, str]
    birth_mmdd: str | None
    nabp_eprofile_id: str | None


def reporting(data: ClaimIn, learner: Learner) -> Reporting:
    added = {k: v for k, v in (data.board_ids or {}).items() if v}
    credit.check_board_ids(added)
    boards = plain(learner.board_ids)
    boards.update(added)
    return Reporting(
        board_ids=boards,
        birth_mmdd=data.birth_mmdd or learner.birth_mmdd,
        nabp_eprofile_id=data.nabp_eprofile_id or learner.nabp_eprofile_id,
    )


def not_attended() -> InvalidInput:
    return credit.problem(
        "NOT_ATTENDED", "We have no attendance for you at this activity under a confirmed email.", "activity_id"
    )


def requested_types(data: ClaimIn) -> list[str]:
    """The credit types asked for, in the request's order (``lines[i]``), read as sent: their
    checks come later (``_requested``, ``credit.check_lines``)."""
    if data.lines is not None:
        return [str(x.credit_type) for x in data.lines]
    return [str(data.credit_type)] if data.credit_type is not None else []


def check(
    data: ClaimIn,
    learner: Learner,
    activity: Activity,
    attended: bool,
    today: date,
    reopened_until: date | None = None,
) -> list[credit.Line]:
    """Every rule of a claim, in the order a learner would fix them. Returns its lines (in ``credit.ORDER``).

    What the boards close comes before the activity's own window and is checked apart from it
    (``credit.board_limits``): an expired enduring material, an ACPE line 60 days after the date
    of participation. ``reopened_until`` (the later last day an approved late-claim request gives
    this learner, cme.credit.late_claims, or a coordinator's claim with ``override_window``: issue 24)
    moves the activity's window only, never a board's limit."""
    if not attended:
        raise not_attended()
    end = date.fromisoformat(activity.end_date)
    activity_format = activity.format or ""
    completed = credit.completed_on(activity_format, end, today)
    credit.board_limits(requested_types(data), activity_format, end, completed, today)
    credit.check_window(end, int(activity.claim_window_days), today, activity_format, reopened_until)
    allowed = options(learner.degree, activity)
    requested, several = _requested(data)
    lines = credit.check_lines(learner.degree, allowed, requested, several)
    known = reporting(data, learner)
    credit.check_reporting(lines, data.moc_consent, known.board_ids, known.birth_mmdd, known.nabp_eprofile_id)
    credit.check_evaluation(activity.evaluation or [], data.evaluation)
    if data.attestation is not True:
        raise credit.problem("ATTESTATION_REQUIRED", "Please confirm the attestation to claim credit.", "attestation")
    return lines


def _same(claim: Claim, lines: list[credit.Line], data: ClaimIn) -> bool:
    return credit.claim_lines(claim) == lines and plain(claim.evaluation) == data.evaluation


def _profile_additions(data: ClaimIn, learner: Learner, known: Reporting, now: datetime) -> list[Any]:
    """The update actions that save to the profile what the claim form added (none if nothing new)."""
    actions: list[Any] = []
    if data.board_ids and known.board_ids != plain(learner.board_ids):
        actions.append(Learner.board_ids.set(known.board_ids))
    if data.birth_mmdd and data.birth_mmdd != learner.birth_mmdd:
        actions.append(Learner.birth_mmdd.set(data.birth_mmdd))
    if data.nabp_eprofile_id and data.nabp_eprofile_id != learner.nabp_eprofile_id:
        actions.append(Learner.nabp_eprofile_id.set(data.nabp_eprofile_id))
    return [*actions, Learner.updated_at.set(now)] if actions else []


def _attended(activity_id: str, emails: list[str]) -> str | None:
    """The first of the verified ``emails`` with attendance at the activity (one consistent
    BatchGetItem), or None."""
    if not emails:
        return None
    found = Attendance.batch_get([(activity_id, e) for e in emails], consistent_read=True)
    return min((row.email for row in found), default=None)


def _checked(
    data: ClaimIn, learner: Learner, activity: Activity, today: date, reopened_until: date | None = None
) -> tuple[list[credit.Line], str]:
    """``check``, and the verified email whose attendance row the claim's transaction checks.

    Known without a read (the transaction proves it): the one verified email, or, of several,
    the one the claim names (``attended_as``, as My activities answered it). It is read only
    when a later rule refuses the claim, so NOT_ATTENDED still comes first. Otherwise (several
    emails, none named): the first with a row, read in one BatchGetItem."""
    emails = sorted(learner.verified_emails or ())
    named = emails[0] if len(emails) == 1 else (data.attended_as if data.attended_as in emails else None)
    if named is not None:
        try:
            return check(data, learner, activity, True, today, reopened_until), named
        except InvalidInput:
            if _attended(activity.activity_id, emails) is None:
                raise not_attended() from None
            raise
    attended_as = _attended(activity.activity_id, emails)
    lines = check(data, learner, activity, attended_as is not None, today, reopened_until)
    assert attended_as is not None  # check refuses a claim without attendance
    return lines, attended_as


def attended_under(learner: Learner, activity_id: str) -> str | None:
    """The first of the learner's verified emails with attendance at the activity (one
    consistent BatchGetItem), or None."""
    return _attended(activity_id, sorted(learner.verified_emails or ()))


def _elsewhere(exc: TransactWriteError, learner: Learner, activity_id: str, tried: str) -> str | None:
    """When the claim's transaction found no attendance row under ``tried`` and the learner
    has other verified emails: the first of them with a row (one BatchGetItem), else None."""
    if cancelled_by(retry.reasons_by_item(exc)) != ATTENDANCE_GONE:
        return None
    others = sorted(set(learner.verified_emails or ()) - {tried})
    return _attended(activity_id, others)


# ------------------------------------------------------------------ claim_credit: build -> write -> explain


@dataclass(frozen=True)
class Behalf:
    """A claim a coordinator makes on a learner's behalf: who (their learner id; their name and
    email as the record shows them), why, and whether they pass the activity's closed window."""

    actor_id: str
    reason: str
    override_window: bool = False
    actor_name: str = ""


def who_is(person: Learner) -> str:
    """A coordinator as records and replies show them: name and email, never a key."""
    return f"{person.first_name} {person.last_name} <{person.email}>"


@dataclass(frozen=True)
class Stamp:
    """What makes one claim's records unique and dated; chosen by the caller so that ``build``
    decides nothing by itself."""

    now: datetime
    claim_id: str
    certificate_code: str


@dataclass(frozen=True)
class ClaimWrites:
    """Everything one claim writes, built before any write (``build``)."""

    claim: Claim
    certificate: Certificate
    record: AuditRecord
    additions: list[Any]  # update actions saving to the profile what the form added; none if nothing new
    lines: list[credit.Line]


def build(
    data: ClaimIn,
    learner: Learner,
    activity: Activity,
    lines: list[credit.Line],
    today: date,
    stamp: Stamp,
    source_ip: str,
    user_agent: str,
    behalf: Behalf | None = None,
) -> ClaimWrites:
    """The records of a claim that passed ``check`` (its ``lines``): the claim (with its board
    reporting attributes, cme.records.board_files.prepare), the certificate record, the audit record, and
    the profile additions. No read, no write. A claim made on the learner's ``behalf`` records
    who made it (on the claim and as the audit record's actor), the reason and any window override."""
    first = lines[0]
    known = reporting(data, learner)
    boards = credit.moc_boards(lines)
    has_acpe = any(x.credit_type == CreditType.ACPE for x in lines)
    claim = Claim(
        learner.learner_id,
        activity.activity_id,
        claim_id=stamp.claim_id,
        activity_title=activity.title,
        activity_start=activity.start_date,
        activity_end=activity.end_date,
        activity_format=activity.format,
        completed_on=credit.completed_on(activity.format, date.fromisoformat(activity.end_date), today).isoformat(),
        credit_type=first.credit_type.value,
        credits=first.credits,
        lines=[ClaimLine(credit_type=x.credit_type.value, credits=x.credits) for x in lines],
        moc_consent=bool(boards) and data.moc_consent,
        board_ids={b: known.board_ids[b] for b in boards} or None,
        birth_mmdd=known.birth_mmdd if credit.needs_birth_mmdd(lines) else None,
        nabp_eprofile_id=known.nabp_eprofile_id if has_acpe else None,
        evaluation=data.evaluation,
        attested=True,
        claimed_at=stamp.now,
        certificate_code=stamp.certificate_code,
        learner_name=f"{learner.first_name} {learner.last_name}",
        degree=learner.degree,
        email=learner.email,
        npi=learner.npi,
        topics=[str(t) for t in activity.topics or []],  # as the activity had them: licence requirements count by topic
        made_by=behalf.actor_id if behalf else None,
        made_by_name=behalf.actor_name if behalf else None,
        window_overridden=True if behalf and behalf.override_window else None,
    )
    board_files.prepare(
        claim, learner.first_name, learner.last_name
    )  # board reporting (MOC, CPE): cme.records.board_files
    on_behalf = (
        {"reason": behalf.reason, "made_by": behalf.actor_name, "override_window": behalf.override_window}
        if behalf
        else {}
    )
    record = audit.entry(
        learner.learner_id,
        "claim_on_behalf" if behalf else "claim",
        behalf.actor_id if behalf else learner.learner_id,
        {
            **on_behalf,
            "activity_id": activity.activity_id,
            "claim_id": claim.claim_id,
            "credit_type": first.credit_type.value,
            "credits": str(first.credits),
            "lines": [{"credit_type": x.credit_type.value, "credits": str(x.credits)} for x in lines],
            **({"moc_consent": True} if claim.moc_consent else {}),
            "attestation": credit.attestation(learner.degree),  # as the claim form showed it
            "evaluation": data.evaluation,
        },
        source_ip,
        user_agent,
        at=stamp.now,
    )
    return ClaimWrites(
        claim=claim,
        certificate=certificates.record(claim, learner, stamp.certificate_code),
        record=record,
        # board ids, NABP id and birth month/day entered in the claim form are kept in the profile
        additions=_profile_additions(data, learner, known, stamp.now),
        lines=lines,
    )


def _transaction(writes: ClaimWrites, learner: Learner, attended_as: str) -> Callable[[TransactWrite], None]:
    def fill(tx: TransactWrite) -> None:
        # Only this learner's items: no item another learner's claim writes (the activity's
        # count is not here), so a surge of claims on one activity never conflicts in AWS.
        # The attendance row is checked, not only read: a coordinator's removal of it
        # (attendance.remove, which checks for a claim in its own transaction) and this claim
        # cannot both succeed. PynamoDB sends condition checks first: reason 0.
        tx.condition_check(Attendance, writes.claim.activity_id, attended_as, condition=Attendance.email.exists())
        tx.save(writes.claim, condition=Claim.activity_id.does_not_exist())
        tx.save(writes.certificate)
        tx.save(writes.record)
        if writes.additions:
            tx.update(learner, actions=writes.additions, condition=Learner.learner_id.exists())

    return fill


def write(writes: ClaimWrites, learner: Learner, attended_as: str) -> None:
    """Write the claim in one transaction (retried as cme.platform.retry does) with a condition check on
    the attendance row under ``attended_as``. When that row is missing and another of the
    learner's verified emails holds one (a stale ``attended_as``), once more under that email.
    A transaction still cancelled raises its TransactWriteError (``explain`` reads it)."""
    try:
        retry.transact(_transaction(writes, learner, attended_as), "claim")
    except TransactWriteError as exc:
        elsewhere = _elsewhere(exc, learner, writes.claim.activity_id, attended_as)
        if elsewhere is None:
            raise
        retry.transact(_transaction(writes, learner, elsewhere), "claim")


ATTENDANCE_GONE = "attendance gone"  # the attendance row's condition check (item 0) failed
CLAIM_EXISTS = "claim exists"  # the claim's does-not-exist condition failed


def cancelled_by(reasons: Sequence[str | None]) -> str | None:
    """Which condition cancelled the claim's transaction, from its reasons by item (in the
    order ``_transaction`` adds them): ``ATTENDANCE_GONE``, ``CLAIM_EXISTS``, or None when no
    condition decided (a fault, not an answer)."""
    if retry.DECISION not in reasons:
        return None
    return ATTENDANCE_GONE if reasons[0] == retry.DECISION else CLAIM_EXISTS


def answer_to_existing(existing: Claim, writes: ClaimWrites, data: ClaimIn) -> Claim | None:
    """The claim already recorded for this learner and activity -> the answer: None when it is
    this request's own write (answered late, then retried: the claim is new); the claim itself
    when it is the same claim sent again (not new); else 409 ALREADY_CLAIMED."""
    if existing.claim_id == writes.claim.claim_id:
        return None
    if _same(existing, writes.lines, data):
        return existing
    raise Conflict("ALREADY_CLAIMED", "You have already claimed credit for this activity.")


def explain(exc: TransactWriteError, writes: ClaimWrites, data: ClaimIn) -> Claim | None:
    """A cancelled claim transaction -> its answer: NOT_ATTENDED when the attendance row is gone
    (removed a moment ago); when the claim exists, ``answer_to_existing`` of it (read
    consistently: one GetItem). A transaction no condition cancelled is raised as it is."""
    cause = cancelled_by(retry.reasons_by_item(exc))
    if cause is None:
        raise exc
    if cause == ATTENDANCE_GONE:
        raise not_attended() from exc
    existing = Claim.get(writes.claim.learner_id, writes.claim.activity_id, consistent_read=True)
    try:
        return answer_to_existing(existing, writes, data)
    except Conflict as conflict:
        raise conflict from exc


def _load(
    learner_id: str, activity_id: str, behalf: Behalf | None = None
) -> tuple[Learner, Activity, date | None, Behalf | None]:
    """The learner, the published activity and the day an approved late-claim request reopened
    it to (with a coordinator's claim, the coordinator too: one BatchGetItem); 401 without the
    learner (404 on a coordinator's claim), 404 without the activity."""
    keys = [Learner(learner_id), Activity(activity_id), LateClaim(learner_id, activity_id)]
    found = get_many(*keys, *([Learner(behalf.actor_id)] if behalf else []))
    learner, activity, late = found[0], found[1], found[2]
    if learner is None:
        if behalf:
            raise NotFound("NOT_FOUND", "There is no such learner.")
        raise sign_in_required()
    if activity is None or not isinstance(activity, Activity) or not activity.published:
        raise NotFound("NOT_FOUND", "There is no such activity.")
    assert isinstance(learner, Learner)
    if behalf:
        actor = found[3] if isinstance(found[3], Learner) else None
        behalf = Behalf(behalf.actor_id, behalf.reason, behalf.override_window, who_is(actor) if actor else "")
    return learner, activity, reopened_until(late if isinstance(late, LateClaim) else None), behalf


def reopened_until(late: LateClaim | None) -> date | None:
    """The learner's reopened last day for an activity: an approved late-claim request's
    (cme.credit.late_claims), else None."""
    if late is None or late.status != "approved" or not late.reopened_until:
        return None
    return date.fromisoformat(late.reopened_until)


def claim_credit(
    learner_id: str, data: ClaimIn, source_ip: str, user_agent: str, behalf: Behalf | None = None
) -> tuple[ClaimOut, bool]:
    """Record the claim; returns it and whether it is new: ``check`` (the rules, pure) ->
    ``build`` (the records, pure) -> ``write`` (the transaction) -> ``explain`` (a cancelled
    transaction's answer).

    Three DynamoDB round trips (four with the authorizer's session read): learner + activity +
    the learner's late-claim request for it (one BatchGetItem: an approved one reopens the
    window), the claim + certificate record + audit record with a condition check
    on the attendance row (one transaction), then the activity's claim count (one UpdateItem,
    outside the transaction: see below). Which row the transaction checks must be known first
    (a transaction's conditions are all of its items, never one of several): the learner's
    one verified email, or of several the one the claim names (``attended_as``, which the web
    sends back from My activities). A learner with several who names none (or one that holds
    no row, e.g. a stale page) costs one more round trip: a BatchGetItem of the activity's
    attendance under each.

    The named row is not read first: the transaction's condition check on it is what proves
    the attendance, at the very moment the claim is written (reason 0 when it is missing:
    NOT_ATTENDED, after looking under the learner's other verified emails). So that the rules
    still answer in their order (NOT_ATTENDED first), a claim refused by a later rule reads
    the rows before answering: one more round trip, on a refusal only.

    A retry of the same claim returns it (not new); a different second claim is 409. The
    certificate is recorded in the same transaction, so its code verifies at once.

    On a learner's ``behalf`` (a coordinator's claim, docs/domain.md "Claims made by the office"):
    the same rules, reads and transaction (the coordinator is read in the first BatchGetItem), except
    that ``override_window`` passes the activity's closed window (``reopened_until`` today), never
    a board's own limit (``credit.board_limits``).
    """
    learner, activity, late, behalf = _load(learner_id, data.activity_id, behalf)
    today = clock.office_today()
    # a coordinator's override_window reopens the activity's window to today (never a board's limit)
    reopened = max(today, late or today) if behalf and behalf.override_window else late
    lines, attended_as = _checked(data, learner, activity, today, reopened)
    stamp = Stamp(now=clock.now(), claim_id=str(uuid.uuid4()), certificate_code=credit.certificate_code())
    writes = build(data, learner, activity, lines, today, stamp, source_ip, user_agent, behalf)
    try:
        write(writes, learner, attended_as)
    except TransactWriteError as exc:
        existing = explain(exc, writes, data)
        if existing is not None:
            return out(existing), False
    # The claim is recorded. The count is a separate ADD, made only for a new claim; if it
    # fails after its retries it is logged and the claim still stands (see add_to_count).
    activities.add_to_count(activity.activity_id, "claim_count")
    logger.info("credit claimed", extra={"learner_id": learner_id, "activity_id": activity.activity_id})
    certificate_mail.queue(learner_id, writes.claim.claim_id)  # EmailCertificates; never fails the claim
    return out(writes.claim), True


def my_claims(learner_id: str) -> list[ClaimOut]:
    return [out(c) for c in Claim.live(learner_id, scan_index_forward=False)]


UNVERIFIED_NOTE = (
    "Attendance recorded under an unconfirmed email is not shown. "
    "Confirm it from the link we sent, or send the link again under My emails."
)


#: keys one BatchGetItem may hold (DynamoDB's limit)
BATCH_KEYS = 100


def read_many(items: list[Any]) -> list[Any]:
    """``get_many`` (consistent BatchGetItem) in as few round trips as DynamoDB allows."""
    rows: list[Any] = []
    for start in range(0, len(items), BATCH_KEYS):
        rows.extend(get_many(*items[start : start + BATCH_KEYS]))
    return rows


def _attended_under(emails: list[str]) -> list[Any]:
    """The EmailAttendance keys of ``emails``, to read in a batch (cme.publishing.attendance keeps them)."""
    return [EmailAttendance(*EmailAttendance.key_of(email)) for email in emails]


def attendance_of(items: list[Any], verified: set[str]) -> dict[str, str]:
    """activity id -> the first of the ``verified`` emails (in order) it was attended under,
    from the EmailAttendance ``items`` read."""
    attended: dict[str, str] = {}
    for item in sorted((x for x in items if isinstance(x, EmailAttendance)), key=lambda x: x.email):
        if item.email in verified:
            for activity_id in sorted(item.activities or ()):
                attended.setdefault(activity_id, item.email)
    return attended


def _with_claims(learner_id: str, activity_ids: list[str]) -> list[Any]:
    return [x for a in activity_ids for x in (Activity(a), Claim(learner_id, a), LateClaim(learner_id, a))]


def _attended_by(learner_id: str) -> tuple[Learner, list[EmailOwner], dict[str, str]]:
    """Steps 2 and 3 of my_activities: the learner, the emails the index shows, and each activity
    attended under a verified email (activity id -> that email)."""
    owners = [o for o in EmailOwner.by_learner.query(learner_id) if o.learner_id == learner_id]
    proposed = sorted({o.email for o in owners if o.verified})
    first = read_many([Learner(learner_id), *_attended_under(proposed)])
    learner = next((x for x in first if isinstance(x, Learner)), None)
    if learner is None:
        raise sign_in_required()
    verified = set(learner.verified_emails or ())
    missed = sorted(verified - set(proposed))
    if missed:  # verified a moment ago, not verified on the index yet: read it now
        first += read_many(_attended_under(missed))
    return learner, owners, attendance_of(first, verified)


def _activities_and_claims(
    learner_id: str, ids: list[str]
) -> tuple[dict[str, Activity], dict[str, Claim], dict[str, LateClaim]]:
    """Step 4 of my_activities: each attended activity, the learner's claim on it and their
    late-claim request for it, by activity id."""
    found = read_many(_with_claims(learner_id, ids))
    activities_by_id = {x.activity_id: x for x in found if isinstance(x, Activity)}
    late = {x.activity_id: x for x in found if isinstance(x, LateClaim)}
    return activities_by_id, {x.activity_id: x for x in found if isinstance(x, Claim)}, late


def _my_activity(
    activity: Activity, email: str, claim: Claim | None, degree: str, today: date, late: LateClaim | None = None
) -> MyActivity:
    """One attended activity as My activities shows it (its status: credit.claim_status): closed
    after its last day for this learner (credit.closing: an enduring material's end date, or the
    boards' own limit when every credit the learner may claim has one, or the day an approved
    late-claim request reopened it to), with the reason; and the learner's late-claim request."""
    allowed = options(degree, activity)
    end = date.fromisoformat(activity.end_date)
    activity_format = activity.format or ""
    last_day, why = credit.closing(
        [o.type.value for o in allowed],
        activity_format,
        end,
        int(activity.claim_window_days),
        credit.completed_on(activity_format, end, today),
        reopened_until(late),
    )
    status, reason = credit.claim_status(claim is not None, last_day, today, why)
    view = activities.public_view(activity)
    can_request_late = False
    if status == "closed" and (late is None or late.status != "open"):
        try:  # what POST /api/me/late-claims would answer (docs/domain.md "Late claims")
            credit.check_late_request(
                [o.type.value for o in allowed],
                activity_format,
                end,
                int(activity.claim_window_days),
                today,
                reopened_until(late),
            )
            can_request_late = True
        except InvalidInput:
            pass
    return MyActivity(
        activity_id=activity.activity_id,
        title=activity.title,
        format=view.format,
        start_date=view.start_date,
        end_date=view.end_date,
        location=activity.location,
        credit_options=allowed,
        status=status,
        claim_deadline=last_day,
        reason=reason,
        attended_as=email,
        evaluation=view.evaluation,
        claim=out(claim) if claim else None,
        can_request_late=can_request_late,
        late_request=(
            MyLateRequest(request_id=late.request_id, status=late.status, reopened_until=reopened_until(late))
            if late
            else None
        ),
    )


def attended_activities(learner_id: str) -> tuple[Learner, list[EmailOwner], list[MyActivity]]:
    """Steps 2 to 4 of my_activities: the learner, the emails the index shows, and each activity
    attended under a verified email as My activities shows it (the latest first)."""
    learner, owners, attended = _attended_by(learner_id)
    found_activity, claims, late = _activities_and_claims(learner_id, sorted(attended))
    today = clock.office_today()
    result = [
        _my_activity(
            found_activity[activity_id], email, claims.get(activity_id), learner.degree, today, late.get(activity_id)
        )
        for activity_id, email in attended.items()
        if activity_id in found_activity
    ]
    result.sort(key=lambda a: a.start_date, reverse=True)
    return learner, owners, result


def my_activities(learner_id: str) -> MyActivitiesReply:
    """Every activity attended under a verified email, with its status and, if not claimable,
    the reason; and the learner's emails not yet verified (whose attendance is not shown).

    Four DynamoDB round trips, the authorizer's included, for up to 10 verified emails (the
    most an account holds) and up to 33 activities (each further 33 take one more
    BatchGetItem: 100 keys, three per activity):

    1. the session (authorizer);
    2. the learner's emails: a Query of the EmailsTable's ``by_learner`` index (the list the
       unverified note always came from);
    3. one consistent BatchGetItem of the learner and the EmailAttendance item of each email
       the index shows verified: the activities attended under it (cme.publishing.attendance writes that
       item in the same transaction as each attendance row, so it is exact);
    4. one consistent BatchGetItem of each attended activity, the learner's claim on it and
       their late-claim request for it (both keyed learner x activity: no Query).

    Exact where it decides: the index only *proposes* emails; what counts is the learner
    item's ``verified_emails``, read consistently in step 3 (the set every claim is checked
    against; cme.identity.emails keeps it in each verification's and removal's transaction).
    Attendance under an email the index showed that is not verified now (a removal) is
    dropped; a verified email the index does not show as verified yet (an index lags its
    table, see tests/support/index_lag.py) is read in one more step, so it is never missed.
    Attendance is still found by email at read time, as cme.identity.emails says: a verification
    copies nothing, so nothing recorded under an email before its account existed is lost."""
    learner, owners, result = attended_activities(learner_id)
    unverified = sorted(
        ({o.email for o in owners if not o.verified} | {learner.email}) - set(learner.verified_emails or ())
    )
    return MyActivitiesReply(
        activities=result,
        unverified_emails=unverified,
        note=UNVERIFIED_NOTE if unverified else None,
        attestation=credit.attestation(learner.degree),
    )


# The coordinators' claims report (totals, evaluation summary, unclaimed, CSV): cme.credit.claims_report
