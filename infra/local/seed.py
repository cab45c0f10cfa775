"""Demo data for `make run`: an admin and a learner, both verified (password from
docs/api.md "The local stack only"), and a few activities the learner attended."""

from __future__ import annotations

from datetime import date, timedelta

from cme.credit import requirements
from cme.identity.accounts import provision_account
from cme.platform import clock
from cme.platform.schemas import (
    ActivityFormat,
    ActivityIn,
    Credit,
    CreditType,
    Degree,
    NewAccount,
    Question,
    QuestionKind,
    RequirementRuleIn,
    RequirementSetIn,
    TrackIn,
)
from cme.publishing import activities
from cme.publishing.attendance import import_roster

DEMO_PASSWORD = "Demo-Password-2026"

DEMO_ACCOUNTS = [
    (
        NewAccount(
            email="admin@example.org",
            password=DEMO_PASSWORD,
            first_name="Avery",
            last_name="Coordinator",
            degree=Degree.OTHER,
            phone="+1 480-555-0199",
            specialty="CME Office",
        ),
        "admin",
    ),
    (
        NewAccount(
            email="learner@example.org",
            password=DEMO_PASSWORD,
            first_name="Zoë",
            last_name="Łukasiewicz-Müller",
            degree=Degree.MD,
            phone="(480) 555-0100",
            specialty="Internal Medicine",
            npi="1234567893",
        ),
        "learner",
    ),
]


def _demo_activities(today: date) -> list[ActivityIn]:
    ama = Credit(type=CreditType.AMA_PRA_1, max=1.0)
    question = Question(question_id="bias", text="Was the content free of commercial bias?", kind=QuestionKind.YES_NO)
    practice = Question(
        question_id="change", text="What will you change in your practice?", kind=QuestionKind.TEXT, required=False
    )
    return [
        ActivityIn(
            title="Medicine Grand Rounds: Sepsis — Early Recognition",
            description="The hour-1 bundle, lactate, and what changed in the 2026 guidance.",
            format=ActivityFormat.RSS,
            start_date=today - timedelta(days=3),
            end_date=today - timedelta(days=3),
            location="Auditorium B",
            credits=[ama, Credit(type=CreditType.ANCC, max=1.0)],
            claim_window_days=30,
            evaluation=[question, practice],
            published=True,
        ),
        ActivityIn(
            title="Annual Cardiology Update",
            description="A two-day update on heart failure, AF and lipids.",
            format=ActivityFormat.LIVE,
            start_date=today - timedelta(days=60),
            end_date=today - timedelta(days=59),
            location="Conference Center",
            credits=[Credit(type=CreditType.AMA_PRA_1, max=12.5), Credit(type=CreditType.ABIM_MOC, max=12.5)],
            claim_window_days=30,
            evaluation=[question],
            published=True,
        ),
        ActivityIn(
            title="Opioid Prescribing: Safe Practice (online)",
            description="An enduring course on risk assessment and tapering.",
            format=ActivityFormat.ENDURING,
            start_date=today - timedelta(days=10),
            end_date=today + timedelta(days=355),
            location="Online",
            credits=[Credit(type=CreditType.AMA_PRA_1, max=2.0), Credit(type=CreditType.ACPE, max=2.0)],
            # ACPE's UAN per audience (home study: H), pharmacists' and technicians'
            uan_pharmacist="0000-0000-26-001-H01-P",
            uan_technician="0000-0000-26-001-H01-T",
            claim_window_days=365,
            evaluation=[question, practice],
            published=True,
            topics=["controlled_substances", "pain_management"],
        ),
        ActivityIn(
            title="Pediatric Emergencies Workshop",
            description="Hands-on airway and sedation stations.",
            format=ActivityFormat.LIVE,
            start_date=today + timedelta(days=21),
            end_date=today + timedelta(days=21),
            location="Simulation Lab",
            credits=[ama, Credit(type=CreditType.ANCC, max=1.0)],
            claim_window_days=14,
            evaluation=[question],
            published=True,
        ),
    ]


# Named as an example: the portal never presents a board's rule as fact unless the office entered it.
EXAMPLE_SET = RequirementSetIn(
    name="Example: state medical board, 2-year cycle (not an actual board's rule)",
    cycle_months=24,
    rules=[
        RequirementRuleIn(
            rule_id="total",
            text="40 credits of AMA PRA Category 1 Credit™ or ABIM MOC points",
            credit_types=["AMA_PRA_1", "ABIM_MOC"],
            min_credits=40,
        ),
        RequirementRuleIn(
            rule_id="controlled-substances",
            text="2 credits on controlled substances / opioid prescribing",
            credit_types=["AMA_PRA_1"],
            topic="controlled_substances",
            min_credits=2,
        ),
    ],
)


def seed() -> list[tuple[str, str]]:
    """Create the demo accounts and, once, the demo activities with the learner's attendance.

    Returns (email, role) pairs of the demo accounts.
    """
    out = []
    ids: dict[str, str] = {}
    for account, role in DEMO_ACCOUNTS:
        profile = provision_account(account, role=role, verified=True)
        out.append((profile.email, profile.role))
        ids[profile.email] = profile.learner_id
    if not activities.any_exist():
        today = clock.office_today()  # the office's date on the portal's clock
        made = [activities.create(data) for data in _demo_activities(today)]
        for activity in made[:3]:  # the learner attended the three that have started
            import_roster(
                activity.activity_id,
                [(1, {"email": "learner@example.org", "first_name": "Zoë", "last_name": "Łukasiewicz-Müller"})],
            )
        # the example requirement set, tracked by the demo learner (cycle ending next December 31)
        example = requirements.create_set(EXAMPLE_SET, ids["admin@example.org"])
        requirements.track(
            ids["learner@example.org"], TrackIn(set_id=example.set_id, cycle_end=date(today.year + 1, 12, 31))
        )
    return out
