"""Board reporting files (docs/domain.md "Reporting to boards"; docs/api.md "Reporting to boards").

MOC points, with the learner's consent, go to ACCME (PARS), which passes them to the board,
within 30 days of completion; every ACPE line goes to NABP's CPE Monitor within 60 days.

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

``COLUMNS`` is the one table of the files' column names and their values. The exact PARS and
CPE Monitor upload layouts could not be checked here: an office maps its own by editing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from cme.platform import audit, clock, retry
from cme.platform.errors import InvalidInput, NotFound
from cme.platform.models import Activity, Claim, plain
from cme.platform.observability import logger
from cme.platform.schemas import BoardReportStatus, CreditType, ReportStatusReply
from cme.platform.spreadsheet import to_csv
from cme.publishing import activities
from cme.rules import credit

MOC, CPE = "MOC", "CPE"
BOARDS = {"moc": MOC, "cpe": CPE}  # the path's name -> the report_board value
DEADLINE_DAYS = {MOC: 30, CPE: 60}  # days after completion the board must have the line
DUE_SOON_DAYS = 7
UNREPORTED, REPORTED = "U#", "R#"
DATE_FORMAT = "%m/%d/%Y"  # how the files write dates


@dataclass(frozen=True)
class Row:
    """One line of a board file: a claim's line, its activity and completion date."""

    claim: Claim
    line: credit.Line
    activity: Activity | None
    completed: date


def _board_id(row: Row) -> str:
    board = _moc_board(row.line)
    found = plain(row.claim.board_ids).get(board, "")
    return str(found or "")


def _moc_board(line: credit.Line) -> str:
    return credit.KINDS[line.credit_type].moc_board or ""


def _first(row: Row) -> str:
    return row.claim.first_name or row.claim.learner_name.partition(" ")[0]


def _last(row: Row) -> str:
    return row.claim.last_name or row.claim.learner_name.partition(" ")[2]


def _mmdd(row: Row) -> str:
    return row.claim.birth_mmdd or ""


Column = tuple[str, Callable[[Row], Any]]


def _uan(row: Row) -> str:
    """The activity's UAN for the learner's audience (-P pharmacists, -T technicians; publishing.activities.uans)."""
    return (activities.uans(row.activity).for_degree(row.claim.degree) if row.activity else None) or ""


#: Each file's columns, in order: (header, value). The one place to map an office's upload layout.
COLUMNS: dict[str, list[Column]] = {
    MOC: [  # ACCME PARS learner completion (MOC)
        ("Board", lambda r: _moc_board(r.line)),
        ("Board ID", _board_id),
        ("First Name", _first),
        ("Last Name", _last),
        ("Birth Month", lambda r: _mmdd(r)[:2]),
        ("Birth Day", lambda r: _mmdd(r)[2:]),
        ("Activity ID", lambda r: (r.activity.pars_activity_id if r.activity else None) or ""),
        ("Completion Date", lambda r: r.completed.strftime(DATE_FORMAT)),
        ("Points", lambda r: credit.amount(r.line.credits)),
    ],
    CPE: [  # NABP CPE Monitor
        ("NABP e-Profile ID", lambda r: r.claim.nabp_eprofile_id or ""),
        ("Birth Date (MMDD)", _mmdd),
        ("UAN", _uan),
        ("Completion Date", lambda r: r.completed.strftime(DATE_FORMAT)),
        ("Contact Hours", lambda r: credit.amount(r.line.credits)),
    ],
}


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


def _query(which: str, prefix: str, start: date | None = None, end: date | None = None) -> Iterator[Claim]:
    """The index's claims under ``prefix`` (paginated by PynamoDB), completed in [start, end]."""
    if start is None and end is None:
        return Claim.by_report.query(which, Claim.report_key.startswith(prefix))
    low = f"{prefix}{start}" if start else prefix
    return Claim.by_report.query(which, Claim.report_key.between(low, f"{prefix}{end or '9999-12-31'}"))


