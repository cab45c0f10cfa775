"""The topics an activity (or a learner's outside credit) may carry, and a requirement rule may
name: one controlled vocabulary, kept here and served to the web (``GET /api/topics``, and with
``GET /api/requirement-sets``), so no page spells a topic itself.

Boards' topic minimums (controlled-substance prescribing, implicit bias, ...) are matched on
these ids; a free-text topic could never be matched reliably, so there are none."""

from __future__ import annotations

from cme.platform.errors import InvalidInput

#: topic id -> how a person reads it (in the order forms list them)
TOPICS: dict[str, str] = {
    "controlled_substances": "Controlled substances / opioid prescribing",
    "implicit_bias": "Implicit bias",
    "ethics": "Ethics",
    "pain_management": "Pain management",
    "patient_safety": "Patient safety / medical errors",
    "infection_control": "Infection control",
    "cultural_competency": "Cultural competency",
    "end_of_life_care": "End-of-life care",
    "human_trafficking": "Human trafficking",
    "domestic_violence": "Domestic violence",
}

MAX_TOPICS = len(TOPICS)


def label(topic: str) -> str:
    return TOPICS.get(topic, topic)


def check_topics(topics: list[str], field: str = "topics") -> list[str]:
    """The topics, each known and listed once, in the vocabulary's order; 422 ``TOPIC_UNKNOWN`` otherwise."""
    unknown = [(index, t) for index, t in enumerate(topics) if t not in TOPICS]
    if unknown:
        message = f"Choose topics from the list; {', '.join(repr(t) for _, t in unknown)} is not one."
        raise InvalidInput(
            "TOPIC_UNKNOWN", message, [{"field": f"{field}.{i}", "message": message} for i, _ in unknown]
        )
    wanted = set(topics)
    return [t for t in TOPICS if t in wanted]
