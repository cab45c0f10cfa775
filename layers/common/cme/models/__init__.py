"""PynamoDB models, one table each, bound to their table names lazily (see base.py)."""

from cme.models.base import BaseModel, transaction
from cme.models.tables import (
    Activity,
    Attendance,
    AttendanceCode,
    EmailOwner,
    Learner,
    RateCounter,
    Session,
    Token,
)

__all__ = [
    "Activity",
    "Attendance",
    "AttendanceCode",
    "BaseModel",
    "EmailOwner",
    "Learner",
    "RateCounter",
    "Session",
    "Token",
    "transaction",
]
