"""Imported claims (docs/domain.md "Imported history"): the ``claims`` file of an import, one
batch at a time, as the import worker (cme.credit.imports) hands it over.

Each row is a credit line the old portal recorded: a learner (by email), an activity (by the
source id it was imported under), a credit type and amount, the completion day and, often, the
certificate number the old portal printed. Rows of one learner and activity become ONE claim
with a line each; the claim is marked ``source: "imported"`` with the source's name.

DynamoDB calls: per batch, two rounds of consistent BatchGetItem (100 keys a call): first the
rows' own ImportKeys, their activities' ImportKeys, the emails' owners and the certificate
numbers; then the activities, the learners and the learners' claims of them. Then the rows that
create a claim share transactions (cme.platform.retry.Group: 3 items a row, 33 rows a
transaction; a row whose claim or certificate number a pending row writes commits the group
first; a group a condition cancels is written again a row at a time); a row that adds a line to
a claim writes one transaction of its own; none when a row is skipped, matched or a problem;
and per batch one ADD per activity to its claim count. A dry run makes the reads and
no write, and answers the outcomes a commit would.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from cme.credit.claims import read_many
from cme.platform import clock, retry
from cme.platform.models import Activity, Certificate, Claim, EmailOwner, ImportKey, Learner, plain
from cme.platform.models.tables import ClaimLine
from cme.platform.observability import logger
from cme.platform.schemas import CreditType
from cme.publishing import activities
from cme.records import board_files, certificates
from cme.rules import credit
from cme.rules.imports import Context, Outcome, Problem, Row, certificate_key

KIND = "claims"
IMPORTED = "imported"  # Claim.source of an imported claim

ACTIVITY_UNKNOWN = "No activity was imported under this source id; import the activities file first."
LEARNER_UNKNOWN = "No learner has this email; import the learners file first."
EMAIL_HELD = "This email is an unconfirmed address of another account, so it names no learner yet."
CERTIFICATE_TAKEN = "This certificate number is already another certificate's."
CLAIM_DUPLICATE = "This learner's imported claim of this activity already has a line of this credit type."


@dataclass
class _Found:
    """What a batch's reads found: the rows' keys already imported, the activities by their
    source id, the emails' owners and their learners, the learners' claims, the certificates."""

    done: dict[str, ImportKey] = field(default_factory=dict)  # ImportKey pk -> item
    activity_ids: dict[str, str] = field(default_factory=dict)  # activity source id -> activity id
    activities: dict[str, Activity] = field(default_factory=dict)
    owners: dict[str, EmailOwner] = field(default_factory=dict)
    learners: dict[str, Learner] = field(default_factory=dict)
    claims: dict[tuple[str, str], Claim] = field(default_factory=dict)
    certificates: dict[str, Certificate] = field(default_factory=dict)
    created: Counter[str] = field(default_factory=Counter)  # activity id -> claims this batch made


def _row_key(ctx: Context, values: dict[str, Any]) -> str:
    return ImportKey.key_of(ctx.source_key, KIND, str(values["source_id"]))


def _activity_key(ctx: Context, source_id: str) -> str:
    return ImportKey.key_of(ctx.source_key, "activities", source_id)


def _code_of(ctx: Context, values: dict[str, Any]) -> str | None:
    number = values.get("certificate_number")
    return certificate_key(ctx.source_name, str(number)) if number else None


def _look_up(ctx: Context, rows: list[tuple[Row, dict[str, Any]]]) -> _Found:
    """The batch's two rounds of reads."""
    found = _Found()
    activity_sources = sorted({str(values["activity_source_id"]) for _, values in rows})
    codes = sorted({code for _, values in rows if (code := _code_of(ctx, values))})
    first = read_many(
        [
            *(ImportKey(_row_key(ctx, values), "#") for _, values in rows),
            *(ImportKey(_activity_key(ctx, source_id), "#") for source_id in activity_sources),
            *(EmailOwner(email) for email in sorted({str(values["email"]) for _, values in rows})),
            *(Certificate(code) for code in codes),
        ]
    )
    activity_prefix = _activity_key(ctx, "")
    for item in first:
        if isinstance(item, ImportKey) and item.pk.startswith(activity_prefix):
            found.activity_ids[item.pk[len(activity_prefix) :]] = item.target
        elif isinstance(item, ImportKey):
            found.done[item.pk] = item
        elif isinstance(item, EmailOwner):
            found.owners[item.email] = item
        elif isinstance(item, Certificate):
            found.certificates[item.certificate_code] = item
    learner_ids = sorted({o.learner_id for o in found.owners.values() if o.verified or o.imported_from})
    activity_ids = sorted(set(found.activity_ids.values()))
    second = read_many(
        [
            *(Activity(a) for a in activity_ids),
            *(Learner(x) for x in learner_ids),
            *(Claim(x, a) for x, a in _pairs(rows, found)),
        ]
    )
    for item in second:
        if isinstance(item, Activity):
            found.activities[item.activity_id] = item
        elif isinstance(item, Learner):
            found.learners[item.learner_id] = item
        elif isinstance(item, Claim):
            found.claims[(item.learner_id, item.activity_id)] = item
    return found


