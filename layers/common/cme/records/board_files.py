"""Board reporting files (docs/domain.md "Reporting to boards"; docs/api.md "Reporting to boards").

MOC points, with the learner's consent, go to ACCME (PARS), which passes them to the board,
within 30 days of the learner's claim; every ACPE line goes to NABP's CPE Monitor within 60
days of the date of participation.

A claim with such a line carries, from claim time (``prepare``), ``report_board`` ("MOC"
or "CPE": a claim never has both, MOC being for physicians and ACPE for pharmacists) and
``report_key``: "U#" (unreported) or "R#" (reported) followed by its completion date. The
sparse ``by_report`` index (HASH ``report_board``, RANGE ``report_key``) gives:

- a file for a date range: two Queries (unreported and reported lines between the dates);
- the unreported lines, for the deadline counts: one Query of the "U#" keys, which reads
  exactly the unreported lines however old, and nothing already reported;
- a submission: the "U#" keys up to its day, each claim then marked with a conditional update.

A global secondary index lags its table: a claim made a moment ago may be missing from a file
or a count for a second or so. That is acceptable for a report; a submission marks only what
its Query found (and only what was claimed by the time the file was made, when the page says
when), so a line it missed stays unreported and shows in the counts.

Each layout is one table (``LAYOUTS``): its columns in order, their names and values. The
sources each follows, and what could not be verified, are in docs/domain.md "Reporting to boards":

- ``pars-xlsx``: ACCME's Excel learner template (row 1 guidance, row 2 the template's header,
  one row per learner completion and board, MOC points by the board's credit type);
- ``pars-txt``: the same columns tab-delimited, header rows removed, as a ``.txt``;
- ``cpe-monitor``: one record per ACPE completion with CPE Monitor's fields (provider number,
  e-Profile id, birth MMDD, UAN by the learner's audience, date of participation);
- ``csv``: "CSV for review", the office's own columns (a header row, UTF-8 with a BOM).

The MOC formats leave out lines of activities without a PARS activity id; ``status`` lists those
activities so the office fills the id in (a learner's claim is never refused for it).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from cme.platform import audit, clock, retry
from cme.platform.errors import InvalidInput, NotFound
from cme.platform.models import Activity, Claim, plain
from cme.platform.observability import logger
from cme.platform.schemas import (
    BoardReportStatus,
    CreditType,
    MissingParsId,
    ParsYearEnd,
    PartialClaim,
    ReportStatusReply,
    Withdrawal,
)
from cme.platform.spreadsheet import to_csv
from cme.publishing import activities
from cme.rules import credit

MOC, CPE = "MOC", "CPE"
BOARDS = {"moc": MOC, "cpe": CPE}  # the path's name -> the report_board value
DUE_SOON_DAYS = 7
PARS_DAYS = 30  # ACCME: a learner's completion within 30 days of the learner's claim
CPE_DAYS = 60  # ACPE: CPE Monitor accepts nothing later than 60 days after the date of participation
UNREPORTED, REPORTED = "U#", "R#"
# a revoked claim's lines already reported: to withdraw ("W#"), then withdrawn ("X#": a PARS
# file's "Delete" rows were submitted); cme.credit.revocation
WITHDRAW, WITHDRAWN = "W#", "X#"
ADD, DELETE = "Add", "Delete"  # PARS's Record Action
DATE_FORMAT = "%m/%d/%Y"  # how the review CSV and PARS write dates

# The formats (the route's ``format``): which board each is for, its media type and extension.
REVIEW, PARS_XLSX, PARS_TXT, CPE_MONITOR = "csv", "pars-xlsx", "pars-txt", "cpe-monitor"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS: dict[str, tuple[frozenset[str], str, str]] = {
    REVIEW: (frozenset({MOC, CPE}), "text/csv; charset=utf-8", "csv"),
    PARS_XLSX: (frozenset({MOC}), XLSX_TYPE, "xlsx"),
    PARS_TXT: (frozenset({MOC}), "text/plain; charset=utf-8", "txt"),
    CPE_MONITOR: (frozenset({CPE}), "text/csv; charset=utf-8", "csv"),
}

#: PARS's credit type for each board's MOC points (our claims carry one credit type per board).
#: ABIM "Medical Knowledge" is the template's own example; the others are unverified
#: (docs/domain.md "Reporting to boards").
PARS_CREDIT_TYPES: dict[str, str] = {
    "ABIM": "Medical Knowledge",
    "ABA": "Lifelong Learning",
    "ABP": "Lifelong Learning and Self-Assessment",
    "ABS": "Accredited CME",
    "ABPath": "Lifelong Learning",
    "ABO": "Lifelong Learning",
    "ABOHNS": "Self-Assessment",
}

#: Row 1 of the PARS Excel template is guidance text; the data starts on row 3.
PARS_GUIDANCE = (
    "Learner completions for ACCME PARS: one row per learner completion and board (row 2: the template's header)."
)


@dataclass(frozen=True)
class Row:
    """One line of a board file: a claim's line, its activity and completion date."""

    claim: Claim
    line: credit.Line
    activity: Activity | None
    completed: date
    action: str = ADD  # PARS's Record Action: "Delete" withdraws a revoked claim's reported line


