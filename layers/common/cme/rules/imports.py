"""Importing another portal's history (docs/api.md "Imports"): the kinds of file, our own
columns, and the shapes a row takes on its way from the file to the tables. Pure: no AWS, no
tables, no clock.

Shared by the reader (cme.platform.tabular turns a file into rows), the worker's writers
(cme.credit.imports and its kinds) and the routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["learners", "activities", "attendance", "claims"]
KINDS: tuple[Kind, ...] = ("learners", "activities", "attendance", "claims")

#: Our own headers, per kind: a file with them needs no mapping (``mapping`` ``{}``).
COLUMNS: dict[str, tuple[str, ...]] = {
    "learners": ("source_id", "email", "first_name", "last_name", "degree", "phone", "npi"),
    "activities": ("source_id", "title", "format", "start_date", "end_date", "location", "credits"),
    "attendance": ("activity_source_id", "email", "first_name", "last_name"),
    "claims": (
        "source_id",
        "activity_source_id",
        "email",
        "credit_type",
        "credits",
        "completed_on",
        "certificate_number",
    ),
}


@dataclass(frozen=True)
class Problem:
    """What is wrong with one row: its spreadsheet row number (the header is row 1), the column
    (one of ours), a registered code and words for the office."""

    row: int
    field: str
    code: str
    message: str


@dataclass
class Row:
    """One data row: its spreadsheet row number and its values under our column names (strings
    as read, trimmed; a column the file lacks is absent)."""

    row: int
    values: dict[str, Any]


Result = Literal["created", "matched", "skipped", "problem"]


@dataclass
class Outcome:
    """What one row came to: ``created`` (a new record), ``matched`` (an existing record it was
    joined to: a learner found by email), ``skipped`` (imported before: its ImportKey exists) or
    ``problem`` (nothing written; ``problems`` says why)."""

    row: int
    result: Result
    problems: list[Problem] = field(default_factory=list)
    target: str | None = None  # what the row became (a learner id, an activity id, ...)


@dataclass(frozen=True)
class Context:
    """The import a batch belongs to, as a writer needs it."""

    import_id: str
    kind: str
    source_name: str  # as the office typed it
    source_key: str  # source_key(source_name)
    report_to_boards: bool
    dry_run: bool  # the check: nothing is written, outcomes are what a commit would do
    actor_id: str = ""
    actor_name: str = ""


def source_key(source_name: str) -> str:
    """The source's name as keys use it: letters and digits, upper case ("Cloud CME" -> "CLOUDCME")."""
    return "".join(ch for ch in source_name.upper() if ch.isalnum())


def certificate_key(source_name: str, number: str) -> str:
    """An imported certificate number's code, namespaced by its source: what ``GET /api/verify/{code}``
    looks up once normalized (cme.publishing.activities.normalize_code keeps letters and digits)."""
    return source_key(source_name) + "".join(ch for ch in number.upper() if ch.isalnum())


# ------------------------------------------------------------------ mapping: their headers to ours

#: the columns a kind's rows cannot do without (row 0 problem IMPORT_COLUMN_MISSING when unmapped)
REQUIRED: dict[str, tuple[str, ...]] = {
    "learners": ("source_id", "email", "first_name", "last_name"),
    "activities": ("source_id", "title", "start_date", "credits"),
    "attendance": ("activity_source_id", "email"),
    "claims": ("source_id", "activity_source_id", "email", "credit_type", "credits", "completed_on"),
}
PREVIEW_ROWS = 10
# rows in one worker message (fewer when their cells are long: a message stays under SQS's 256 KB).
# 100 keeps the job record's set of batches done small: 2,000,000 rows are 20,000 batches, about
# 100 KB of numbers in an item DynamoDB holds up to 400 KB (and each UpdateItem costs its size).
ROWS_PER_BATCH = 100

