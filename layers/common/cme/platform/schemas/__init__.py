"""The shapes the API speaks (pydantic). Routes validate with them; logic takes and returns them.

One module per area (``cme.platform.schemas.claims``, ``cme.platform.schemas.accounts``, ...), over the shared
base models, field types and enums in ``cme.platform.schemas._common``. ``from cme.platform.schemas import X``
works for every shape, and imports only the module that defines ``X`` (PEP 562): a function
defines the classes of its own routes and logic at its cold start, not the API's ninety
(each class costs about a quarter of a millisecond to define even with ``defer_build``).
With SnapStart every one of them is imported and built before the snapshot (cme.runtime.snapstart).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # every name, for type checkers (F401: they are imported at first use, by __getattr__)
    from cme.platform.schemas._common import (  # noqa: F401
        ActivityFormat,
        BaseModel,
        BirthMMDD,
        BoardIds,
        ClaimLineOut,
        CreditType,
        CreditTypeText,
        Degree,
        DownloadReply,
        EmailText,
        ErrorDetail,
        ErrorReply,
        MessageReply,
        NabpId,
        Name,
        NpiText,
        Optional100,
        Password,
        PhoneText,
        QuestionKind,
        ReportingFields,
        Strict,
        TranscriptFrequency,
        Undeliverable,
        UndeliverableReason,
    )
    from cme.platform.schemas.accounts import (  # noqa: F401
        DegreeChange,
        EmailEntryReply,
        EmailOnly,
        EmailReply,
        EmailsReply,
        LearnerReply,
        Lookup,
        LookupReply,
        MaskedEmail,
        NewAccount,
        NewPassword,
        Notice,
        PasswordChange,
        PhoneCode,
        PhoneCodeSent,
        Profile,
        ProfileFields,
        ProfileUpdate,
        SignIn,
        TokenCheckReply,
        TokenOnly,
        VerifiedReply,
    )
    from cme.platform.schemas.activities import (  # noqa: F401
        ActivitiesReply,
        ActivityIn,
        ActivityReply,
        AdminActivitiesReply,
        AdminActivity,
        BoardActivityId,
        PublicActivity,
        Question,
    )
    from cme.platform.schemas.attendance import (  # noqa: F401
        AttendanceEntry,
        AttendanceListReply,
        AttendLookup,
        Rejected,
        RosterIn,
        RosterReport,
        RosterRow,
        SelfSignIn,
        SignedIn,
    )
    from cme.platform.schemas.certificates import CertificateStatus, VerifyReply  # noqa: F401
    from cme.platform.schemas.claims import (  # noqa: F401
        AdminClaimIn,
        ClaimIn,
        ClaimLineIn,
        ClaimOut,
        ClaimReply,
        ClaimsReply,
        ClaimStatus,
        LateApproveIn,
        LateDeclineIn,
        LateRequestAdminOut,
        LateRequestAdminReply,
        LateRequestIn,
        LateRequestOut,
        LateRequestReply,
        LateRequestsAdminReply,
        LateRequestsReply,
        MyActivitiesReply,
        MyActivity,
        MyLateRequest,
        RevokeIn,
    )
    from cme.platform.schemas.credit import (  # noqa: F401
        ActivityFormatOut,
        Credit,
        CreditTypeOut,
        CreditTypesReply,
        DegreeOut,
        SettingsReply,
        TopicOut,
        TopicsReply,
    )
    from cme.platform.schemas.imports import (  # noqa: F401
        ImportCreatedReply,
        ImportIn,
        ImportOut,
        ImportProblemOut,
        ImportReply,
        ImportsReply,
        InvitesQueuedReply,
        MappingIn,
        OurColumn,
    )
    from cme.platform.schemas.learners import (  # noqa: F401
        CorrectionReply,
        LearnerAttendance,
        LearnerCorrection,
        LearnerMerge,
        LearnerRecord,
        LearnerRow,
        LearnersReply,
        ReplacedCertificate,
    )
    from cme.platform.schemas.office import ActivityCopyIn, AuditActor, AuditEntry, AuditReply, AuditSubject  # noqa: F401
    from cme.platform.schemas.outside import (  # noqa: F401
        DocumentIn,
        DocumentType,
        OutsideCreditIn,
        OutsideCreditOut,
        OutsideCreditReply,
        OutsideCreditsReply,
        UploadForm,
        UploadReply,
    )
    from cme.platform.schemas.reminders import RemindersQueuedReply, UnsubscribedReply  # noqa: F401
    from cme.platform.schemas.reports import (  # noqa: F401
        AnswerCount,
        BoardReportStatus,
        ClaimReportReply,
        ClaimReportRow,
        CreditTotal,
        EvaluationSummary,
        MissingParsId,
        ParsYearEnd,
        PartialClaim,
        QuestionSummary,
        ReportStatusReply,
        ReportSubmittedIn,
        ReportSubmittedReply,
        ReportUnreportedReply,
        Unclaimed,
        Withdrawal,
    )
    from cme.platform.schemas.requirements import (  # noqa: F401
        RequirementRuleIn,
        RequirementRuleOut,
        RequirementSetIn,
        RequirementSetOut,
        RequirementSetReply,
        RequirementSetsReply,
        RuleProgress,
        TrackedReply,
        TrackedSet,
        TrackIn,
    )
    from cme.platform.schemas.transcripts import TranscriptLearner, TranscriptReply, TranscriptRow, TranscriptTotal  # noqa: F401

#: each area's module and the shapes it defines (tests/unit/test_imports.py checks it against the modules)
AREAS: dict[str, tuple[str, ...]] = {
    "_common": (
        "BaseModel",
        "Degree",
        "TranscriptFrequency",
        "Name",
        "EmailText",
        "PhoneText",
        "Password",
        "Optional100",
        "NpiText",
        "BirthMMDD",
        "NabpId",
        "BoardIds",
        "Strict",
        "ReportingFields",
        "CreditType",
        "ActivityFormat",
        "QuestionKind",
        "CreditTypeText",
        "ClaimLineOut",
        "DownloadReply",
        "MessageReply",
        "ErrorDetail",
        "ErrorReply",
        "UndeliverableReason",
        "Undeliverable",
    ),
    "accounts": (
        "SignIn",
        "Lookup",
        "ProfileFields",
        "NewAccount",
        "ProfileUpdate",
        "Notice",
        "Profile",
        "PhoneCode",
        "PhoneCodeSent",
        "LearnerReply",
        "DegreeChange",
        "MaskedEmail",
        "LookupReply",
        "EmailOnly",
        "NewPassword",
        "PasswordChange",
        "TokenOnly",
        "VerifiedReply",
        "TokenCheckReply",
        "EmailEntryReply",
        "EmailReply",
        "EmailsReply",
    ),
    "credit": (
        "ActivityFormatOut",
        "Credit",
        "CreditTypeOut",
        "CreditTypesReply",
        "DegreeOut",
        "SettingsReply",
        "TopicOut",
        "TopicsReply",
    ),
    "activities": (
        "Question",
        "BoardActivityId",
        "ActivityIn",
        "PublicActivity",
        "AdminActivity",
        "ActivitiesReply",
        "AdminActivitiesReply",
        "ActivityReply",
    ),
    "attendance": (
        "SelfSignIn",
        "SignedIn",
        "AttendLookup",
        "RosterRow",
        "RosterIn",
        "Rejected",
        "RosterReport",
        "AttendanceEntry",
        "AttendanceListReply",
    ),
    "claims": (
        "ClaimLineIn",
        "ClaimIn",
        "AdminClaimIn",
        "RevokeIn",
        "ClaimStatus",
        "ClaimOut",
        "ClaimReply",
        "ClaimsReply",
        "LateRequestIn",
        "LateRequestOut",
        "LateRequestReply",
        "LateRequestsReply",
        "LateRequestAdminOut",
        "LateRequestsAdminReply",
        "LateRequestAdminReply",
        "LateApproveIn",
        "LateDeclineIn",
        "MyLateRequest",
        "MyActivity",
        "MyActivitiesReply",
    ),
    "reports": (
        "ClaimReportRow",
        "CreditTotal",
        "AnswerCount",
        "EvaluationSummary",
        "QuestionSummary",
        "Unclaimed",
        "ClaimReportReply",
        "ReportSubmittedIn",
        "ReportSubmittedReply",
        "ReportUnreportedReply",
        "BoardReportStatus",
        "MissingParsId",
        "PartialClaim",
        "Withdrawal",
        "ParsYearEnd",
        "ReportStatusReply",
    ),
    "transcripts": (
        "TranscriptLearner",
        "TranscriptRow",
        "TranscriptTotal",
        "TranscriptReply",
    ),
    "certificates": (
        "CertificateStatus",
        "VerifyReply",
    ),
    "requirements": (
        "RequirementRuleIn",
        "RequirementSetIn",
        "RequirementRuleOut",
        "RequirementSetOut",
        "RequirementSetsReply",
        "RequirementSetReply",
        "TrackIn",
        "RuleProgress",
        "TrackedSet",
        "TrackedReply",
    ),
    "learners": (
        "LearnerRow",
        "LearnersReply",
        "LearnerAttendance",
        "LearnerRecord",
        "LearnerCorrection",
        "LearnerMerge",
        "ReplacedCertificate",
        "CorrectionReply",
    ),
    "outside": (
        "DocumentType",
        "OutsideCreditIn",
        "OutsideCreditOut",
        "OutsideCreditReply",
        "OutsideCreditsReply",
        "DocumentIn",
        "UploadForm",
        "UploadReply",
    ),
    "office": (
        "ActivityCopyIn",
        "AuditActor",
        "AuditSubject",
        "AuditEntry",
        "AuditReply",
    ),
    "reminders": ("RemindersQueuedReply", "UnsubscribedReply"),
    "imports": (
        "ImportIn",
        "MappingIn",
        "ImportProblemOut",
        "OurColumn",
        "ImportOut",
        "ImportReply",
        "ImportCreatedReply",
        "ImportsReply",
        "InvitesQueuedReply",
    ),
}
_WHERE = {name: area for area, names in AREAS.items() for name in names}


def __getattr__(name: str) -> Any:
    area = _WHERE.get(name)
    if area is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{area}"), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


def import_all() -> None:
    """Import every area (SnapStart's before-snapshot hook, the OpenAPI export, tests)."""
    for area in AREAS:
        importlib.import_module(f"{__name__}.{area}")