def _moc_board(line: credit.Line) -> str:
    return credit.KINDS[line.credit_type].moc_board or ""


def _board_id(row: Row) -> str:
    found = plain(row.claim.board_ids).get(_moc_board(row.line), "")
    return str(found or "")


def _first(row: Row) -> str:
    return row.claim.first_name or row.claim.learner_name.partition(" ")[0]


def _last(row: Row) -> str:
    return row.claim.last_name or row.claim.learner_name.partition(" ")[2]


def _mmdd(row: Row) -> str:
    return row.claim.birth_mmdd or ""


def pars_id(activity: Activity | None) -> str:
    return (activity.pars_activity_id if activity else None) or ""


def uan_for(activity: Activity | None, degree: str) -> str:
    """The UAN a learner's ACPE line is reported under: their audience's (-T technicians, -P
    pharmacists; an activity from before the UAN per audience has one ``uan``, read by its
    suffix: publishing.activities.uans)."""
    if activity is None:
        return ""
    return activities.uans(activity).for_degree(degree) or ""


def provider_number(uan: str) -> str:
    """ACPE's provider number is the UAN's first part ("0204-0000-26-001-L01-P" -> "0204")."""
    return uan.partition("-")[0]


def _points(row: Row) -> float:
    return float(row.line.credits)


Column = tuple[str, Callable[[Row], Any]]

#: Each layout's columns, in order: (name, value). The one place each file's layout is kept.
LAYOUTS: dict[str, list[Column]] = {
    # ACCME "Excel Template Instructions for Submitting Learner Completion Data" and its learner
    # template (header row 2): one row per learner completion; CME, MOC or both in one row. The
    # portal reports MOC only (the learner consented to that), so the CME and licence columns stay empty.
    PARS_XLSX: [
        ("Record Action", lambda r: r.action),
        ("ACCME Activity ID", lambda r: pars_id(r.activity)),
        ("Completion Date", lambda r: r.completed),
        ("First Name", _first),
        ("Last Name", _last),
        ("Date of Birth", lambda r: f"{_mmdd(r)[:2]}/{_mmdd(r)[2:]}" if _mmdd(r) else ""),
        ("Licensing State", lambda r: ""),
        ("Licensing ID or NPI", lambda r: ""),
        ("Number of CME Credits", lambda r: ""),
        ("Certifying Board", lambda r: _moc_board(r.line)),
        ("Certifying Board ID", _board_id),
        ("Total Board Credits", _points),
        ("Credit Type", lambda r: PARS_CREDIT_TYPES.get(_moc_board(r.line), "")),
        ("Credits Awarded for Credit Type", _points),
    ],
    # ACPE "CPE Monitor Technical Specifications" (the web service's fields, in its order):
    # pharmacist or technician is the UAN's -P / -T; the hours are the UAN's, not sent.
    CPE_MONITOR: [
        ("provider_number", lambda r: provider_number(uan_for(r.activity, r.claim.degree))),
        ("epid", lambda r: r.claim.nabp_eprofile_id or ""),
        ("date_of_birth", _mmdd),
        ("uan", lambda r: uan_for(r.activity, r.claim.degree)),
        ("date_of_participation", lambda r: r.completed.isoformat()),
        ("action", lambda r: "I"),
    ],
}
LAYOUTS[PARS_TXT] = LAYOUTS[PARS_XLSX]  # the template's columns, tab-delimited, header rows removed

