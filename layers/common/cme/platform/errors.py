"""Domain errors and the one registry of error codes.

Logic raises a ``DomainError`` subclass; each subclass has an HTTP status (``status``) and
cme.runtime.resolver answers ``{code, message, details?}`` with it. ``CODES`` is every ``code`` the API
answers with, its status and what it means: the contract clients read (the table of
docs/api.md "Error codes" is rendered from it; each route's OpenAPI declaration takes its
codes' statuses from it). tests/unit/test_error_registry.py walks every place the source makes an error and
fails when a code is not registered, or is made with a status other than its registered one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, NamedTuple, TypeVar

T = TypeVar("T")


class Code(NamedTuple):
    status: int
    meaning: str
    # further statuses the code answers with on the routes that declare it so (a name the API
    # contract gives one meaning at two statuses: PASSWORD_MISMATCH, 401 at sign-in, 422 for a
    # password change's current password); a route names the status it uses (resolver.responses)
    also: tuple[int, ...] = ()


CODES: dict[str, Code] = {
    # 400: the request itself cannot be used
    "CURSOR_INVALID": Code(
        400, "A page cursor not made by the API, or made for another search: start from the first page."
    ),
    "MALFORMED_JSON": Code(400, "The body is not JSON, not UTF-8, or nested deeper than any route takes."),
    "TOKEN_INVALID": Code(
        400,
        "A one-time link (reset, email confirmation) is unknown, used, expired, or for another account;"
        " an unsubscribe link the portal never sent.",
    ),
    # 401: who is calling is not known
    "PASSWORD_MISMATCH": Code(
        401,
        "Sign-in: the password does not match the email's account (401); a password change: the current"
        " password given is not the account's (422, details name current_password).",
        also=(422,),
    ),
    "SIGN_IN_REQUIRED": Code(401, "No session (or an ended one) on a route that needs one."),
    "UNRECOGNIZED_EMAIL": Code(401, "Sign-in: no account has this email."),
    # 403
    "FORBIDDEN": Code(
        403,
        "A coordinators' route without the role, or a request that did not come through the portal's site.",
    ),
    # 404
    "DOCUMENT_NOT_FOUND": Code(
        404, "An outside credit has no certificate document (not attached, or not uploaded yet)."
    ),
    "CODE_INVALID": Code(404, "An attendance code at sign-in that opens no published activity."),
    "NOT_FOUND": Code(
        404,
        "Nothing of that id the caller may see (learner, activity, claim, email, report, requirement set,"
        " certificate code, late-claim request), or no such route.",
    ),
    "OUTSIDE_CREDIT_NOT_FOUND": Code(404, "No such outside credit on the caller's record."),
    # 409: the state forbids it
    "ALREADY_CLAIMED": Code(409, "Credit for this activity was already claimed."),
    "ALREADY_REVOKED": Code(409, "The learner's claim of this activity was already revoked (no live claim is left)."),
    "ATTENDANCE_CHANGED": Code(409, "The attendance entry changed meanwhile; reload and retry."),
    "CLAIM_CHANGED": Code(
        409, "A claim being revoked changed meanwhile, again and again (certificate reissued, line reported); retry."
    ),
    "ATTENDANCE_CLAIMED": Code(409, "The attendance entry carries a claim for credit, so it cannot be removed."),
    "CODE_TAKEN": Code(409, "Another activity uses that attendance code (or no free code could be generated)."),
    "EMAIL_CHANGED": Code(409, "The account's emails changed meanwhile; reload and retry."),
    "EMAIL_TAKEN": Code(409, "Another account already uses this email."),
    "EMAIL_UNDELIVERABLE": Code(409, "Email to that address bounced or was reported as spam, so nothing was sent."),
    "PRIMARY_UNCONFIRMED": Code(
        409, "The account's primary email is not confirmed yet: no other email or phone until it is."
    ),
    "LATE_REQUEST_DECIDED": Code(
        409, "The late-claim request was approved or declined already (by another coordinator, say)."
    ),
    "IMPORT_STATUS": Code(
        409, "An import that is not in the state the step needs (check: uploaded or checked; commit: checked)."
    ),
    "LATE_REQUEST_OPEN": Code(409, "A late-claim request for this activity is already open."),
    "MERGE_CONFLICT": Code(
        409,
        "A merge of two accounts that both claimed credit for one activity (details: one per activity,"
        " activity_id and title): the office revokes one claim first.",
    ),
    "PHONE_TAKEN": Code(409, "The profile's phone is already confirmed on another account."),
    "PROFILE_CHANGED": Code(409, "The profile changed meanwhile; reload and save again."),
    "TEXTING_OFF": Code(409, "The office has no number for texts, so no confirmation code can be sent."),
    # 413, 415: refused by the HTTP edge before the route runs
    "PAYLOAD_TOO_LARGE": Code(413, "The body is larger than the route takes."),
    "UNSUPPORTED_MEDIA_TYPE": Code(415, "The body's Content-Type is not one the route takes."),
    # 422: a value breaks a rule (details name the fields)
    "ACTIVITY_EXPIRED": Code(
        422,
        "A claim (or a late-claim request) on an enduring material after its end date: it can no longer be completed.",
    ),
    "ATTESTATION_REQUIRED": Code(422, "A claim without the attestation confirmed."),
    "BOARD_UNKNOWN": Code(422, "A board id for a board the portal keeps no ids for."),
    "CLAIM_WINDOW_CLOSED": Code(
        422,
        "The activity's claim window has ended (details: activity_id), or a line's board takes it no more "
        "(ACPE: 60 days after the date of participation; details: lines[i]); a late-claim request when the "
        "boards' limits have closed every credit the learner may claim (details: activity_id).",
    ),
    "CLAIM_WINDOW_OPEN": Code(
        422, "A late-claim request while the activity's claim window (or its reopening) is open: claim instead."
    ),
    "CODE_MALFORMED": Code(422, "An attendance code in the activity form that is not 4 to 12 letters and digits."),
    "COMPLETED_IN_FUTURE": Code(422, "An outside credit completed on a day to come."),
    "CPE_DETAILS_REQUIRED": Code(422, "ACPE credit needs the NABP e-Profile id and birth month and day."),
    "CREDITS_INVALID": Code(422, "Credit amounts or lines that break the activity's maximums, steps or pairing rules."),
    "CREDITS_MUST_BE_FULL": Code(
        422, "A line of a credit its board awards whole (ABP MOC, ACPE) for less than the activity's amount."
    ),
    "CREDIT_TYPE_NOT_ALLOWED": Code(422, "A credit type the learner's degree may not claim."),
    "CREDIT_TYPE_UNKNOWN": Code(422, "A credit type the portal does not know, or one listed twice."),
    "CYCLE_END_INVALID": Code(422, "A licence cycle end that has already passed, or too far ahead."),
    "CYCLE_INVALID": Code(422, "A requirement set's cycle length outside the range the portal takes."),
    "DATES_INVALID": Code(
        422, "A date range whose end is before its start, a date to come, or a value that is not a date."
    ),
    "DEGREE_LOCKED": Code(422, "The degree is part of claimed credit; only the CME office may change it."),
    "DOCUMENT_MISMATCH": Code(
        422, "The uploaded certificate is not of the type it was declared as (it is kept private)."
    ),
    "EMAIL_CHANGE_NEEDS_VERIFICATION": Code(
        422, "The sign-in email is changed by adding and confirming a new one, not by editing the profile."
    ),
    "EMAIL_INVALID": Code(422, "Not a valid email address."),
    "EMAIL_NOT_VERIFIED": Code(422, "Only a confirmed email can become the primary one."),
    "ENCODING_INVALID": Code(422, "A CSV roster in an encoding other than UTF-8, UTF-16 or Windows-1252."),
    "EVALUATION_INCOMPLETE": Code(422, "A claim without an answer to every required evaluation question."),
    "EVALUATION_INVALID": Code(
        422, "An activity's evaluation with a repeated question id or a choice question without choices."
    ),
    "IMPORT_FILE_EMPTY": Code(422, "An import's file without a header row."),
    "IMPORT_FILE_TOO_LARGE": Code(422, "An import's Excel workbook over 20 MB, or holding more than an import takes."),
    "IMPORT_FILE_UNREADABLE": Code(422, "An import's file that is not a readable CSV or Excel workbook."),
    "IMPORT_FILENAME_INVALID": Code(422, "An import's file name that does not end in .csv or .xlsx."),
    "IMPORT_MAPPING_INVALID": Code(
        422, "An import's column mapping naming an unknown column or header, or leaving a needed column unmapped."
    ),
    "IMPORT_SOURCE_INVALID": Code(422, "An import's source name without letters or digits."),
    # an import's row problems (docs/api.md "Imports"): the row is not imported, the rest go on
    "IMPORT_ACTIVITY_UNKNOWN": Code(422, "An import row whose activity source id names no activity imported before."),
    "IMPORT_CERTIFICATE_TAKEN": Code(
        422, "An imported claim's certificate number (namespaced by its portal) that is another certificate's."
    ),
    "IMPORT_CLAIM_DUPLICATE": Code(
        422, "An imported claim row whose learner, activity and credit type an earlier row of the import holds."
    ),
    "IMPORT_EMAIL_HELD": Code(422, "An import row whose email is only an unconfirmed hold of another account."),
    "IMPORT_LEARNER_UNKNOWN": Code(422, "An import row whose email is no learner's (confirmed or imported)."),
    "IMPORT_COLUMN_MISSING": Code(422, "An import's mapping (row 0) that leaves a column its kind needs unmapped."),
    "IMPORT_COLUMN_UNKNOWN": Code(422, "An import's mapping (row 0) naming a column the portal does not import."),
    "IMPORT_CREDIT_TYPE_UNKNOWN": Code(422, "An import row naming a credit type the portal does not know."),
    "IMPORT_DATE_INVALID": Code(
        422, "An import row whose date is none (YYYY-MM-DD, M/D/YYYY), or ends before it starts."
    ),
    "IMPORT_DEGREE_UNKNOWN": Code(422, "An import row whose degree is none the portal knows."),
    "IMPORT_DUPLICATE_ROW": Code(422, "An import row whose source id an earlier row of the same file has."),
    "IMPORT_EMAIL_INVALID": Code(422, "An import row whose email is not a valid address."),
    "IMPORT_FORMAT_UNKNOWN": Code(422, "An import row whose activity format is none the portal knows."),
    "IMPORT_HEADER_UNKNOWN": Code(422, "An import's mapping (row 0) naming a header the file does not have."),
    "IMPORT_NAME_INVALID": Code(422, "An import row whose name is empty or holds a web or email address."),
    "IMPORT_NPI_INVALID": Code(422, "An import row whose NPI is not 10 digits with a valid check digit."),
    "IMPORT_NUMBER_INVALID": Code(422, "An import row whose credits are not a positive number."),
    "IMPORT_PHONE_INVALID": Code(422, "An import row whose phone is not a valid number."),
    "IMPORT_ROW_FAILED": Code(422, "An import row that could not be written after three tries of its batch."),
    "IMPORT_VALUE_MISSING": Code(422, "An import row without a value in a column its kind needs."),
    "IPCE_NEEDS_JOINT_ACCREDITATION": Code(
        422, "An activity designating IPCE credit from an office that is not jointly accredited (JointlyAccredited)."
    ),
    "LAST_CONFIRMED_EMAIL": Code(422, "Removing the account's only confirmed email."),
    "MERGE_SAME_LEARNER": Code(422, "A merge of a learner's account into itself."),
    "MIN_CREDITS_INVALID": Code(422, "A requirement rule's minimum out of range or not in steps of 0.25."),
    "MOC_DETAILS_REQUIRED": Code(422, "MOC points need consent, the board id and birth month and day."),
    "NAME_INVALID": Code(422, "A required name is empty, or a name holds a web or email address."),
    "NAME_SCRIPT_UNSUPPORTED": Code(422, "A name in a writing system certificates cannot print."),
    "NAME_UNPRINTABLE": Code(
        422, "A stored name has characters a certificate cannot print; correct the profile first."
    ),
    "NOT_ATTENDED": Code(422, "No attendance at the activity under one of the learner's confirmed emails."),
    "NPI_INVALID": Code(422, "An NPI that is not 10 digits with a valid check digit."),
    "PASSWORD_REUSED": Code(422, "A new password equal to the old one."),
    "PASSWORD_TOO_WEAK": Code(422, "A password too short, too long, too common or made of the account's own details."),
    "PHONE_CODE_INVALID": Code(
        422, "A phone confirmation code that is wrong, expired, already used, or sent to another phone."
    ),
    "PHONE_INVALID": Code(422, "Not a valid phone number."),
    "PRIMARY_EMAIL": Code(422, "Removing the email the account signs in with."),
    "ROSTER_INVALID": Code(422, "A roster without the needed columns, empty, or not parseable."),
    "ROSTER_TOO_LARGE": Code(
        422, "A roster with more rows than one upload takes, or a workbook past the sheet's bounds (size, rows, cells)."
    ),
    "ROSTER_UNREADABLE": Code(422, "A file sent as XLSX that is not a readable Excel workbook."),
    "RULE_INVALID": Code(422, "A requirement set with a repeated rule id."),
    "SIGN_IN_CLOSED": Code(422, "Sign-in at the event outside the activity's dates."),
    "SUBJECT_REQUIRED": Code(
        422, "The audit trail: neither or both of learner_id and activity_id given (exactly one)."
    ),
    "TOO_MANY_OUTSIDE_CREDITS": Code(422, "The learner already holds as many outside credits as they may."),
    "TOO_MANY_EMAILS": Code(422, "The account already holds as many emails as it may."),
    "TOO_MANY_TRACKED": Code(422, "The learner already tracks as many requirement sets as they may."),
    "TOPIC_UNKNOWN": Code(422, "A topic not in the portal's vocabulary, or one listed twice."),
    "VALIDATION_FAILED": Code(422, "The body or query does not match the route's schema (details name each field)."),
    # 429
    "TOO_MANY_ATTEMPTS": Code(
        429, "Throttled: too many attempts from this client or on this account; Retry-After says when to try again."
    ),
    "TOO_MANY_REQUESTS": Code(
        429, "Done too recently (reminders: once per 24 hours per activity); Retry-After says when it may be again."
    ),
    # 500: a bug; never declared on a route
    "INTERNAL_ERROR": Code(500, "An unexpected failure (logged); nothing a client did."),
    # 503: a dependency failed; nothing was half-written; Retry-After says when to retry
    "CERTIFICATE_BUSY": Code(503, "The certificate is being prepared; retry in a moment."),
    "EMAIL_UNAVAILABLE": Code(503, "The email could not be sent, and nothing was saved."),
    "SERVICE_UNAVAILABLE": Code(503, "Storage (DynamoDB) or the origin secret could not be reached."),
    "STORAGE_UNAVAILABLE": Code(503, "The document store (S3) could not be reached."),
    "TEXT_UNAVAILABLE": Code(503, "The text message could not be sent (SNS); ask for a new code in a minute."),
}


def status_of(code: str) -> int:
    """The registered status of ``code`` (KeyError for a code the registry does not hold)."""
    return CODES[code].status


def statuses_of(code: str) -> tuple[int, ...]:
    """Every status ``code`` is registered with: its own, then those on routes that say so."""
    return (CODES[code].status, *CODES[code].also)


class DomainError(Exception):
    """A failure the person can act on: a code for programs, a message for people.

    ``status`` is the HTTP status the API answers it with; each code's is in ``CODES``."""

    status: ClassVar[int] = 400

    def __init__(self, code: str, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


class InvalidInput(DomainError):
    """The request is well-formed but a value breaks a rule (422)."""

    status = 422


class BadToken(DomainError):
    """A one-time token (or a page cursor) is unknown, used, expired or for another purpose (400)."""

    status = 400


class NotAuthenticated(DomainError):
    """No session, or the credentials do not match (401)."""

    status = 401


class Forbidden(DomainError):
    """Signed in, but not allowed (403)."""

    status = 403


class NotFound(DomainError):
    """Nothing of that id that the caller may see (404)."""

    status = 404


class Conflict(DomainError):
    """The state forbids it: already taken, already done (409)."""

    status = 409


class ServiceUnavailable(DomainError):
    """A dependency failed; nothing was half-written; try again (503)."""

    status = 503

    def __init__(self, code: str, message: str, retry_after: int = 30) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


class TooManyAttempts(DomainError):
    """Throttled (429); retry_after says when to try again, in seconds."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("TOO_MANY_ATTEMPTS", "Too many attempts. Please wait a few minutes and try again.")
        self.retry_after = retry_after


class TooManyRequests(DomainError):
    """Done too recently to be done again yet (429 TOO_MANY_REQUESTS); retry_after in seconds."""

    status = 429

    def __init__(self, code: str, message: str, retry_after: int) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


SIGN_IN_REQUIRED = "You must sign in to your account"


def sign_in_required() -> NotAuthenticated:
    return NotAuthenticated("SIGN_IN_REQUIRED", SIGN_IN_REQUIRED)


class Problems:
    """Collects every InvalidInput of a form, so the person sees all of them at once."""

    def __init__(self) -> None:
        self.found: list[InvalidInput] = []

    def check(self, check: Callable[..., T], *args: Any) -> T | None:
        try:
            return check(*args)
        except InvalidInput as problem:
            self.found.append(problem)
            return None

    def raise_any(self) -> None:
        if not self.found:
            return
        first = self.found[0]
        details = [detail for problem in self.found for detail in problem.details or []]
        message = " ".join(dict.fromkeys(problem.message for problem in self.found))
        raise InvalidInput(first.code, message, details)