def _pairs(rows: list[tuple[Row, dict[str, Any]]], found: _Found) -> list[tuple[str, str]]:
    """Each (learner id, activity id) the batch's rows name: the claims to read."""
    pairs = set()
    for _, values in rows:
        owner = found.owners.get(str(values["email"]))
        activity_id = found.activity_ids.get(str(values["activity_source_id"]))
        if owner is not None and (owner.verified or owner.imported_from) and activity_id is not None:
            pairs.add((owner.learner_id, activity_id))
    return sorted(pairs)


def _row_problem(row: Row, field_name: str, code: str, message: str) -> Outcome:
    return Outcome(row.row, "problem", [Problem(row.row, field_name, code, message)])


def _learner(row: Row, values: dict[str, Any], found: _Found) -> Learner | Outcome:
    """The learner the row's email names: the owner of a confirmed or imported address."""
    owner = found.owners.get(str(values["email"]))
    if owner is not None and not owner.verified and not owner.imported_from:
        return _row_problem(row, "email", "IMPORT_EMAIL_HELD", EMAIL_HELD)
    learner = found.learners.get(owner.learner_id) if owner else None
    if learner is None:
        return _row_problem(row, "email", "IMPORT_LEARNER_UNKNOWN", LEARNER_UNKNOWN)
    return learner


def _activity(row: Row, values: dict[str, Any], found: _Found) -> Activity | Outcome:
    activity_id = found.activity_ids.get(str(values["activity_source_id"]))
    activity = found.activities.get(activity_id) if activity_id else None
    if activity is None:
        return _row_problem(row, "activity_source_id", "IMPORT_ACTIVITY_UNKNOWN", ACTIVITY_UNKNOWN)
    return activity


def _line(values: dict[str, Any]) -> ClaimLine:
    return ClaimLine(credit_type=str(values["credit_type"]), credits=float(values["credits"]))


def _report(claim: Claim, learner: Learner, ctx: Context) -> None:
    """Board reporting of an imported claim: only when the import says ``report_to_boards`` (the
    office reports what the old portal did not), then as cme.records.board_files.prepare sets it
    for any claim, the import standing for the MOC consent; else none."""
    lines = credit.claim_lines(claim)
    if not ctx.report_to_boards:
        return
    boards = credit.moc_boards(lines)
    claim.moc_consent = bool(boards)
    claim.board_ids = {b: v for b, v in plain(learner.board_ids).items() if b in boards} or None
    claim.birth_mmdd = learner.birth_mmdd if credit.needs_birth_mmdd(lines) else None
    claim.nabp_eprofile_id = learner.nabp_eprofile_id if any(x.credit_type == CreditType.ACPE for x in lines) else None
    board_files.prepare(claim, learner.first_name, learner.last_name)