#: "CSV for review": the office's own columns, per board (a header row; not an upload format).
REVIEW_COLUMNS: dict[str, list[Column]] = {
    MOC: [
        ("Board", lambda r: _moc_board(r.line)),
        ("Board ID", _board_id),
        ("First Name", _first),
        ("Last Name", _last),
        ("Birth Month", lambda r: _mmdd(r)[:2]),
        ("Birth Day", lambda r: _mmdd(r)[2:]),
        ("Activity ID", lambda r: pars_id(r.activity)),
        ("Completion Date", lambda r: r.completed.strftime(DATE_FORMAT)),
        ("Points", lambda r: credit.amount(r.line.credits)),
    ],
    CPE: [
        ("NABP e-Profile ID", lambda r: r.claim.nabp_eprofile_id or ""),
        ("Birth Date (MMDD)", _mmdd),
        ("UAN", lambda r: uan_for(r.activity, r.claim.degree)),
        ("Completion Date", lambda r: r.completed.strftime(DATE_FORMAT)),
        ("Contact Hours", lambda r: credit.amount(r.line.credits)),
    ],
}


# ------------------------------------------------------------------ pure rules


def pars_due(claimed_on: date) -> date:
    """PARS: the learner's completion is due 30 days after the learner's claim (its office day)."""
    return claimed_on + timedelta(days=PARS_DAYS)


def cpe_due(participated_on: date) -> date:
    """CPE Monitor: due (and accepted no later than) 60 days after the date of participation."""
    return participated_on + timedelta(days=CPE_DAYS)


def pars_year_end(today: date) -> tuple[int, date]:
    """PARS accepts a reporting year's learner data until March 31 of the next year: the
    earliest year still open on ``today`` and the last day it is accepted."""
    this_year_end = date(today.year, 3, 31)
    if today <= this_year_end:
        return today.year - 1, this_year_end
    return today.year, date(today.year + 1, 3, 31)


def due_on(which: str, claim: Claim) -> date:
    """When ``claim``'s lines are due at the board (``which``)."""
    if which == MOC:
        return pars_due(clock.local_date(claim.claimed_at))
    return cpe_due(_completed(claim))


# ------------------------------------------------------------------ at claim time


def board_of(lines: Iterable[credit.Line], moc_consent: bool) -> str | None:
    """Which board file a claim's lines go to: "MOC" for an MOC line with consent, "CPE" for an
    ACPE line (every ACPE line is reported), else None."""
    kinds = {line.credit_type for line in lines}
    if moc_consent and kinds & credit.MOC_TYPES:
        return MOC
    if CreditType.ACPE in kinds:
        return CPE
    return None


def prepare(claim: Claim, first_name: str, last_name: str) -> None:
    """Give a new claim (before it is saved) its board-reporting attributes, from its lines and
    consent: ``report_board``, ``report_key`` (unreported, its completion date) and the name as
    the board files need it (first and last apart). A claim with nothing to report gets none."""
    which = board_of(credit.claim_lines(claim), bool(claim.moc_consent))
    if which is None:
        return
    claim.report_board = which
    claim.report_key = UNREPORTED + str(claim.completed_on)
    claim.first_name = first_name
    claim.last_name = last_name


# ------------------------------------------------------------------ reading


def board(name: str) -> str:
    """The path's name ("moc", "cpe") -> the report_board value ("MOC", "CPE"); 404 for any other."""
    found = BOARDS.get(name.lower())
    if found is None:
        raise NotFound("NOT_FOUND", "There is no such report (moc or cpe).")
    return found


def _lines(claim: Claim, which: str) -> list[credit.Line]:
    """The claim's lines that go in ``which`` file."""
    lines = credit.claim_lines(claim)
    if which == MOC:
        return [line for line in lines if line.credit_type in credit.MOC_TYPES] if claim.moc_consent else []
    return [line for line in lines if line.credit_type == CreditType.ACPE]


def _completed(claim: Claim) -> date:
    return date.fromisoformat(str(claim.report_key)[len(UNREPORTED) :])


def withdraw(claim: Claim) -> None:
    """A claim being revoked (its revoked copy, before it is saved): a line not reported yet leaves
    the board index; a line already reported stays in it to be withdrawn ("W#")."""
    if claim.report_board is None or claim.report_key is None:
        return
    if claim.reported_on:
        claim.report_key = WITHDRAW + _completed(claim).isoformat()
    else:
        claim.report_board = None
        claim.report_key = None


