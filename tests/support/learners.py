"""Learners written straight to the table for tests that need many (a surge, a fan-out): no
password hashing, no email, no sign-up requests."""

from __future__ import annotations

from typing import Any


def verified_md(prefix: str, number: int, phone_block: str, **extra: Any) -> Any:
    """Learner ``<prefix>-NNNN``, an MD with the one verified email ``<prefix>N@example.org``
    and phone ``+1480<phone_block>NNNN``, made now on the pinned clock; ``extra`` sets more
    attributes (a transcript schedule, say)."""
    from cme.platform import clock
    from cme.platform.models import Learner
    from cme.platform.normalize import name_key

    now = clock.now()
    email = f"{prefix}{number}@example.org"
    return Learner(
        f"{prefix}-{number:04d}",
        email=email,
        first_name=prefix.capitalize(),
        last_name=f"Learner{number}",
        last_name_key=name_key(f"Learner{number}"),
        degree="MD",
        phone_e164=f"+1480{phone_block}{number:04d}",
        email_verified=True,
        verified_emails={email},
        password_hash="unused: these learners never sign in",
        created_at=now,
        updated_at=now,
        **extra,
    )


def outside_credit_on(learner_id: str, day: Any) -> Any:
    """One outside credit of ``learner_id`` completed on ``day`` (written straight to the table):
    a period with it is not empty, so the scheduled transcript of that period is emailed (an
    empty period's is skipped: cme.records.transcripts.send_scheduled)."""
    from cme.platform import clock
    from cme.platform.models.tables import OutsideCredit

    return OutsideCredit(
        learner_id,
        f"elsewhere-{day.isoformat()}",
        title="Grand rounds elsewhere",
        provider="County Hospital CME",
        completed_on=day.isoformat(),
        credit_type="AMA_PRA_1",
        credits=1.0,
        created_at=clock.now(),
    )