#: every problem code a row (or the mapping, row 0) can have here, and its words for the office;
#: each is registered in cme.platform.errors.CODES as 422 (infra/tools/error_sites.py reads
#: ``Problem(...)``) and its words are listed in docs/api.md "Imports"
PROBLEMS: dict[str, str] = {
    "IMPORT_VALUE_MISSING": "This row has no value in a column that needs one.",
    "IMPORT_EMAIL_INVALID": "This is not a valid email address.",
    "IMPORT_NAME_INVALID": "This name is empty or holds a web or email address.",
    "IMPORT_DEGREE_UNKNOWN": "This is not a degree the portal knows.",
    "IMPORT_PHONE_INVALID": "This is not a valid phone number.",
    "IMPORT_NPI_INVALID": "An NPI is 10 digits and passes its check digit.",
    "IMPORT_DATE_INVALID": "This is not a date (YYYY-MM-DD or M/D/YYYY), or the end is before the start.",
    "IMPORT_FORMAT_UNKNOWN": "This is not an activity format the portal knows (live, enduring, series).",
    "IMPORT_CREDIT_TYPE_UNKNOWN": "This is not a credit type the portal knows.",
    "IMPORT_NUMBER_INVALID": "This is not a positive number of credits.",
    "IMPORT_DUPLICATE_ROW": "Another row of this file has the same source id; only the first is imported.",
    "IMPORT_ACTIVITY_UNKNOWN": "No imported activity has this activity source id: import the activities first.",
    "IMPORT_LEARNER_UNKNOWN": "No learner has this email: import the learners first.",
    "IMPORT_EMAIL_HELD": "Another account holds this email without having confirmed it yet.",
    "IMPORT_ROW_FAILED": "This row could not be written after three tries; import the file again to retry it.",
    "IMPORT_COLUMN_UNKNOWN": "The mapping names a column the portal does not import.",
    "IMPORT_HEADER_UNKNOWN": "The mapping names a header the file does not have.",
    "IMPORT_COLUMN_MISSING": "A column this kind of file needs is not mapped to any header.",
}


def row_problem(row: int, column: str, code: str, detail: str = "") -> Problem:
    """A problem with its registered words (and what was found, when given)."""
    return Problem(row, column, code, PROBLEMS[code] + (f" ({detail[:80]})" if detail else ""))


def header_key(header: Any) -> str:
    """A header as it is compared: lower case, without spaces or punctuation."""
    return "".join(ch for ch in str(header or "").casefold() if ch.isalnum())


def suggest_mapping(kind: str, columns: list[str]) -> dict[str, str]:
    """``{our_column: their_header}`` for a file's headers: our own headers (case, spaces and
    punctuation aside) first; for the rest, the peer preset (cme.rules.import_presets) that
    covers most of the file's headers."""
    from cme.rules.import_presets import PRESETS

    by_key = {header_key(c): c for c in columns if c}
    ours = {col: by_key[header_key(col)] for col in COLUMNS.get(kind, ()) if header_key(col) in by_key}
    best: dict[str, str] = {}
    for portal in sorted(PRESETS):
        preset = PRESETS[portal].get(kind) or {}
        found = {
            col: by_key[header_key(theirs)]
            for col, theirs in preset.items()
            if col in COLUMNS.get(kind, ()) and header_key(theirs) in by_key
        }
        if len(found) > len(best):
            best = found
    taken = set(ours.values())
    for col, theirs in best.items():
        if col not in ours and theirs not in taken:
            ours[col] = theirs
            taken.add(theirs)
    return {col: ours[col] for col in COLUMNS.get(kind, ()) if col in ours}


def effective_mapping(kind: str, mapping: dict[str, str], columns: list[str]) -> dict[str, str]:
    """The mapping a run uses: ``{}`` means our own headers (as suggest_mapping finds them)."""
    return dict(mapping) if mapping else suggest_mapping(kind, columns)


