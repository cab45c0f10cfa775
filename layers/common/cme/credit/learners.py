"""The office's learners: finding one (cme.identity.learner_search), their record, and corrections.

A correction (cme.identity.accounts.correct, audited) that changes the name replaces the
certificates already issued at once (cme.records.certificates.replace_renamed): each gets a new
code, and its old code verifies as replaced (``valid: false``, ``status: "replaced"``,
``superseded_by`` the new code). A degree correction leaves claims and their certificates as
they were made (docs/domain.md "Reporting to boards").
"""

from __future__ import annotations

from typing import Any

from cme.credit import claims
from cme.identity import accounts, emails, learner_search
from cme.platform.errors import NotAuthenticated, NotFound
from cme.platform.models import Learner
from cme.platform.schemas import (
    CorrectionReply,
    LearnerAttendance,
    LearnerRecord,
    LearnerRow,
    LearnersReply,
    ReplacedCertificate,
)
from cme.records import audit_trail, certificates


def row(learner: Learner) -> LearnerRow:
    return LearnerRow(
        learner_id=learner.learner_id,
        first_name=learner.first_name,
        last_name=learner.last_name,
        degree=learner.degree,  # type: ignore[arg-type]
        email=learner.email,
        npi=learner.npi,
        phone=learner.phone_e164 or "",
    )


def search(q: str, limit: int, cursor: str | None) -> LearnersReply:
    page = learner_search.search(q, limit, cursor)
    return LearnersReply(learners=[row(x) for x in page.learners], next_cursor=page.next_cursor)


def _no_learner() -> NotFound:
    return NotFound("NOT_FOUND", "There is no such learner.")


def record(learner_id: str) -> LearnerRecord:
    """The learner, their emails, attendance (under confirmed emails, with each claim's status),
    claims and audit trail. DynamoDB calls: the emails index Query, one BatchGetItem of the
    learner and each confirmed email's attendance, one of the activities and claims, the claims
    Query, the audit Query and one BatchGetItem of the audit's actors."""
    if not 0 < len(learner_id) <= 100:
        raise _no_learner()
    try:
        learner, owners, attended = claims.attended_activities(learner_id)
    except NotAuthenticated:  # no such learner
        raise _no_learner() from None
    owners.sort(key=lambda o: (not o.primary, o.added_at))
    return LearnerRecord(
        learner=accounts.to_profile(learner),
        emails=[emails.entry(o) for o in owners],
        attendance=[
            LearnerAttendance(
                activity_id=a.activity_id,
                title=a.title,
                start_date=a.start_date,
                end_date=a.end_date,
                attended_as=a.attended_as,
                status=a.status,
                claim_deadline=a.claim_deadline,
            )
            for a in attended
        ],
        claims=claims.my_claims(learner_id),
        audit=audit_trail.page(learner_id, None).entries,
    )


def correct(learner_id: str, fix: accounts.Correction, actor: str, client: tuple[str, str]) -> CorrectionReply:
    """The office's correction (audited); a new name replaces the certificates already issued."""
    profile, renamed = accounts.correct(learner_id, fix, actor, *client)
    replaced: list[Any] = certificates.replace_renamed(learner_id) if renamed else []
    return CorrectionReply(
        learner=profile, replaced=[ReplacedCertificate(old_code=old, new_code=new) for old, new in replaced]
    )