def rows(which: str, start: date, end: date) -> list[Row]:
    """Every line of ``which`` board completed from ``start`` to ``end`` (reported or not)."""
    found = [c for prefix in (UNREPORTED, REPORTED) for c in _query(which, prefix, start, end)]
    ids = sorted({c.activity_id for c in found})
    by_id = {a.activity_id: a for a in Activity.batch_get(ids)} if ids else {}
    result = [
        Row(claim=c, line=line, activity=by_id.get(c.activity_id), completed=_completed(c))
        for c in found
        for line in _lines(c, which)
    ]
    result.sort(key=lambda r: (r.completed, _last(r).casefold(), _first(r).casefold(), r.claim.claim_id))
    return result


def file(which: str, start: date | None, end: date | None) -> tuple[str, str]:
    """(file name, CSV) of a board's lines completed from ``start`` to ``end`` (the last 30 days
    to today when not given)."""
    end = end or clock.office_today()
    start = start or end - timedelta(days=DEADLINE_DAYS[MOC])
    if start > end:
        raise credit.problem("DATES_INVALID", "The start date is after the end date.", "from")
    columns = COLUMNS[which]
    body = to_csv([name for name, _ in columns], ([value(r) for _, value in columns] for r in rows(which, start, end)))
    return f"{which.lower()}-{start}-to-{end}.csv", body


def status(today: date | None = None) -> ReportStatusReply:
    """Each board's unreported lines: how many, due within ``DUE_SOON_DAYS`` days, overdue."""
    today = today or clock.office_today()
    counts: dict[str, BoardReportStatus] = {}
    for which, days in DEADLINE_DAYS.items():
        unreported = due_soon = overdue = 0
        for claim in _query(which, UNREPORTED):
            n = len(_lines(claim, which))
            deadline = _completed(claim) + timedelta(days=days)
            unreported += n
            if deadline < today:
                overdue += n
            elif deadline <= today + timedelta(days=DUE_SOON_DAYS):
                due_soon += n
        counts[which] = BoardReportStatus(unreported=unreported, due_soon=due_soon, overdue=overdue)
    return ReportStatusReply(moc=counts[MOC], cpe=counts[CPE])


# ------------------------------------------------------------------ a submission


def _mark(claim: Claim, which: str, day: str) -> bool:
    """Mark one claim reported (conditionally: still unreported, in this board); False when
    another submission marked it first."""
    try:
        retry.call(
            lambda: claim.update(
                actions=[Claim.reported_on.set(day), Claim.report_key.set(REPORTED + _completed(claim).isoformat())],
                condition=(Claim.report_board == which) & Claim.reported_on.does_not_exist(),
            ),
            "report mark",
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def submitted(
    which: str,
    through: date,
    actor: str,
    downloaded_at: datetime | None = None,
    source_ip: str = "",
    user_agent: str = "",
) -> int:
    """Mark every unreported line of ``which`` completed through ``through`` as reported today
    (claims made after ``downloaded_at``, when given, are left: they were not in the file), then
    audit the submission (who, when, which, through, how many). Returns how many claims."""
    if through > clock.office_today():
        raise InvalidInput(
            "DATES_INVALID", "A submission cannot cover days to come.", [{"field": "through", "message": "future"}]
        )
    day = clock.office_today().isoformat()
    if downloaded_at is not None and downloaded_at.tzinfo is None:
        downloaded_at = downloaded_at.replace(tzinfo=UTC)
    marked = 0
    for claim in _query(which, UNREPORTED, None, through):
        if downloaded_at is not None and claim.claimed_at > downloaded_at:
            continue
        if _lines(claim, which) and _mark(claim, which, day):
            marked += 1
    audit.about(
        f"reports#{which}",
        "report_submitted",
        actor,
        {"kind": which, "through": through.isoformat(), "count": marked, "on": day},
        source_ip,
        user_agent,
    ).save()
    logger.info("board report submitted", extra={"board": which, "through": through.isoformat(), "marked": marked})
    return marked