def check_mapping(kind: str, mapping: dict[str, str], columns: list[str]) -> list[Problem]:
    """Row 0 problems of a mapping: a column of ours it does not know, a header the file lacks,
    a required column left unmapped."""
    ours = COLUMNS.get(kind, ())
    found: list[Problem] = []
    headers = set(columns)
    for col, theirs in mapping.items():
        if col not in ours:
            found.append(row_problem(0, col, "IMPORT_COLUMN_UNKNOWN", col))
        elif theirs not in headers:
            found.append(row_problem(0, col, "IMPORT_HEADER_UNKNOWN", str(theirs)[:80]))
    for col in REQUIRED.get(kind, ()):
        if col not in mapping:
            found.append(row_problem(0, col, "IMPORT_COLUMN_MISSING", col))
    return found


def apply_mapping(mapping: dict[str, str], row: Row) -> Row:
    """A file's row (values under its headers) as a Row under our column names."""
    return Row(row.row, {col: row.values.get(theirs, "") for col, theirs in mapping.items()})


# ------------------------------------------------------------------ one row, parsed

FORMAT_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        (
            "live",
            "liveactivity",
            "liveevent",
            "course",
            "conference",
            "workshop",
            "inperson",
            "webinar",
            "livewebinar",
            "virtual",
            "symposium",
            "lecture",
            "meeting",
            "livecourse",
            "hybrid",
        ),
        "live",
    ),
    **dict.fromkeys(
        (
            "enduring",
            "enduringmaterial",
            "ondemand",
            "online",
            "selfpaced",
            "homestudy",
            "webcast",
            "recorded",
            "internetenduring",
            "journal",
            "journalbasedcme",
            "podcast",
            "eLearning".lower(),
        ),
        "enduring",
    ),
    **dict.fromkeys(
        (
            "rss",
            "series",
            "regularlyscheduledseries",
            "regularlyscheduledseriessession",
            "grandrounds",
            "tumorboard",
            "tumourboard",
            "mm",
            "morbiditymortality",
            "journalclub",
            "casconference",
            "caseconference",
        ),
        "rss",
    ),
}
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
MAX_SOURCE_ID = 200


