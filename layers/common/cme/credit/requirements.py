"""Licence requirements at a glance (docs/domain.md "Outside credit and licence requirements").

The office keeps requirement sets (a name, a cycle length in months, rules: a minimum of credits
of some types, optionally on one topic). A learner tracks the sets that apply to them, each with
the end of their cycle, and sees each rule's progress: claimed and outside credit completed
within the cycle, counted by the rule of
docs/domain.md "Outside credit and licence requirements": a rule counts each claim once, by its
largest line among the rule's credit types (AMA 1.0 + MOC 1.0 counts 1.0 toward an "AMA or MOC"
rule); a topic rule counts only credit carrying that topic.

Storage: one small table (RequirementSetsTable). Every set sits under the partition "set" (the
list is one Query); the sets a learner tracks sit under "learner#<id>". The counting itself is
pure (``earned``, ``progress``) and has no I/O.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from cme.platform import audit, clock, retry
from cme.platform.errors import InvalidInput, NotFound, Problems
from cme.platform.models import Activity, Claim
from cme.platform.models.tables import RequirementRule, RequirementSet, TrackedRequirement
from cme.platform.schemas import (
    CreditType,
    RequirementRuleIn,
    RequirementRuleOut,
    RequirementSetIn,
    RequirementSetOut,
    RequirementSetsReply,
    RuleProgress,
    TopicOut,
    TrackedReply,
    TrackedSet,
    TrackIn,
)
from cme.publishing import topics
from cme.records import certificates, outside
from cme.rules import credit

SETS = "set"  # the partition every requirement set shares
MIN_CYCLE_MONTHS = 1
MAX_CYCLE_MONTHS = 120
MAX_MIN_CREDITS = 1000.0
MAX_TRACKED = 10  # sets one learner tracks
# a cycle end at most this many years ahead (a typo cannot pass); a cycle that has ended is refused
CYCLE_END_YEARS = 20


# ---- the counting (pure) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    rule_id: str
    text: str
    credit_types: frozenset[str]
    topic: str | None
    min_credits: float


@dataclass(frozen=True)
class Earning:
    """One claim, or one outside credit, as counting sees it: when it was completed, its credit
    lines (type, amount) and its topics."""

    completed_on: date
    lines: tuple[tuple[str, float], ...]
    topics: frozenset[str]
    source: str = "claim"  # or "outside"


def cycle_start(cycle_end: date, months: int) -> date:
    """The first day of a cycle of ``months`` ending on ``cycle_end``: the end minus the months
    (the day kept, or the month's last day when it has fewer), plus one day. A 24-month cycle
    ending 2027-12-31 starts 2026-01-01."""
    total = cycle_end.year * 12 + (cycle_end.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    day = min(cycle_end.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) + timedelta(days=1)


def earned(rule: Rule, earnings: Iterable[Earning], start: date, end: date) -> float:
    """Credit toward ``rule`` completed in [start, end]: each earning once, by its largest line
    among the rule's credit types; on a topic rule, only earnings carrying the topic."""
    total = 0.0
    for earning in earnings:
        if not start <= earning.completed_on <= end:
            continue
        if rule.topic is not None and rule.topic not in earning.topics:
            continue
        amounts = [amount for kind, amount in earning.lines if kind in rule.credit_types]
        if amounts:
            total += max(amounts)
    return round(total, 2)


def progress(rule: Rule, earnings: Iterable[Earning], start: date, end: date) -> RuleProgress:
    got = earned(rule, earnings, start, end)
    return RuleProgress(
        rule_id=rule.rule_id,
        text=rule.text,
        credit_types=sorted(rule.credit_types, key=_order),  # type: ignore[arg-type]
        topic=rule.topic,
        earned=got,
        required=rule.min_credits,
        met=got >= rule.min_credits,
    )


def _order(credit_type: str) -> int:
    order = [t.value for t in credit.ORDER]
    return order.index(credit_type) if credit_type in order else len(order)


# ---- rules as stored and shown ---------------------------------------------------------------


def rule_text(credit_types: Iterable[str], topic: str | None, min_credits: float) -> str:
    """A rule in words, for a rule the office entered without text: "2 credits of AMA PRA
    Category 1 Credit™ or ABIM MOC points on Controlled substances / opioid prescribing"."""
    kinds = " or ".join(credit.label(t) for t in sorted(credit_types, key=_order))
    amount = f"{min_credits:g}"
    text = f"At least {amount} {'credit' if min_credits == 1 else 'credits'} of {kinds}"
    return f"{text} on {topics.label(topic)}" if topic else text


def _rule(stored: RequirementRule) -> Rule:
    return Rule(
        rule_id=stored.rule_id,
        text=stored.text,
        credit_types=frozenset(str(t) for t in stored.credit_types or ()),
        topic=stored.topic,
        min_credits=float(stored.min_credits),
    )


def set_out(stored: RequirementSet) -> RequirementSetOut:
    return RequirementSetOut(
        set_id=stored.set_id,
        name=stored.name,
        cycle_months=int(stored.cycle_months),
        rules=[
            RequirementRuleOut(
                rule_id=r.rule_id,
                text=r.text,
                credit_types=sorted(r.credit_types or (), key=_order),  # type: ignore[arg-type]
                topic=r.topic,
                topic_label=topics.label(r.topic) if r.topic else None,
                min_credits=float(r.min_credits),
            )
            for r in stored.rules or []
        ],
    )


def topic_list() -> list[TopicOut]:
    return [TopicOut(topic=topic, label=label) for topic, label in topics.TOPICS.items()]


# ---- the office's sets -----------------------------------------------------------------------


def _problem(code: str, message: str, field: str) -> InvalidInput:
    return InvalidInput(code, message, [{"field": field, "message": message}])


def _check_cycle(months: int) -> None:
    if not MIN_CYCLE_MONTHS <= months <= MAX_CYCLE_MONTHS:
        raise _problem(
            "CYCLE_INVALID",
            f"A cycle is {MIN_CYCLE_MONTHS} to {MAX_CYCLE_MONTHS} months long.",
            "cycle_months",
        )


def _check_rule(index: int, rule: RequirementRuleIn) -> RequirementRule:
    field = f"rules.{index}"
    known = {t.value for t in CreditType}
    unknown = [t for t in rule.credit_types if t not in known]
    if unknown:
        raise _problem(
            "CREDIT_TYPE_UNKNOWN",
            f"{', '.join(unknown)} is not a credit type the portal knows.",
            f"{field}.credit_types",
        )
    if len(set(rule.credit_types)) != len(rule.credit_types):
        raise _problem("CREDIT_TYPE_UNKNOWN", "A credit type is listed twice.", f"{field}.credit_types")
    amount = rule.min_credits
    if not (0 < amount <= MAX_MIN_CREDITS) or amount * 4 != int(amount * 4):
        raise _problem(
            "MIN_CREDITS_INVALID",
            f"A rule's minimum is more than 0 and at most {MAX_MIN_CREDITS:g} credits, in steps of 0.25.",
            f"{field}.min_credits",
        )
    topic = rule.topic or None
    if topic is not None:
        topics.check_topics([topic], f"{field}.topic")
    return RequirementRule(
        rule_id=rule.rule_id or f"rule-{uuid.uuid4().hex[:10]}",
        text=rule.text or rule_text(rule.credit_types, topic, amount),
        credit_types=sorted(rule.credit_types, key=_order),
        topic=topic,
        min_credits=amount,
    )


def check_set(data: RequirementSetIn) -> list[RequirementRule]:
    """Every rule of a set, all problems at once (422); returns the rules to store."""
    problems = Problems()
    problems.check(_check_cycle, data.cycle_months)
    rules = [problems.check(_check_rule, index, rule) for index, rule in enumerate(data.rules)]
    problems.raise_any()
    ids = [r.rule_id for r in rules if r is not None]
    if len(set(ids)) != len(ids):
        raise _problem("RULE_INVALID", "Each rule of a set needs its own id.", "rules")
    return [r for r in rules if r is not None]


def list_sets() -> RequirementSetsReply:
    """Every set the office keeps, by name (one Query of the sets' partition)."""
    found = sorted(RequirementSet.query(SETS), key=lambda s: (s.name.casefold(), s.set_id))
    return RequirementSetsReply(requirement_sets=[set_out(s) for s in found], topics=topic_list())


def _snapshot(stored: RequirementSet) -> dict[str, Any]:
    return set_out(stored).model_dump(mode="json")


def _save(stored: RequirementSet, record: Any, new: bool) -> None:
    condition = RequirementSet.set_id.does_not_exist() if new else RequirementSet.set_id.exists()

    def build(tx: TransactWrite) -> None:
        tx.save(stored, condition=condition)
        tx.save(record)

    try:
        retry.transact(build, "requirement set")
    except TransactWriteError as exc:
        if retry.DECISION not in retry.reason_codes(exc):
            raise
        raise NotFound("NOT_FOUND", "There is no such requirement set.") from exc


def create_set(data: RequirementSetIn, actor: str, source_ip: str = "", user_agent: str = "") -> RequirementSetOut:
    rules = check_set(data)
    now = clock.now()
    stored = RequirementSet(
        SETS,
        str(uuid.uuid4()),
        name=data.name,
        cycle_months=data.cycle_months,
        rules=rules,
        created_at=now,
        updated_at=now,
    )
    record = audit.about(
        f"requirement-set#{stored.set_id}",
        "requirement_set_create",
        actor,
        {"after": _snapshot(stored)},
        source_ip,
        user_agent,
        at=now,
    )
    _save(stored, record, new=True)
    return set_out(stored)


def _plausible(set_id: str) -> bool:
    return 1 <= len(set_id) <= 64 and set_id.isprintable()


def _get_set(set_id: str) -> RequirementSet:
    if not _plausible(set_id):
        raise NotFound("NOT_FOUND", "There is no such requirement set.")
    try:
        return RequirementSet.get(SETS, set_id, consistent_read=True)
    except RequirementSet.DoesNotExist:
        raise NotFound("NOT_FOUND", "There is no such requirement set.") from None


def _auto_text(rule: RequirementRule) -> str:
    return rule_text([str(t) for t in rule.credit_types], rule.topic, float(rule.min_credits))


def _reworded(rules: list[RequirementRule], before: RequirementSet) -> list[RequirementRule]:
    """A rule whose text is still the words the portal wrote for it (``rule_text``) is worded
    again when its terms change; text the office wrote itself is kept as written."""
    written = {r.rule_id: _auto_text(r) for r in before.rules or []}
    for rule in rules:
        if rule.rule_id in written and rule.text == written[rule.rule_id]:
            rule.text = _auto_text(rule)
    return rules


def update_set(
    set_id: str, data: RequirementSetIn, actor: str, source_ip: str = "", user_agent: str = ""
) -> RequirementSetOut:
    rules = check_set(data)
    before = _get_set(set_id)
    rules = _reworded(rules, before)  # the words the portal wrote follow the rule's new terms
    now = clock.now()
    stored = RequirementSet(
        SETS,
        set_id,
        name=data.name,
        cycle_months=data.cycle_months,
        rules=rules,
        created_at=before.created_at,
        updated_at=now,
    )
    record = audit.about(
        f"requirement-set#{set_id}",
        "requirement_set_update",
        actor,
        {"before": _snapshot(before), "after": _snapshot(stored)},
        source_ip,
        user_agent,
        at=now,
    )
    _save(stored, record, new=False)
    return set_out(stored)


# ---- what a learner tracks -------------------------------------------------------------------


def _scope(learner_id: str) -> str:
    return f"learner#{learner_id}"


def _check_cycle_end(cycle_end: date, today: date) -> None:
    """The end of a current cycle: today (the office's day: the cycle's last day) or later, within
    ``CYCLE_END_YEARS`` years. A cycle that has already ended is refused: its credit can no longer
    change, and the learner meant the cycle they are in."""
    if cycle_end < today:
        raise _problem(
            "CYCLE_END_INVALID",
            f"That cycle ended on {cycle_end:%B} {cycle_end.day}, {cycle_end.year}. "
            "Enter the day your current licence cycle ends (today or later).",
            "cycle_end",
        )
    if cycle_end.year - today.year > CYCLE_END_YEARS:
        raise _problem(
            "CYCLE_END_INVALID",
            f"Enter the end of your current licence cycle (within {CYCLE_END_YEARS} years of today).",
            "cycle_end",
        )


def track(learner_id: str, data: TrackIn) -> TrackedReply:
    """Track a set (or move the cycle end of one tracked); returns every tracked set's progress."""

    _check_cycle_end(data.cycle_end, clock.office_today())
    _get_set(data.set_id)
    tracked = {t.set_id for t in TrackedRequirement.query(_scope(learner_id))}
    if data.set_id not in tracked and len(tracked) >= MAX_TRACKED:
        raise _problem("TOO_MANY_TRACKED", f"You can track at most {MAX_TRACKED} requirement sets.", "set_id")
    TrackedRequirement(
        _scope(learner_id), data.set_id, cycle_end=data.cycle_end.isoformat(), updated_at=clock.now()
    ).save()
    return my_requirements(learner_id)


def untrack(learner_id: str, set_id: str) -> None:
    """Stop tracking a set (nothing happens when it was not tracked)."""
    if not _plausible(set_id):
        return
    TrackedRequirement(_scope(learner_id), set_id).delete()


def _claim_earnings(learner_id: str) -> list[Earning]:
    """The learner's claims as earnings. A claim made before claims carried topics takes its
    activity's topics (one BatchGetItem per 100 such claims; none once every claim has them)."""
    found = list(Claim.live(learner_id))
    missing = sorted({c.activity_id for c in found if c.topics is None})
    joined: dict[str, list[str]] = {}
    if missing:
        for activity in Activity.batch_get(missing, attributes_to_get=["activity_id", "topics"]):
            joined[activity.activity_id] = [str(t) for t in activity.topics or []]
    return [
        Earning(
            completed_on=certificates.completed_on(c),
            lines=tuple((x.credit_type.value, float(x.credits)) for x in credit.claim_lines(c)),
            topics=frozenset(str(t) for t in (c.topics if c.topics is not None else joined.get(c.activity_id, []))),
        )
        for c in found
    ]


def _outside_earnings(learner_id: str) -> list[Earning]:
    return [
        Earning(
            completed_on=date.fromisoformat(o.completed_on),
            lines=((o.credit_type, float(o.credits)),),
            topics=frozenset(str(t) for t in o.topics or ()),
            source="outside",
        )
        for o in outside.outside_credits(learner_id)
    ]


def my_requirements(learner_id: str) -> TrackedReply:
    """Every set the learner tracks with each rule's progress. DynamoDB calls: one Query (the
    tracked sets), one BatchGetItem (those sets), one Query of the learner's claims, one of their
    outside credits (each Query pages as the learner's record grows), and only for claims made
    before topics were recorded one BatchGetItem of their activities' topics."""
    tracked = sorted(TrackedRequirement.query(_scope(learner_id)), key=lambda t: t.set_id)
    if not tracked:
        return TrackedReply(tracked=[])
    sets = {s.set_id: s for s in RequirementSet.batch_get([(SETS, t.set_id) for t in tracked])}
    earnings = _claim_earnings(learner_id) + _outside_earnings(learner_id)
    out = []
    for t in tracked:
        stored = sets.get(t.set_id)
        if stored is None:
            continue
        end = date.fromisoformat(t.cycle_end)
        start = cycle_start(end, int(stored.cycle_months))
        out.append(
            TrackedSet(
                set_id=stored.set_id,
                name=stored.name,
                cycle_months=int(stored.cycle_months),
                cycle_start=start,
                cycle_end=end,
                rules=[progress(_rule(r), earnings, start, end) for r in stored.rules or []],
            )
        )
    out.sort(key=lambda s: (s.name.casefold(), s.set_id))
    return TrackedReply(tracked=out)
