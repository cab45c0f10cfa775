"""Attendance: self sign-in at an event, rosters, the coordinator's list."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints

from cme.platform.schemas._common import BaseModel, EmailText, Name, Strict, Undeliverable


class SelfSignIn(Strict):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    email: EmailText
    first_name: Name
    last_name: Name


class SignedIn(BaseModel):
    activity_id: str
    title: str


class AttendLookup(BaseModel):
    """What a sign-in page shows of the activity an attendance code opens, before anyone signs in:
    its public title and dates, nothing else."""

    title: str
    start_date: str  # YYYY-MM-DD
    end_date: str


class RosterRow(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: Any = None
    first_name: Any = None
    last_name: Any = None


class RosterIn(Strict):
    rows: list[RosterRow] = Field(max_length=5000)


class Rejected(BaseModel):
    row: int
    reason: str


class RosterReport(BaseModel):
    added: int
    already_present: int
    rejected: list[Rejected]


class AttendanceEntry(BaseModel):
    email: str
    first_name: str
    last_name: str
    source: str
    recorded_at: str
    claimed: bool = False  # a claim rests on this attendance: it cannot be removed
    # mail to this email is not sent any more (SES reported a permanent bounce or a complaint)
    undeliverable: Undeliverable | None = None


class AttendanceListReply(BaseModel):
    """One page of an activity's attendance (by email), and how many rows match in all."""

    rows: list[AttendanceEntry]
    next_cursor: str | None = None
    total: int