def parse_date(text: str) -> str | None:
    """YYYY-MM-DD from YYYY-MM-DD, M/D/YYYY (US), M/D/YY, or an XLSX date cell; None when none."""
    from datetime import datetime

    value = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def parse_number(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    import math

    return value if math.isfinite(value) and value > 0 else None


def credit_type_of(text: str) -> str | None:
    """Our credit type for a written one ("AMA_PRA_1", "ama pra 1", "ANCC"); None when unknown."""
    from cme.platform.schemas import CreditType

    key = header_key(text)
    aliases = {header_key(t.value): t.value for t in CreditType}
    aliases.update(
        {
            "amapracategory1": "AMA_PRA_1",
            "amapracategory1credit": "AMA_PRA_1",
            "amapra1": "AMA_PRA_1",
            "amapracat1": "AMA_PRA_1",
            "aapacategory1": "AAPA_1",
            "nursingcontacthours": "ANCC",
            "contacthours": "ANCC",
            "abimmoc": "ABIM_MOC",
            "participation": "PARTICIPATION",
        }
    )
    return aliases.get(key)


#: Degrees as other portals and rosters write them, compared as header_key does ("P.A." -> "pa"),
#: beside our own values: what a physician assistant, a nurse practitioner, a registered nurse and a
#: pharmacist are called in full or in short
DEGREE_ALIASES = {
    "pa": "PA-C",
    "physicianassistant": "PA-C",
    "physicianassociate": "PA-C",
    "nursepractitioner": "NP",
    "registerednurse": "RN",
    "pharmacist": "RPh",
    "pharmacytechnician": "CPhT",
}


def degree_of(text: str) -> str | None:
    from cme.platform.schemas import Degree

    key = header_key(text)
    found = next((d.value for d in Degree if header_key(d.value) == key), None)
    return found or DEGREE_ALIASES.get(key)


def _required(values: dict[str, Any], row: int, columns: tuple[str, ...], found: list[Problem]) -> None:
    for col in columns:
        if not str(values.get(col, "") or "").strip():
            found.append(row_problem(row, col, "IMPORT_VALUE_MISSING", col))


def _source_id(values: dict[str, Any], col: str) -> str:
    return str(values.get(col, "") or "").strip()[:MAX_SOURCE_ID]


def _email(values: dict[str, Any], row: int, parsed: dict[str, Any], found: list[Problem]) -> None:
    from cme.platform.errors import InvalidInput
    from cme.platform.normalize import normalize_email

    raw = str(values.get("email", "") or "").strip()
    if not raw:
        return  # missing: _required said so
    try:
        parsed["email"] = normalize_email(raw)
    except InvalidInput:
        found.append(row_problem(row, "email", "IMPORT_EMAIL_INVALID", raw[:80]))


def _names(values: dict[str, Any], row: int, parsed: dict[str, Any], found: list[Problem], required: bool) -> None:
    from cme.platform.normalize import clean_name, name_relays

    for col in ("first_name", "last_name"):
        raw = str(values.get(col, "") or "")
        name = clean_name(raw) if raw.strip() else ""
        if required and not name:
            if raw.strip():
                found.append(row_problem(row, col, "IMPORT_NAME_INVALID"))
            continue
        if name and (name_relays(name) or len(name) > 100):
            found.append(row_problem(row, col, "IMPORT_NAME_INVALID"))
            continue
        parsed[col] = name


def _learner(values: dict[str, Any], row: int, parsed: dict[str, Any], found: list[Problem]) -> None:
    from cme.platform.errors import InvalidInput
    from cme.platform.normalize import normalize_phone, npi_is_valid

    _email(values, row, parsed, found)
    _names(values, row, parsed, found, required=True)
    degree_text = str(values.get("degree", "") or "").strip()
    degree = degree_of(degree_text) if degree_text else degree_of("Other")
    if degree is None:
        found.append(row_problem(row, "degree", "IMPORT_DEGREE_UNKNOWN", degree_text[:40]))
    else:
        parsed["degree"] = degree
    phone = str(values.get("phone", "") or "").strip()
    if phone:
        try:
            parsed["phone"] = normalize_phone(phone, "US")
        except InvalidInput:
            found.append(row_problem(row, "phone", "IMPORT_PHONE_INVALID", phone[:40]))
    npi = str(values.get("npi", "") or "").replace(" ", "").strip()
    if npi:
        if npi_is_valid(npi):
            parsed["npi"] = npi
        else:
            found.append(row_problem(row, "npi", "IMPORT_NPI_INVALID", npi[:20]))


def parse_credits(text: str) -> tuple[list[tuple[str, float]], list[str]]:
    """``AMA_PRA_1:1.5;ANCC:1.5`` -> ([(type, amount)], [unknown types]); an amount that is no
    positive number is reported as an unknown of its own (prefixed "#")."""
    lines: list[tuple[str, float]] = []
    bad: list[str] = []
    for part in text.replace("|", ";").split(";"):
        if not part.strip():
            continue
        name, _, amount = part.partition(":")
        found = credit_type_of(name)
        number = parse_number(amount)
        if found is None:
            bad.append(name.strip()[:40])
        elif number is None:
            bad.append("#" + part.strip()[:40])
        elif found not in {t for t, _ in lines}:
            lines.append((found, number))
    return lines, bad


def _activity(values: dict[str, Any], row: int, parsed: dict[str, Any], found: list[Problem]) -> None:
    title = " ".join(str(values.get("title", "") or "").split())[:200]
    if title:
        parsed["title"] = title
    fmt_text = str(values.get("format", "") or "").strip()
    fmt = FORMAT_ALIASES.get(header_key(fmt_text)) if fmt_text else "live"
    if fmt is None:
        found.append(row_problem(row, "format", "IMPORT_FORMAT_UNKNOWN", fmt_text[:40]))
    else:
        parsed["format"] = fmt
    _dates(values, row, parsed, found)
    parsed["location"] = " ".join(str(values.get("location", "") or "").split())[:200]
    _designations(values, row, parsed, found)


def _dates(values: dict[str, Any], row: int, parsed: dict[str, Any], found: list[Problem]) -> None:
    for col in ("start_date", "end_date"):
        _cell(values, row, parsed, found, col, parse_date, "IMPORT_DATE_INVALID")
    if "start_date" in parsed:
        parsed.setdefault("end_date", parsed["start_date"])
        if parsed["end_date"] < parsed["start_date"]:
            found.append(row_problem(row, "end_date", "IMPORT_DATE_INVALID", parsed["end_date"]))


def _designations(values: dict[str, Any], row: int, parsed: dict[str, Any], found: list[Problem]) -> None:
    text = str(values.get("credits", "") or "").strip()
    if text:
        lines, bad = parse_credits(text)
        for name in bad:
            if name.startswith("#"):
                found.append(row_problem(row, "credits", "IMPORT_NUMBER_INVALID", name[1:]))
            else:
                found.append(row_problem(row, "credits", "IMPORT_CREDIT_TYPE_UNKNOWN", name))
        if lines and not bad:
            parsed["credits"] = lines
        elif not lines and not bad:
            found.append(row_problem(row, "credits", "IMPORT_VALUE_MISSING", "credits"))


def _cell(
    values: dict[str, Any],
    row: int,
    parsed: dict[str, Any],
    found: list[Problem],
    column: str,
    parse: Callable[[str], Any],
    code: str,
) -> None:
    """One cell, when not blank: ``parse``'s value under ``column``, or the problem ``code`` (None
    from ``parse`` means the text is no such value)."""
    text = str(values.get(column, "") or "").strip()
    if not text:
        return
    value = parse(text)
    if value is None:
        found.append(row_problem(row, column, code, text[:40]))
    else:
        parsed[column] = value


def _claim(values: dict[str, Any], row: int, parsed: dict[str, Any], found: list[Problem]) -> None:
    _email(values, row, parsed, found)
    _cell(values, row, parsed, found, "credit_type", credit_type_of, "IMPORT_CREDIT_TYPE_UNKNOWN")
    _cell(values, row, parsed, found, "credits", parse_number, "IMPORT_NUMBER_INVALID")
    _cell(values, row, parsed, found, "completed_on", parse_date, "IMPORT_DATE_INVALID")
    certificate = str(values.get("certificate_number", "") or "").strip()[:100]
    if certificate:
        parsed["certificate_number"] = certificate


def parse_row(kind: str, row: Row) -> tuple[dict[str, Any], list[Problem]]:
    """A row (under our column names) as the values a writer takes, and its problems (none: the
    row can be written). Values: ``source_id`` / ``activity_source_id`` (trimmed), ``email``
    (normalized), names (trimmed, accents kept), ``degree`` (ours; blank -> "Other"), ``phone``
    (E.164), ``npi``, dates (YYYY-MM-DD), ``format`` (ours), ``credits`` (activities: [(type,
    amount)]; claims: a number), ``credit_type``, ``certificate_number``."""
    values = row.values
    found: list[Problem] = []
    parsed: dict[str, Any] = {}
    _required(values, row.row, REQUIRED.get(kind, ()), found)
    for col in ("source_id", "activity_source_id"):
        if col in COLUMNS.get(kind, ()):
            parsed[col] = _source_id(values, col)
    if kind == "learners":
        _learner(values, row.row, parsed, found)
    elif kind == "activities":
        _activity(values, row.row, parsed, found)
    elif kind == "attendance":
        _email(values, row.row, parsed, found)
        _names(values, row.row, parsed, found, required=False)
    elif kind == "claims":
        _claim(values, row.row, parsed, found)
    return parsed, found


def row_key(kind: str, parsed: dict[str, Any]) -> str:
    """The row's source id as its ImportKey keeps it: attendance has none of its own, so
    ``activity_source_id + "#" + email``."""
    if kind == "attendance":
        return f"{parsed.get('activity_source_id', '')}#{parsed.get('email', '')}"
    return str(parsed.get("source_id", ""))
