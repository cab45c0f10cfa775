"""Demo data for `make run`: an admin and a learner, both verified (password from API.md), and a
few activities the learner attended."""

from __future__ import annotations

from datetime import date, timedelta

from cme import activities
from cme.accounts import provision_account
from cme.attendance import import_roster
from cme.schemas import (
    ActivityFormat,
    ActivityIn,
    Credit,
    CreditType,
    Degree,
    NewAccount,
    Question,
    QuestionKind,
)

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
            claim_window_days=365,
            evaluation=[question, practice],
            published=True,
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


def seed() -> list[tuple[str, str]]:
    """Create the demo accounts and, once, the demo activities with the learner's attendance.

    Returns (email, role) pairs of the demo accounts.
    """
    out = []
    for account, role in DEMO_ACCOUNTS:
        profile = provision_account(account, role=role, verified=True)
        out.append((profile.email, profile.role))
    if not activities.any_exist():
        made = [activities.create(data) for data in _demo_activities(date.today())]
        for activity in made[:3]:  # the learner attended the three that have started
            import_roster(
                activity.activity_id,
                [(1, {"email": "learner@example.org", "first_name": "Zoë", "last_name": "Łukasiewicz-Müller"})],
            )
    return out