def _query(which: str, prefix: str, start: date | None = None, end: date | None = None) -> Iterator[Claim]:
    """The index's claims under ``prefix`` (paginated by PynamoDB), completed in [start, end]."""
    if start is None and end is None:
        return Claim.by_report.query(which, Claim.report_key.startswith(prefix))
    low = f"{prefix}{start}" if start else prefix
    return Claim.by_report.query(which, Claim.report_key.between(low, f"{prefix}{end or '9999-12-31'}"))


def _activities(claims: Iterable[Claim]) -> dict[str, Activity]:
    ids = sorted({c.activity for c in claims})
    return {a.activity_id: a for a in Activity.batch_get(ids)} if ids else {}


def _in_file(which: str, activity: Activity | None) -> bool:
    """Whether a line of ``activity`` goes in ``which`` board's file: an MOC line needs the
    activity's PARS activity id (PARS refuses a completion without it)."""
    return which != MOC or bool(pars_id(activity))


def rows(which: str, start: date, end: date, deletes: bool = False) -> list[Row]:
    """Every line of ``which`` board completed from ``start`` to ``end`` (reported or not), less
    the MOC lines of activities without a PARS activity id; with ``deletes`` (the PARS files)
    also the reported lines of revoked claims still to withdraw, as "Delete" rows. A revoked
    claim's lines are otherwise in no file."""
    prefixes = (UNREPORTED, REPORTED, WITHDRAW) if deletes else (UNREPORTED, REPORTED)
    found = [c for prefix in prefixes for c in _query(which, prefix, start, end)]
    by_id = _activities(found)
    result = [
        Row(
            claim=c,
            line=line,
            activity=by_id.get(c.activity),
            completed=_completed(c),
            action=DELETE if str(c.report_key).startswith(WITHDRAW) else ADD,
        )
        for c in found
        if _in_file(which, by_id.get(c.activity))
        for line in _lines(c, which)
    ]
    result.sort(key=lambda r: (r.completed, _last(r).casefold(), _first(r).casefold(), r.claim.claim_id))
    return result


def _text(value: Any) -> str:
    """A value as the tab-delimited file writes it: dates MM/DD/YYYY, amounts as the office
    writes them, no tab or line break inside a field (they would split it)."""
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, float):
        return credit.amount(value)
    return " ".join(str(value).split("\t")).replace("\r", " ").replace("\n", " ")


