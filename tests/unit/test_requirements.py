"""Licence requirements: the pure counting of cme.credit.requirements and the set rules (issue 15, part 3)."""

from __future__ import annotations

from datetime import date

import pytest

from cme.credit import requirements
from cme.credit.requirements import Earning, Rule, cycle_start, earned, progress
from cme.platform.errors import InvalidInput
from cme.platform.schemas import RequirementRuleIn, RequirementSetIn
from cme.publishing import topics

START, END = date(2026, 1, 1), date(2027, 12, 31)
AMA_OR_MOC = Rule("total", "50 credits", frozenset({"AMA_PRA_1", "ABIM_MOC"}), None, 50.0)
OPIOIDS = Rule("opioids", "2 on opioids", frozenset({"AMA_PRA_1"}), "controlled_substances", 2.0)


def claim(day: date, *lines: tuple[str, float], on: tuple[str, ...] = ()) -> Earning:
    return Earning(completed_on=day, lines=tuple(lines), topics=frozenset(on))


def outside(day: date, credit_type: str, credits: float, on: tuple[str, ...] = ()) -> Earning:
    return Earning(completed_on=day, lines=((credit_type, credits),), topics=frozenset(on), source="outside")


def test_an_ama_plus_moc_claim_counts_once_by_its_largest_line() -> None:
    both = claim(date(2026, 5, 1), ("AMA_PRA_1", 1.0), ("ABIM_MOC", 1.0))
    assert earned(AMA_OR_MOC, [both], START, END) == 1.0
    more_moc = claim(date(2026, 6, 1), ("AMA_PRA_1", 1.0), ("ABIM_MOC", 1.5))
    assert earned(AMA_OR_MOC, [both, more_moc], START, END) == 2.5
    # a rule of AMA alone counts only the AMA line
    ama_only = Rule("ama", "AMA", frozenset({"AMA_PRA_1"}), None, 1.0)
    assert earned(ama_only, [both, more_moc], START, END) == 2.0


def test_lines_of_other_types_do_not_count() -> None:
    nursing = claim(date(2026, 5, 1), ("ANCC", 3.0))
    assert earned(AMA_OR_MOC, [nursing], START, END) == 0.0


def test_a_topic_rule_counts_only_credit_carrying_the_topic() -> None:
    on_topic = claim(date(2026, 3, 1), ("AMA_PRA_1", 1.0), on=("controlled_substances", "ethics"))
    off_topic = claim(date(2026, 3, 2), ("AMA_PRA_1", 4.0), on=("ethics",))
    none = claim(date(2026, 3, 3), ("AMA_PRA_1", 4.0))
    assert earned(OPIOIDS, [on_topic, off_topic, none], START, END) == 1.0
    assert earned(AMA_OR_MOC, [on_topic, off_topic, none], START, END) == 9.0


def test_outside_credit_counts_like_a_claim() -> None:
    elsewhere = outside(date(2027, 2, 1), "AMA_PRA_1", 1.0, on=("controlled_substances",))
    here = claim(date(2026, 3, 1), ("AMA_PRA_1", 1.0), on=("controlled_substances",))
    got = progress(OPIOIDS, [elsewhere, here], START, END)
    assert (got.earned, got.required, got.met) == (2.0, 2.0, True)
    assert not progress(OPIOIDS, [here], START, END).met
    assert earned(AMA_OR_MOC, [outside(date(2027, 2, 1), "ANCC", 5.0)], START, END) == 0.0


def test_only_credit_completed_within_the_cycle_counts_both_ends_included() -> None:
    earnings = [
        claim(date(2025, 12, 31), ("AMA_PRA_1", 10.0)),  # the day before the cycle
        claim(START, ("AMA_PRA_1", 1.0)),
        claim(END, ("AMA_PRA_1", 2.0)),
        outside(date(2028, 1, 1), "AMA_PRA_1", 20.0),  # the day after
        outside(START, "ABIM_MOC", 0.25),
    ]
    assert earned(AMA_OR_MOC, earnings, START, END) == 3.25


