"""Activities as published, and as coordinators edit them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints

from cme.platform.schemas._common import ActivityFormat, BaseModel, CreditType, QuestionKind, Strict
from cme.platform.schemas.credit import Credit


class Question(Strict):
    question_id: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,40}$")]
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    kind: QuestionKind = QuestionKind.TEXT
    required: bool = True
    choices: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]] | None = None


# an activity's id at a board or accreditor (ACPE UAN, ACCME PARS id); "" removes it
BoardActivityId = Annotated[str | None, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9-]{0,40}$")]


class ActivityIn(Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = ""
    format: ActivityFormat
    start_date: date
    end_date: date
    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""
    credits: list[Credit] = Field(min_length=1, max_length=len(CreditType))
    claim_window_days: int = Field(ge=1, le=365)
    evaluation: list[Question] = Field(default_factory=list, max_length=50)
    attendance_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = None
    published: bool = False
    # ACPE's Universal Activity Number as older clients send it: filed under the audience its last
    # letter names (-P uan_pharmacist, -T uan_technician; cme.publishing.activities), never stored as is
    uan: BoardActivityId = None
    # ACPE's UAN per audience it designates (e.g. JA0000000-0000-26-001-L01-P): the pharmacists' ends
    # -P, the technicians' -T; an activity designating ACPE has at least one (cme.rules.credit.check_uans)
    uan_pharmacist: BoardActivityId = None
    uan_technician: BoardActivityId = None
    pars_activity_id: BoardActivityId = None  # ACCME's PARS activity id
    # the last day the AAPA Category 1 designation is valid (the AAPA statement prints it)
    aapa_valid_until: date | None = None
    # ids of cme.publishing.topics (GET /api/topics); licence requirements count credit by topic
    topics: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]] = Field(
        default_factory=list, max_length=20
    )


class PublicActivity(BaseModel):
    activity_id: str
    title: str
    description: str
    format: ActivityFormat
    start_date: date
    end_date: date
    location: str
    credits: list[Credit]
    claim_window_days: int
    evaluation: list[Question]
    published: bool
    topics: list[str] = Field(default_factory=list)  # ids of cme.publishing.topics


class AdminActivity(PublicActivity):
    attendance_code: str
    attendance_count: int
    claim_count: int
    attend_url: str
    uan: str | None = None  # for older clients: the pharmacists' UAN, else the technicians'
    uan_pharmacist: str | None = None
    uan_technician: str | None = None
    pars_activity_id: str | None = None
    aapa_valid_until: date | None = None


class ActivitiesReply(BaseModel):
    activities: list[PublicActivity]
    next_cursor: str | None = None  # pass as ?cursor= for the next page; null on the last


class AdminActivitiesReply(BaseModel):
    activities: list[AdminActivity]
    next_cursor: str | None = None


class ActivityReply(BaseModel):
    activity: AdminActivity
