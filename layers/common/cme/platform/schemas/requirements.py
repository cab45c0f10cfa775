"""Licence requirement sets and the learner's progress against them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints

from cme.platform.schemas._common import BaseModel, CreditType, CreditTypeText, Strict
from cme.platform.schemas.credit import TopicOut


class RequirementRuleIn(Strict):
    """One rule: at least ``min_credits`` of any of ``credit_types``, on ``topic`` when given.
    ``rule_id`` is generated when absent; ``text`` is written from the rule when empty."""

    rule_id: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,40}$")] | None = None
    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""
    credit_types: list[CreditTypeText] = Field(min_length=1, max_length=len(CreditType))
    topic: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    min_credits: float


class RequirementSetIn(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    cycle_months: int
    rules: list[RequirementRuleIn] = Field(min_length=1, max_length=20)


class RequirementRuleOut(BaseModel):
    rule_id: str
    text: str
    credit_types: list[CreditType]
    topic: str | None = None
    topic_label: str | None = None  # the topic as cme.publishing.topics words it
    min_credits: float


class RequirementSetOut(BaseModel):
    set_id: str
    name: str
    cycle_months: int
    rules: list[RequirementRuleOut]


class RequirementSetsReply(BaseModel):
    requirement_sets: list[RequirementSetOut]
    topics: list[TopicOut]  # the vocabulary rules and activities use (cme.publishing.topics)


class RequirementSetReply(BaseModel):
    requirement_set: RequirementSetOut


class TrackIn(Strict):
    """PUT /api/me/requirements: track a set (or change the cycle end of one tracked)."""

    set_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    cycle_end: date


class RuleProgress(BaseModel):
    rule_id: str
    text: str
    credit_types: list[CreditType]
    topic: str | None = None
    # claimed + outside credit completed within the cycle
    # (docs/domain.md "Outside credit and licence requirements")
    earned: float
    required: float
    met: bool


class TrackedSet(BaseModel):
    set_id: str
    name: str
    cycle_months: int
    cycle_start: date  # cycle_end minus cycle_months, plus one day
    cycle_end: date
    rules: list[RuleProgress]


class TrackedReply(BaseModel):
    tracked: list[TrackedSet]