def test_a_cycle_starts_the_day_after_the_end_minus_its_months() -> None:
    assert cycle_start(date(2027, 12, 31), 24) == date(2026, 1, 1)
    assert cycle_start(date(2027, 6, 30), 12) == date(2026, 7, 1)
    assert cycle_start(date(2028, 2, 29), 12) == date(2027, 3, 1)  # 2027-02 has no 29th: its last day, + 1
    assert cycle_start(date(2026, 3, 31), 1) == date(2026, 3, 1)  # February's last day, + 1
    assert cycle_start(date(2030, 1, 15), 120) == date(2020, 1, 16)


def test_progress_reports_earned_against_required() -> None:
    got = progress(AMA_OR_MOC, [claim(date(2026, 5, 1), ("AMA_PRA_1", 1.25))], START, END)
    assert (got.rule_id, got.earned, got.required, got.met) == ("total", 1.25, 50.0, False)
    assert [t.value for t in got.credit_types] == ["AMA_PRA_1", "ABIM_MOC"]


def _set(**overrides: object) -> RequirementSetIn:
    body: dict[str, object] = {
        "name": "Example",
        "cycle_months": 24,
        "rules": [{"credit_types": ["AMA_PRA_1"], "min_credits": 2, "topic": "controlled_substances"}],
    }
    body.update(overrides)
    return RequirementSetIn.model_validate(body)


def test_set_rules_get_ids_and_words_when_absent() -> None:
    (rule,) = requirements.check_set(_set())
    assert rule.rule_id.startswith("rule-")
    assert rule.text == "At least 2 credits of AMA PRA Category 1 Credit™ on " + topics.label("controlled_substances")
    (kept,) = requirements.check_set(
        _set(rules=[{"rule_id": "total", "text": "Fifty hours", "credit_types": ["AMA_PRA_1"], "min_credits": 50}])
    )
    assert (kept.rule_id, kept.text, kept.topic) == ("total", "Fifty hours", None)


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"cycle_months": 0}, "CYCLE_INVALID", "cycle_months"),
        ({"cycle_months": 121}, "CYCLE_INVALID", "cycle_months"),
        ({"rules": [{"credit_types": ["AMA_PRA_9"], "min_credits": 1}]}, "CREDIT_TYPE_UNKNOWN", "rules.0.credit_types"),
        ({"rules": [{"credit_types": ["AMA_PRA_1"], "min_credits": 0}]}, "MIN_CREDITS_INVALID", "rules.0.min_credits"),
        ({"rules": [{"credit_types": ["AMA_PRA_1"], "min_credits": -2}]}, "MIN_CREDITS_INVALID", "rules.0.min_credits"),
        (
            {"rules": [{"credit_types": ["AMA_PRA_1"], "min_credits": 1, "topic": "astrology"}]},
            "TOPIC_UNKNOWN",
            "rules.0.topic.0",
        ),
        (
            {
                "rules": [
                    {"rule_id": "a", "credit_types": ["AMA_PRA_1"], "min_credits": 1},
                    {"rule_id": "a", "credit_types": ["ANCC"], "min_credits": 1},
                ]
            },
            "RULE_INVALID",
            "rules",
        ),
    ],
)
def test_set_validation(overrides: dict[str, object], code: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        requirements.check_set(_set(**overrides))
    assert caught.value.code == code
    assert field in [d["field"] for d in caught.value.details or []]


def test_every_problem_of_a_set_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        requirements.check_set(_set(cycle_months=0, rules=[{"credit_types": ["X"], "min_credits": 1}]))
    fields = [d["field"] for d in caught.value.details or []]
    assert fields == ["cycle_months", "rules.0.credit_types"]


def test_topics_are_a_controlled_vocabulary() -> None:
    assert topics.check_topics(["ethics", "controlled_substances", "ethics"]) == ["controlled_substances", "ethics"]
    with pytest.raises(InvalidInput) as caught:
        topics.check_topics(["ethics", "Ethics"])
    assert caught.value.code == "TOPIC_UNKNOWN"
    assert [d["field"] for d in caught.value.details or []] == ["topics.1"]
    assert RequirementRuleIn(credit_types=["AMA_PRA_1"], min_credits=1).topic is None
