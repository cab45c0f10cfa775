"""The environment as one pydantic model, read at first use and never at import.

Each field is read from the environment variable of its name in upper case (or its
``validation_alias``), case-insensitively, and validated by pydantic. This is what
pydantic-settings did here; reading it ourselves keeps pydantic-settings (and the argparse it
imports) out of every function's cold start: about 30 ms of 300 (bench/RESULTS.md)."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    aws_region: str = Field(default="us-east-1", validation_alias="AWS_REGION")

    learners_table: str = "LearnersTable"
    emails_table: str = "EmailsTable"
    sessions_table: str = "SessionsTable"
    tokens_table: str = "TokensTable"
    rate_limits_table: str = "RateLimitsTable"
    activities_table: str = "ActivitiesTable"
    codes_table: str = "CodesTable"
    attendance_table: str = "AttendanceTable"
    claims_table: str = "ClaimsTable"
    audit_table: str = "AuditTable"
    certificates_table: str = "CertificatesTable"
    outside_credits_table: str = "OutsideCreditsTable"
    idempotency_table: str = "IdempotencyTable"
    requirement_sets_table: str = "RequirementSetsTable"
    learner_search_table: str = "LearnerSearchTable"
    late_claims_table: str = "LateClaimsTable"
    reminders_table: str = "RemindersTable"
    imports_table: str = "ImportsTable"
    transcript_queue: str = "TranscriptQueue"  # a queue URL in AWS; a queue name works too
    # Each new claim's certificate emailed to the learner (template parameter EmailCertificates):
    # the claim queues it here, the certificates function makes the PDF and sends it
    certificate_queue: str = "CertificateMailQueue"
    import_queue: str = "ImportQueue"  # the reader's queue (a URL in AWS; a name works too)
    import_batch_queue: str = "ImportBatchQueue"  # the worker's queue of row batches
    email_certificates: bool = True
    # Bulk mail (cme.platform.pacing): the SES send rate it may use, emails per second (template parameter
    # MaxSendRate), shared by the mail queue worker's instances that may run at once (template
    # Mapping MailQueue, also the SQS event's MaximumConcurrency).
    max_send_rate: float = Field(default=1.0, gt=0)
    mail_senders: int = Field(default=2, ge=1)
    documents_bucket: str = "cme-documents"
    # Claim reminders (cme.credit.reminders): this many days before an attendee's last day to
    # claim (template parameter ReminderDaysBeforeClose); a shorter window: halfway through it.
    reminder_days_before_close: int = Field(default=7, ge=1, le=90)

    site_url: str = "http://127.0.0.1:3000"
    mail_from: str = "cme-office@example.org"
    # The SES configuration set every email is sent with (template: MailConfigurationSet), whose
    # event destination reports bounces and complaints (cme.identity.deliverability). Empty: none.
    mail_configuration_set: str = ""
    office_name: str = "Continuing Medical Education Office"
    help_email: str = "cme-help@example.org"
    default_phone_region: str = "US"
    office_timezone: str = "America/New_York"
    # The office's number for attendance by text message (SMS_NUMBER); empty: none configured.
    sms_number: str = ""
    # Replies to texts from numbers no profile has confirmed, all numbers together, per hour
    # (template parameter UnknownTextReplyCap; cme.publishing.sms): what strangers can cost.
    unknown_text_reply_cap: int = Field(default=60, ge=0)
    provider_name: str = "Continuing Medical Education Office"
    provider_address: str = "1 Hospital Way, Phoenix, AZ 85001"
    # template parameter JointlyAccredited: the Joint Accreditation statement replaces the separate ones
    jointly_accredited: bool = False
    # the certificate's signature block (template parameters CmeDirectorName, CmeDirectorTitle)
    cme_director_name: str = ""
    cme_director_title: str = "Director of Continuing Medical Education"
    # SignatureImageKey: a PNG/JPEG under signature/ in the documents bucket, drawn above the
    # signature line (cme.records.pdf.signature reads it once per container); empty: none
    signature_image_key: str = ""
    download_seconds: int = 300
    verify_per_client: int = 60
    # Verified emails that are made coordinators (role admin) when they sign in.
    admin_emails: str = ""

    session_hours: int = 12
    verify_email_hours: int = 24
    password_reset_minutes: int = 60
    cookie_secure: bool = True

    # Throttles: attempts allowed per fixed window (cme.platform.throttle), keyed on the viewer address.
    throttle_window_seconds: int = 900  # a scope's window unless it names its own
    sign_in_per_email_client: int = 10  # failures per 15 min for one email from one address
    sign_in_per_email_day: int = 100  # failures per day for one email from untrusted clients
    sign_in_per_device: int = 10  # failures per 15 min from one known device (cookie)
    lookup_per_client: int = 30
    create_per_client: int = 100  # per hour
    reset_per_email: int = 5
    reset_per_client: int = 30
    verify_sends_per_learner: int = 10
    max_emails_per_learner: int = 10
    attendance_per_activity_client: int = 600  # event sign-ins per 15 min: a crowd shares an address
    attendance_per_email: int = 10  # event sign-ins per 15 min for one email
    attendance_wrong_codes_per_client: int = 100  # wrong codes per 15 min, then 429 for that address
    roster_max_rows: int = 5000
    outside_credits_per_learner: int = 500  # outside credits a learner may hold at once
    upload_forms_per_learner: int = 20  # outside-credit upload forms per hour
    transcript_renders_per_learner: int = 30  # transcript PDFs and CSVs per hour

    max_body_bytes: int = 64 * 1024

    # Secrets live in AWS Secrets Manager, never in the environment: these name them (an ARN or
    # a name), and cme.platform.secrets reads them at first use. Each holds JSON {"current", "previous"}.
    # The value CloudFront sends in X-Origin-Verify (template parameters OriginSecret and, during
    # a rotation, OriginSecretPrevious): requests without it did not come through the portal's
    # site and are refused. Empty (no secret named, or no value in it): refuse all.
    origin_secret_id: str = ""
    # The key that signs known-device cookies (DeviceCookieKey; DeviceCookieKeyPrevious still
    # verifies, cme.identity.devices). Empty: no device is trusted, and none is remembered.
    device_cookie_key_id: str = ""
    # How long a process keeps a secret it read before reading it again (a rotation's new value
    # reaches every warm function within this), and the least time between two reads forced by
    # a value that matched neither cached one (so a stream of wrong values costs one read per
    # this many seconds, not one per request).
    secret_cache_seconds: int = 300
    secret_refetch_seconds: int = 10

    # Powertools' own switch: traces only when it is unset or false.
    trace_disabled: bool = Field(default=False, validation_alias="POWERTOOLS_TRACE_DISABLED")

    @property
    def tracing(self) -> bool:
        return not self.trace_disabled


def from_environment(environ: dict[str, str] | None = None) -> Settings:
    """The settings named in ``environ`` (default: the process's), names in any case."""
    source = {k.upper(): v for k, v in (os.environ if environ is None else environ).items()}
    values: dict[str, Any] = {}
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        given = alias if isinstance(alias, str) else name  # pydantic validates by the alias
        if given.upper() in source:
            values[given] = source[given.upper()]
    return Settings.model_validate(values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return from_environment()


def reset_settings() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()
