"""PynamoDB models, one table each, bound to their table names lazily (see base.py)."""

from cme.platform.models.base import BaseModel, get_many, plain, transaction
from cme.platform.models.tables import (
    Activity,
    Attendance,
    AttendanceCode,
    AuditRecord,
    Certificate,
    Claim,
    EmailAttendance,
    EmailOwner,
    LateClaim,
    Learner,
    LearnerSearch,
    RateCounter,
    Session,
    Token,
)

__all__ = [
    "Activity",
    "Attendance",
    "AttendanceCode",
    "AuditRecord",
    "BaseModel",
    "Certificate",
    "Claim",
    "EmailAttendance",
    "EmailOwner",
    "LateClaim",
    "Learner",
    "LearnerSearch",
    "RateCounter",
    "Session",
    "Token",
    "get_many",
    "plain",
    "transaction",
]
