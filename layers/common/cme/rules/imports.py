"""Importing another portal's history (docs/api.md "Imports"): the kinds of file, our own
columns, and the shapes a row takes on its way from the file to the tables. Pure: no AWS, no
tables, no clock.

Shared by the reader (cme.platform.tabular turns a file into rows), the worker's writers
(cme.credit.imports and its kinds) and the routes.
"""

from __future__ import annotations

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
