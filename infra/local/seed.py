"""Demo data for `make run`: an admin and a learner, both verified, password from API.md."""

from __future__ import annotations

from cme.accounts import provision_account
from cme.schemas import Degree, NewAccount

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


def seed() -> list[tuple[str, str]]:
    """Create the demo accounts (idempotent); return (email, role) pairs."""
    out = []
    for account, role in DEMO_ACCOUNTS:
        profile = provision_account(account, role=role, verified=True)
        out.append((profile.email, profile.role))
    return out