def new_claim(
    ctx: Context, values: dict[str, Any], learner: Learner, activity: Activity, code: str | None
) -> tuple[Claim, Certificate]:
    """An imported claim of one line and its certificate record (verifiable at once; its PDF is
    ours, made at the first download). No read, no write."""
    completed = date.fromisoformat(str(values["completed_on"]))
    line = _line(values)
    claim = Claim(
        learner.learner_id,
        activity.activity_id,
        claim_id=str(uuid.uuid4()),
        activity_title=activity.title,
        activity_start=activity.start_date,
        activity_end=activity.end_date,
        activity_format=activity.format,
        completed_on=completed.isoformat(),
        credit_type=line.credit_type,
        credits=line.credits,
        lines=[line],
        attested=True,
        claimed_at=clock.office_noon(completed),
        certificate_code=code or credit.certificate_code(),
        learner_name=f"{learner.first_name} {learner.last_name}",
        degree=learner.degree,
        email=learner.email,
        npi=learner.npi,
        topics=[str(t) for t in activity.topics or []],
        source=IMPORTED,
        source_name=ctx.source_name,
        import_types={line.credit_type},
    )
    _report(claim, learner, ctx)
    return claim, _certificate(ctx, values, claim, learner, claim.certificate_code, [line])


def _certificate(
    ctx: Context, values: dict[str, Any], claim: Claim, learner: Learner, code: str, lines: list[ClaimLine]
) -> Certificate:
    certificate = certificates.record(claim, learner, code)
    certificate.credit_type, certificate.credits, certificate.lines = lines[0].credit_type, lines[0].credits, lines
    certificate.issued_at = claim.claimed_at
    certificate.source_name = ctx.source_name
    number = values.get("certificate_number")
    certificate.original_number = str(number) if number else None
    return certificate


class _Race(Exception):
    """The claim the row would create was created meanwhile (another batch): decide again."""


#: a transaction's items as PynamoDB sends them: condition checks, deletes, puts, then updates
KEY, CLAIM, CERTIFICATE = "key", "claim", "certificate"


def _key(ctx: Context, values: dict[str, Any], claim: Claim) -> ImportKey:
    return ImportKey(_row_key(ctx, values), "#", target=_target(claim), import_id=ctx.import_id, created_at=clock.now())


def _create(
    ctx: Context,
    row: Row,
    values: dict[str, Any],
    learner: Learner,
    activity: Activity,
    found: _Found,
    group: _Pending | None = None,
) -> Outcome | None:
    """A new claim. With ``group`` (a commit), its three writes join the group's transaction and
    None is returned: the group sets the row's outcome when it is committed, or writes the row
    alone (``_one`` again) when a condition cancels it."""
    code = _code_of(ctx, values)
    if code and code in found.certificates:
        return _row_problem(row, "certificate_number", "IMPORT_CERTIFICATE_TAKEN", CERTIFICATE_TAKEN)
    claim, certificate = new_claim(ctx, values, learner, activity, code)
    key = _key(ctx, values, claim)

    def fill(tx: TransactWrite) -> None:
        tx.save(key, condition=ImportKey.pk.does_not_exist())
        tx.save(claim, condition=Claim.activity_id.does_not_exist())
        tx.save(certificate, condition=Certificate.certificate_code.does_not_exist())

    def written() -> None:
        found.claims[(claim.learner_id, claim.activity_id)] = claim
        found.certificates[certificate.certificate_code] = certificate
        found.created[claim.activity_id] += 1

    if group is not None and not ctx.dry_run:
        outcomes = group.outcomes
        names = {f"key:{key.pk}", *_names(claim.learner_id, claim.activity_id, certificate.certificate_code)}

        def settle() -> None:
            written()
            outcomes[row.row] = _outcome(row, None, key)

        def alone() -> None:
            outcome = _one(ctx, row, values, found)
            assert outcome is not None  # alone: decided now
            outcomes[row.row] = outcome

        group.group.add(3, names, fill, settle, alone)
        return None
    decided = _commit(ctx, fill, [KEY, CLAIM, CERTIFICATE])
    if decided == CLAIM:
        raise _Race
    if decided is None:
        written()
    return _outcome(row, decided, key)


def _names(learner_id: str | None, activity_id: str | None, code: str | None) -> list[str]:
    """The names a new claim's items have in a group (its ImportKey's aside): the claim, its certificate."""
    return [f"claim:{learner_id}#{activity_id}", f"certificate:{code}"]