def _xlsx(columns: list[Column], found: list[Row]) -> bytes:
    """The PARS Excel learner template's layout: row 1 guidance, row 2 the header, then a row per
    line. Dates are date cells (MM/DD/YYYY); text is never taken for a formula. Written in
    openpyxl's write-only mode, each row written once (5,000 rows: about 190 KiB in about 2 s
    on a shared 2-core machine; the normal mode took 50 s)."""
    from openpyxl import Workbook  # only the Excel file needs it
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")

    def cell(value: Any) -> WriteOnlyCell:
        made = WriteOnlyCell(sheet, value=None if value == "" else value)
        if isinstance(value, str) and value:
            made.data_type = "s"  # "=..." stays text (OWASP CSV injection)
        elif isinstance(value, date):
            made.number_format = "mm/dd/yyyy"
        return made

    sheet.append([cell(PARS_GUIDANCE)])
    sheet.append([cell(name) for name, _ in columns])
    for row in found:
        sheet.append([cell(value(row)) for _, value in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _plain_csv(columns: list[Column], found: list[Row]) -> str:
    """A header row of the fields' names, then a record per line (no byte-order mark)."""
    return to_csv([name for name, _ in columns], ([value(r) for _, value in columns] for r in found))[1:]


def file(which: str, start: date | None, end: date | None, fmt: str = REVIEW) -> tuple[str, str, str | bytes]:
    """(file name, media type, body) of a board's lines completed from ``start`` to ``end`` (the
    last 30 days to today when not given) in ``fmt`` (``FORMATS``; 422 for another board's)."""
    boards, media_type, extension = FORMATS[fmt]
    if which not in boards:
        raise credit.problem("VALIDATION_FAILED", f"The {fmt} format is not for this board's file.", "format")
    end = end or clock.office_today()
    start = start or end - timedelta(days=PARS_DAYS)
    if start > end:
        raise credit.problem("DATES_INVALID", "The start date is after the end date.", "from")
    found = rows(which, start, end)
    name = f"{which.lower()}-{start}-to-{end}"
    body: str | bytes
    if fmt == REVIEW:
        columns = REVIEW_COLUMNS[which]
        body = to_csv([n for n, _ in columns], ([value(r) for _, value in columns] for r in found))
    elif fmt == PARS_XLSX:
        found = rows(which, start, end, deletes=True)
        name, body = f"pars-learners-{start}-to-{end}", _xlsx(LAYOUTS[fmt], found)
    elif fmt == PARS_TXT:
        found = rows(which, start, end, deletes=True)
        name = f"pars-learners-{start}-to-{end}"
        body = "".join("\t".join(_text(value(r)) for _, value in LAYOUTS[fmt]) + "\r\n" for r in found)
    else:
        name, body = f"cpe-monitor-{start}-to-{end}", _plain_csv(LAYOUTS[fmt], found)
    return f"{name}.{extension}", media_type, body


def _partial_claims() -> list[PartialClaim]:
    """Stored claims with less than the activity's designated amount of a credit type the board
    gives only whole (``credit.whole_only``: made before the rule, or by hand): listed for the
    office to check, never changed here. Activities by the ``by_kind`` index, their claims by
    ``by_activity`` (Queries, never a Scan)."""
    found: list[PartialClaim] = []
    for activity in Activity.by_kind.query("activity"):
        designated = {c.type: float(c.max) for c in activity.credits or [] if credit.whole_only(c.type)}
        if not designated:
            continue
        for claim in Claim.by_activity.query(activity.activity_id):
            for line in credit.claim_lines(claim):
                most = designated.get(line.credit_type)
                if most is not None and line.credits < most:
                    found.append(
                        PartialClaim(
                            claim_id=claim.claim_id,
                            learner_name=claim.learner_name,
                            activity_id=activity.activity_id,
                            activity_title=activity.title,
                            credit_type=line.credit_type,
                            label=credit.label(line.credit_type),
                            claimed=line.credits,
                            designated=most,
                        )
                    )
    found.sort(key=lambda p: (p.activity_title.casefold(), p.learner_name.casefold(), p.claim_id))
    return found


def withdrawals() -> list[Withdrawal]:
    """Lines reported to a board whose claim was revoked since: for the office to withdraw (a
    Query of each board's "W#" keys)."""
    found = [
        Withdrawal(
            claim_id=c.claim_id,
            learner_name=c.learner_name,
            activity_id=c.activity,
            activity_title=c.activity_title,
            board=which,
            completed_on=_completed(c),
            reported_on=date.fromisoformat(str(c.reported_on)),
            revoked_on=clock.local_date(c.revoked_at) if c.revoked_at else clock.office_today(),
        )
        for which in (MOC, CPE)
        for c in _query(which, WITHDRAW)
    ]
    found.sort(key=lambda w: (w.revoked_on, w.learner_name.casefold(), w.claim_id))
    return found


def status(today: date | None = None) -> ReportStatusReply:
    """Each board's unreported lines: how many, due within ``DUE_SOON_DAYS`` days, overdue (by
    ``due_on``); the activities whose MOC lines wait for a PARS activity id; stored partial
    claims of whole-only credit; and PARS's year-end cut-off."""
    today = today or clock.office_today()
    counts: dict[str, BoardReportStatus] = {}
    missing: dict[str, tuple[Activity | None, int]] = {}
    for which in (MOC, CPE):
        claims = list(_query(which, UNREPORTED))
        by_id = _activities(claims) if which == MOC else {}
        unreported = due_soon = overdue = 0
        for claim in claims:
            n = len(_lines(claim, which))
            if which == MOC and n and not _in_file(which, by_id.get(claim.activity_id)):
                activity, lines = missing.get(claim.activity_id, (by_id.get(claim.activity_id), 0))
                missing[claim.activity_id] = (activity, lines + n)
            deadline = due_on(which, claim)
            unreported += n
            if deadline < today:
                overdue += n
            elif deadline <= today + timedelta(days=DUE_SOON_DAYS):
                due_soon += n
        counts[which] = BoardReportStatus(unreported=unreported, due_soon=due_soon, overdue=overdue)
    year, until = pars_year_end(today)
    return ReportStatusReply(
        moc=counts[MOC],
        cpe=counts[CPE],
        missing_pars_ids=sorted(
            (
                MissingParsId(activity_id=key, title=activity.title if activity else "", lines=lines)
                for key, (activity, lines) in missing.items()
            ),
            key=lambda m: (m.title.casefold(), m.activity_id),
        ),
        partial_claims=_partial_claims(),
        withdrawals=withdrawals(),
        pars_year_end=ParsYearEnd(year=year, until=until),
    )


# ------------------------------------------------------------------ a submission


def _mark(claim: Claim, which: str, day: str) -> bool:
    """Mark one claim reported (conditionally: still unreported, in this board); False when
    another submission marked it first."""
    try:
        retry.call(
            lambda: claim.update(
                actions=[Claim.reported_on.set(day), Claim.report_key.set(REPORTED + _completed(claim).isoformat())],
                # the same claim (not a new one made at its key after a revocation), still unreported
                condition=(Claim.claim_id == claim.claim_id)
                & (Claim.report_board == which)
                & Claim.reported_on.does_not_exist(),
            ),
            "report mark",
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _to_mark(which: str, through: date, downloaded_at: datetime | None) -> list[Claim]:
    """The unreported claims of ``which`` a submission through ``through`` marks: completed
    through that day, claimed by ``downloaded_at`` when given (later ones were not in the file),
    and in the board's file (no MOC file holds the lines of an activity without a PARS id)."""
    if through > clock.office_today():
        raise InvalidInput(
            "DATES_INVALID", "A submission cannot cover days to come.", [{"field": "through", "message": "future"}]
        )
    if downloaded_at is not None and downloaded_at.tzinfo is None:
        downloaded_at = downloaded_at.replace(tzinfo=UTC)
    candidates = [
        c
        for c in _query(which, UNREPORTED, None, through)
        if (downloaded_at is None or c.claimed_at <= downloaded_at) and _lines(c, which)
    ]
    by_id = _activities(candidates) if which == MOC else {}
    return [c for c in candidates if _in_file(which, by_id.get(c.activity_id))]


def unreported(which: str, through: date, downloaded_at: datetime | None = None) -> int:
    """How many claims a submission of ``which`` through ``through`` would mark now (the page
    asks the coordinator to confirm that number and day before marking)."""
    return len(_to_mark(which, through, downloaded_at))


def _mark_withdrawn(through: date, downloaded_at: datetime | None, day: str) -> int:
    """A PARS submission: the "Delete" rows its file held (revoked claims' reported MOC lines
    completed through ``through``, revoked by ``downloaded_at`` when given, of activities with a
    PARS activity id) are withdrawn ("X#"), each with a conditional update. Returns how many."""
    candidates = [
        c
        for c in _query(MOC, WITHDRAW, None, through)
        if (downloaded_at is None or (c.revoked_at is not None and c.revoked_at <= downloaded_at)) and _lines(c, MOC)
    ]
    by_id = _activities(candidates)
    withdrawn = 0
    for claim in candidates:
        if not _in_file(MOC, by_id.get(claim.activity)):
            continue
        try:
            retry.call(
                lambda claim=claim: claim.update(  # type: ignore[misc]
                    actions=[
                        Claim.withdrawn_on.set(day),
                        Claim.report_key.set(WITHDRAWN + _completed(claim).isoformat()),
                    ],
                    condition=Claim.report_key == claim.report_key,
                ),
                "report withdrawal",
            )
            withdrawn += 1
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
    return withdrawn


def submitted(
    which: str,
    through: date,
    actor: str,
    downloaded_at: datetime | None = None,
    source_ip: str = "",
    user_agent: str = "",
) -> int:
    """Mark every unreported line of ``which`` completed through ``through`` as reported today
    (claims made after ``downloaded_at``, when given, are left: they were not in the file; so are
    MOC lines of activities without a PARS activity id, which no MOC file holds), then audit the
    submission (who, when, which, through, how many). Returns how many claims."""
    candidates = _to_mark(which, through, downloaded_at)
    day = clock.office_today().isoformat()
    marked = 0
    for claim in candidates:
        if _mark(claim, which, day):
            marked += 1
    withdrawn = _mark_withdrawn(through, downloaded_at, day) if which == MOC else 0
    audit.about(
        f"reports#{which}",
        "report_submitted",
        actor,
        {"kind": which, "through": through.isoformat(), "count": marked, "on": day, "withdrawn": withdrawn},
        source_ip,
        user_agent,
    ).save()
    logger.info("board report submitted", extra={"board": which, "through": through.isoformat(), "marked": marked})
    return marked