@dataclass
class _Pending:
    """A commit's new claims not written yet (a cme.platform.retry.Group), and the outcomes of
    the rows it has settled."""

    group: retry.Group = field(default_factory=lambda: retry.Group("import claims"))
    outcomes: dict[int, Outcome] = field(default_factory=dict)

    def before(self, ctx: Context, values: dict[str, Any], found: _Found) -> None:
        """Commits the group first when the row's claim or certificate number is one it holds: a
        row reads what the rows above it wrote."""
        owner = found.owners.get(str(values["email"]))
        activity_id = found.activity_ids.get(str(values["activity_source_id"]))
        if self.group.holds(*_names(owner.learner_id if owner else None, activity_id, _code_of(ctx, values))):
            self.group.flush()


def _outcome(row: Row, decided: str | None, key: ImportKey) -> Outcome:
    """The row's outcome from the condition that decided its transaction (None: written)."""
    if decided is None:
        return Outcome(row.row, "created", target=key.target)
    if decided == KEY:
        return Outcome(row.row, "skipped", target=key.target)
    if decided == CLAIM:
        return _row_problem(row, "credit_type", "IMPORT_CLAIM_DUPLICATE", CLAIM_DUPLICATE)
    return _row_problem(row, "certificate_number", "IMPORT_CERTIFICATE_TAKEN", CERTIFICATE_TAKEN)


def _growth(claim: Claim, line: ClaimLine, learner: Learner, ctx: Context) -> tuple[list[ClaimLine], list[Any]]:
    """The claim's lines with ``line`` added, and the update actions that add it: the line, its
    type, and the board reporting the new line brings when the import reports to boards."""
    grown = Claim(claim.learner_id, claim.activity_id, **_attributes(claim))
    grown.lines = [*(claim.lines or []), line]
    actions: list[Any] = [Claim.lines.set(Claim.lines.append([line])), Claim.import_types.add({line.credit_type})]
    if claim.report_board is None:
        _report(grown, learner, ctx)
        if grown.report_board:
            actions += [
                Claim.report_board.set(grown.report_board),
                Claim.report_key.set(grown.report_key),
                Claim.first_name.set(grown.first_name),
                Claim.last_name.set(grown.last_name),
                Claim.moc_consent.set(bool(grown.moc_consent)),
            ]
            for attribute, value in (
                (Claim.board_ids, grown.board_ids),
                (Claim.birth_mmdd, grown.birth_mmdd),
                (Claim.nabp_eprofile_id, grown.nabp_eprofile_id),
            ):
                if value:
                    actions.append(attribute.set(value))
    return grown.lines, actions


def _add_line(ctx: Context, row: Row, values: dict[str, Any], claim: Claim, learner: Learner, found: _Found) -> Outcome:
    """A later row of an imported claim: its line added (conditioned on its type not being there
    yet), to the claim's certificate too, or to a certificate of its own when its number is
    another one."""
    line = _line(values)
    if line.credit_type in (claim.import_types or set()):
        return _row_problem(row, "credit_type", "IMPORT_CLAIM_DUPLICATE", CLAIM_DUPLICATE)
    code = _code_of(ctx, values) or claim.certificate_code
    existing = found.certificates.get(code)
    if existing is not None and existing.claim_id != claim.claim_id:
        return _row_problem(row, "certificate_number", "IMPORT_CERTIFICATE_TAKEN", CERTIFICATE_TAKEN)
    own = code != claim.certificate_code and existing is None  # a number of its own: a new record
    certificate = _certificate(ctx, values, claim, learner, code, [line]) if own else None
    lines, actions = _growth(claim, line, learner, ctx)
    key = _key(ctx, values, claim)

    def fill(tx: TransactWrite) -> None:
        tx.save(key, condition=ImportKey.pk.does_not_exist())
        if certificate is not None:
            tx.save(certificate, condition=Certificate.certificate_code.does_not_exist())
        tx.update(
            claim,
            actions=actions,
            condition=(Claim.source == IMPORTED) & ~Claim.import_types.contains(line.credit_type),
        )
        if certificate is None:
            tx.update(
                Certificate(code),
                actions=[Certificate.lines.set(Certificate.lines.append([line]))],
                condition=Certificate.claim_id == claim.claim_id,
            )

    decided = _commit(ctx, fill, [KEY, CERTIFICATE, CLAIM] if certificate else [KEY, CLAIM, CERTIFICATE])
    if decided is None:
        claim.lines = lines
        claim.import_types = {*(claim.import_types or set()), line.credit_type}
        if certificate is not None:
            found.certificates[code] = certificate
    return _outcome(row, decided, key)


def _attributes(claim: Claim) -> dict[str, Any]:
    return {name: getattr(claim, name) for name in Claim.get_attributes() if name not in ("learner_id", "activity_id")}


def _target(claim: Claim) -> str:
    return f"{claim.learner_id}#{claim.activity_id}"


def _commit(ctx: Context, fill: Callable[[TransactWrite], None], items: list[str]) -> str | None:
    """Write the row's transaction (nothing in a dry run); ``items`` names its items in the order
    PynamoDB sends them. Returns None when written, else which item's condition decided. A failure
    no condition decided is raised: the batch fails and is retried (the row's key makes the retry
    skip what was written)."""
    if ctx.dry_run:
        return None
    try:
        retry.transact(fill, "import claim")
    except TransactWriteError as exc:
        reasons = retry.reasons_by_item(exc)
        if retry.DECISION not in reasons:
            raise
        return items[reasons.index(retry.DECISION)]
    return None


def _one(
    ctx: Context, row: Row, values: dict[str, Any], found: _Found, group: _Pending | None = None
) -> Outcome | None:
    """The row's outcome, or None when its new claim waits in ``group``."""
    done = found.done.get(_row_key(ctx, values))
    if done is not None:
        return Outcome(row.row, "skipped", target=done.target)
    activity = _activity(row, values, found)
    if isinstance(activity, Outcome):
        return activity
    learner = _learner(row, values, found)
    if isinstance(learner, Outcome):
        return learner
    for _ in range(2):
        claim = found.claims.get((learner.learner_id, activity.activity_id))
        if claim is not None and claim.source != IMPORTED:  # claimed here: the portal's own record stands
            return Outcome(row.row, "matched", target=_target(claim))
        try:
            if claim is None:
                return _create(ctx, row, values, learner, activity, found, group)
            return _add_line(ctx, row, values, claim, learner, found)
        except _Race:
            fresh = Claim.get(learner.learner_id, activity.activity_id, consistent_read=True)
            found.claims[(learner.learner_id, activity.activity_id)] = fresh
            if fresh.certificate_code not in found.certificates:
                found.certificates.update(
                    {c.certificate_code: c for c in read_many([Certificate(fresh.certificate_code)]) if c}
                )
    raise RuntimeError("the imported claim kept changing")  # the batch fails and is retried


def write(ctx: Context, rows: list[tuple[Row, dict[str, Any]]]) -> list[Outcome]:
    """Import a batch of ``claims`` rows (each with its parsed values: ``source_id``,
    ``activity_source_id``, ``email`` normalized, ``credit_type``, ``credits``, ``completed_on``
    ISO, ``certificate_number`` or None); an outcome per row, in order
    (docs/domain.md "Imported history"): ``created`` (a claim, or a line added to the claim an earlier row made),
    ``matched`` (the learner claimed the activity here: their own claim stands, nothing is
    written), ``skipped`` (imported before) or ``problem``."""
    if not rows:
        return []
    found = _look_up(ctx, rows)
    pending = _Pending()
    try:
        for row, values in rows:
            pending.before(ctx, values, found)
            outcome = _one(ctx, row, values, found, pending)
            if outcome is not None:
                pending.outcomes[row.row] = outcome
        pending.group.flush()
        outcomes = [pending.outcomes[row.row] for row, _ in rows]
    finally:  # the claims this delivery made are counted even when a later row fails the batch
        for activity_id, count in sorted(found.created.items()) if not ctx.dry_run else ():
            activities.add_to_count(activity_id, "claim_count", count)
    logger.info(
        "imported claims",
        extra={
            "import_id": ctx.import_id,
            "rows": len(rows),
            "dry_run": ctx.dry_run,
            "results": dict(Counter(o.result for o in outcomes)),
        },
    )
    return outcomes
