"""The portal's tables. Keys and indexes mirror template.yaml, which is the source of truth."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    NumberSetAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection

from cme.platform.models.base import BaseModel


class LearnersByPhone(GlobalSecondaryIndex["Learner"]):
    class Meta:
        index_name = "by_phone"
        projection = IncludeProjection(["last_name_key", "email"])

    phone_e164 = UnicodeAttribute(hash_key=True)


class LearnersByConfirmedPhone(GlobalSecondaryIndex["Learner"]):
    """Sparse: only learners whose phone is confirmed (``confirmed_phone`` set), so a phone
    nobody confirmed is in no lookup that identifies a texter (cme.publishing.sms)."""

    class Meta:
        index_name = "by_confirmed_phone"
        projection = KeysOnlyProjection()

    confirmed_phone = UnicodeAttribute(hash_key=True)


class LearnersByTranscriptDue(GlobalSecondaryIndex["Learner"]):
    """Sparse: only learners with a transcript schedule; the mailer's Query of who is due."""

    class Meta:
        index_name = "by_transcript_due"
        projection = KeysOnlyProjection()

    transcript_schedule = UnicodeAttribute(hash_key=True)
    transcript_due = UnicodeAttribute(range_key=True)


class Learner(BaseModel):
    """A learner's profile. ``password_hash`` never leaves cme.identity.accounts / cme.identity.passwords."""

    table_setting = "learners_table"

    class Meta:
        table_name = ""

    learner_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    last_name_key = UnicodeAttribute()
    degree = UnicodeAttribute()
    phone_e164 = UnicodeAttribute(null=True)  # removed when the owner moves in (cme.identity.recovery)
    # the phone proven by a code texted to it (cme.identity.phones): set to ``phone_e164`` then,
    # removed when the phone changes; the by_confirmed_phone index's key
    confirmed_phone = UnicodeAttribute(null=True)
    # the confirmation code last texted (its hash, the phone it went to, until when, wrong tries)
    phone_code_hash = UnicodeAttribute(null=True)
    phone_code_to = UnicodeAttribute(null=True)
    phone_code_expires = UTCDateTimeAttribute(null=True)
    phone_code_tries = NumberAttribute(null=True)
    specialty = UnicodeAttribute(null=True)
    npi = UnicodeAttribute(null=True)
    # for board (MOC) and NABP (ACPE) reporting: board name ("ABIM") -> the learner's id there
    board_ids = MapAttribute[str, str](null=True)
    nabp_eprofile_id = UnicodeAttribute(null=True)
    birth_mmdd = UnicodeAttribute(null=True)  # "MMDD"
    email_verified = BooleanAttribute(default=False)
    role = UnicodeAttribute(default="learner")
    transcript_frequency = UnicodeAttribute(default="never")
    transcript_schedule = UnicodeAttribute(null=True)  # "SCHEDULED" unless the frequency is never
    transcript_due = UnicodeAttribute(null=True)  # ISO date the next scheduled transcript is due
    password_hash = UnicodeAttribute()
    # every email of this learner proven by a verification link (kept with EmailOwner.verified)
    verified_emails = UnicodeSetAttribute(default=set)
    # set by each password reset, in its transaction: a reset link issued before it is spent
    password_changed_at = UTCDateTimeAttribute(null=True)
    # device cookies (cme.identity.devices) issued before it are no longer known: set when a
    # reset confirms the primary email (the owner moved in; cme.identity.recovery)
    devices_valid_after = UTCDateTimeAttribute(null=True)
    # what My Portal tells the learner once (cme.identity.accounts.NOTICES), until it is cleared
    notices = UnicodeSetAttribute(null=True)
    # closed by the office's merge (cme.credit.merge): the learner it was merged into, set first
    # (no sign-in from then on), and when the merge finished (its audit records written)
    merged_into = UnicodeAttribute(null=True)
    merged_at = UTCDateTimeAttribute(null=True)
    merge_finished_at = UTCDateTimeAttribute(null=True)
    # created by the office's import (cme.credit.imports) from the named portal, without a
    # password (``password_hash`` is cme.identity.passwords.UNSET until a reset or an invitation sets one)
    imported_from = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    by_phone = LearnersByPhone()
    by_confirmed_phone = LearnersByConfirmedPhone()
    by_transcript_due = LearnersByTranscriptDue()


class SearchByFirstName(GlobalSecondaryIndex["LearnerSearch"]):
    """A first name's start: the partition is the key's first character, the sort key the key."""

    class Meta:
        index_name = "by_first_name"
        projection = AllProjection()

    first_initial = UnicodeAttribute(hash_key=True)
    first_key = UnicodeAttribute(range_key=True)


class SearchByLastName(GlobalSecondaryIndex["LearnerSearch"]):
    class Meta:
        index_name = "by_last_name"
        projection = AllProjection()

    last_initial = UnicodeAttribute(hash_key=True)
    last_key = UnicodeAttribute(range_key=True)


class SearchByNpi(GlobalSecondaryIndex["LearnerSearch"]):
    class Meta:
        index_name = "by_npi"
        projection = AllProjection()

    npi = UnicodeAttribute(hash_key=True)


class SearchByPhoneTail(GlobalSecondaryIndex["LearnerSearch"]):
    """A phone's last 4 digits; the sort key is every digit, last first, so a longer tail is a
    ``begins_with`` of its reversed digits."""

    class Meta:
        index_name = "by_phone_tail"
        projection = AllProjection()

    phone_tail = UnicodeAttribute(hash_key=True)
    phone_reversed = UnicodeAttribute(range_key=True)


class LearnerSearch(BaseModel):
    """What the office finds a learner by (cme.identity.learner_search): one small item per learner,
    put with every write of the profile values it is made from, in the same transaction. Its own
    table, because CloudFormation adds one index to a table per update and these are four.
    Only keys: a search reads the learners themselves (a BatchGetItem) and checks them again."""

    table_setting = "learner_search_table"

    class Meta:
        table_name = ""

    learner_id = UnicodeAttribute(hash_key=True)
    first_initial = UnicodeAttribute(null=True)  # absent (not in the index) when the key is empty
    first_key = UnicodeAttribute(null=True)  # cme.platform.normalize.name_key
    last_initial = UnicodeAttribute(null=True)
    last_key = UnicodeAttribute(null=True)
    npi = UnicodeAttribute(null=True)
    phone_tail = UnicodeAttribute(null=True)
    phone_reversed = UnicodeAttribute(null=True)

    by_first_name = SearchByFirstName()
    by_last_name = SearchByLastName()
    by_npi = SearchByNpi()
    by_phone_tail = SearchByPhoneTail()


class EmailsByLearner(GlobalSecondaryIndex["EmailOwner"]):
    class Meta:
        index_name = "by_learner"
        projection = AllProjection()

    learner_id = UnicodeAttribute(hash_key=True)


class EmailOwner(BaseModel):
    """One item per normalized email: which learner owns it. Written only with a condition.

    Until ``verified`` it is only a hold
    (docs/api.md "Email confirmation needs the account that asked for it"):
    Create Account takes it over at once, and
    anyone may take it once it is older than ``verify_email_hours`` (from ``added_at``). A
    verification link counts only for the item it was issued for: issued by its learner, at
    or after its ``added_at`` (a removed and re-added, or taken, address starts a new item)."""

    table_setting = "emails_table"

    class Meta:
        table_name = ""

    email = UnicodeAttribute(hash_key=True)
    learner_id = UnicodeAttribute()
    verified = BooleanAttribute(default=False)
    primary = BooleanAttribute(default=False)
    added_at = UTCDateTimeAttribute()
    verified_at = UTCDateTimeAttribute(null=True)
    # SES reported mail to it undeliverable (cme.identity.deliverability): a permanent bounce or a
    # complaint ("bounce" | "complaint"), and when. Nothing more is sent to it until the learner
    # asks for a resend, which clears both and sets ``deliverable_since``: a report older than
    # that (a late or repeated SNS delivery) does not mark it again.
    undeliverable_reason = UnicodeAttribute(null=True)
    undeliverable_at = UTCDateTimeAttribute(null=True)
    deliverable_since = UTCDateTimeAttribute(null=True)
    # the office imported it from the portal it left (cme.credit.imports): the source's name. An
    # imported address is the office's word, not a hold (cme.identity.emails): it never lapses,
    # Create Account answers for it as for any account, a password reset through it confirms it
    imported_from = UnicodeAttribute(null=True)

    by_learner = EmailsByLearner()


class Session(BaseModel):
    """A signed-in session: under its learner (the hash key), keyed by the SHA-256 of its
    token (the token itself is never stored). No index: a learner's sessions are one
    consistent Query of the table's own key, so a password reset finds every one of them,
    even one started a moment before (a global secondary index lags its table)."""

    table_setting = "sessions_table"

    class Meta:
        table_name = ""

    learner_id = UnicodeAttribute(hash_key=True)
    token_hash = UnicodeAttribute(range_key=True)
    role = UnicodeAttribute(default="learner")
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class Token(BaseModel):
    """A one-time token (email verification, password reset), stored only as its hash."""

    table_setting = "tokens_table"

    class Meta:
        table_name = ""

    token_hash = UnicodeAttribute(hash_key=True)
    purpose = UnicodeAttribute()
    learner_id = UnicodeAttribute()
    email = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()
    used_at = UTCDateTimeAttribute(null=True)


class RateCounter(BaseModel):
    """Attempts in one fixed window for one scope (e.g. sign-in per email)."""

    table_setting = "rate_limits_table"

    class Meta:
        table_name = ""

    key = UnicodeAttribute(hash_key=True)
    hits = NumberAttribute(default=0)
    expires_at = TTLAttribute()
    # a sign-in email's day counter: the email-and-client counters counted with it (cme.platform.throttle)
    related = UnicodeSetAttribute(null=True)


class CreditDesignation(MapAttribute[str, Any]):
    type = UnicodeAttribute()
    max = NumberAttribute()


class EvaluationQuestion(MapAttribute[str, Any]):
    question_id = UnicodeAttribute()
    text = UnicodeAttribute()
    kind = UnicodeAttribute()
    required = BooleanAttribute(default=True)
    choices = ListAttribute(of=UnicodeAttribute, null=True)


class ActivitiesByKind(GlobalSecondaryIndex["Activity"]):
    """Every activity, newest first: the coordinators' list (a Query, never a Scan)."""

    class Meta:
        index_name = "by_kind"
        projection = AllProjection()

    kind = UnicodeAttribute(hash_key=True)
    start_date = UnicodeAttribute(range_key=True)


class ActivitiesPublished(GlobalSecondaryIndex["Activity"]):
    """Sparse: only published activities carry ``published_key``; the public catalogue."""

    class Meta:
        index_name = "by_published"
        projection = AllProjection()

    published_key = UnicodeAttribute(hash_key=True)
    start_date = UnicodeAttribute(range_key=True)


class ActivitiesByMonth(GlobalSecondaryIndex["Activity"]):
    """Both activity lists, a month at a time (cme.publishing.activities.list_page): ``list_month`` is the
    month of the activity's last day + "#P" (published) or "#D" (draft), ``list_key`` its last
    day + "#" + its id. No partition grows with the years; the catalogue reads only "#P"."""

    class Meta:
        index_name = "by_month"
        projection = AllProjection()

    list_month = UnicodeAttribute(hash_key=True)
    list_key = UnicodeAttribute(range_key=True)


class ActivityCalendar(BaseModel):
    """One item in the activities table (``activity_id`` "#calendar"): the first and last month
    any activity's ``list_month`` names, so a list knows where its walk over months ends."""

    table_setting = "activities_table"

    class Meta:
        table_name = ""

    activity_id = UnicodeAttribute(hash_key=True)
    first_month = UnicodeAttribute(null=True)  # YYYY-MM
    last_month = UnicodeAttribute(null=True)
    months = UnicodeSetAttribute(null=True)  # every YYYY-MM filed: a walk skips the empty months


class Activity(BaseModel):
    table_setting = "activities_table"

    class Meta:
        table_name = ""

    activity_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="activity")
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    format = UnicodeAttribute()
    start_date = UnicodeAttribute()  # ISO date, YYYY-MM-DD
    end_date = UnicodeAttribute()
    location = UnicodeAttribute(default="")
    credits = ListAttribute(of=CreditDesignation)
    claim_window_days = NumberAttribute()
    evaluation = ListAttribute(of=EvaluationQuestion, default=list)
    attendance_code = UnicodeAttribute()
    published = BooleanAttribute(default=False)
    published_key = UnicodeAttribute(null=True)
    uan = UnicodeAttribute(null=True)  # ACPE's Universal Activity Number (the CPE Monitor file)
    uan_pharmacist = UnicodeAttribute(null=True)  # the UAN for pharmacists (-P)
    uan_technician = UnicodeAttribute(null=True)  # the UAN for pharmacy technicians (-T)
    pars_activity_id = UnicodeAttribute(null=True)  # the activity's id in ACCME's PARS (the MOC file)
    aapa_valid_until = UnicodeAttribute(null=True)  # ISO date: the AAPA designation's validity
    topics = ListAttribute(of=UnicodeAttribute, null=True)  # ids of cme.publishing.topics (licence requirements)
    list_month = UnicodeAttribute(null=True)  # the by_month index (ActivitiesByMonth); set on every save
    list_key = UnicodeAttribute(null=True)
    attendance_count = NumberAttribute(default=0)
    claim_count = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    by_kind = ActivitiesByKind()
    by_published = ActivitiesPublished()
    by_month = ActivitiesByMonth()


class AttendanceCode(BaseModel):
    """One item per attendance code, written with a condition: codes are unique."""

    table_setting = "codes_table"

    class Meta:
        table_name = ""

    code = UnicodeAttribute(hash_key=True)
    activity_id = UnicodeAttribute()


class Attendance(BaseModel):
    """Attendance at one activity under one normalized email. Kept, never expired."""

    table_setting = "attendance_table"

    class Meta:
        table_name = ""

    activity_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute(range_key=True)
    first_name = UnicodeAttribute(default="")
    last_name = UnicodeAttribute(default="")
    source = UnicodeAttribute()  # "self" (code at the event) or "roster"
    recorded_at = UTCDateTimeAttribute()
    # template.yaml's by_email index of this table is no longer read (EmailAttendance below):
    # it is dropped in a later deploy (docs/operations.md "Deploy to AWS")


#: ``activity_id`` of an email's EmailAttendance item: the prefix, then the email
ATTENDED_PREFIX = "#attended#"


class EmailAttendance(BaseModel):
    """Every activity attended under one email: one item per email in the attendance table
    (``activity_id`` "#attended#<email>", ``email`` the email), written in the same
    transaction as each attendance row it lists (cme.publishing.attendance), so it is exact, and read by
    key, with the learner, in one consistent BatchGetItem (cme.credit.claims.my_activities): however
    many verified emails a learner has. An activity id is 36 characters: 10,000 activities
    under one email fit in an item's 400 KB."""

    table_setting = "attendance_table"

    class Meta:
        table_name = ""

    activity_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute(range_key=True)
    activities = UnicodeSetAttribute(null=True)  # DynamoDB keeps no empty set: none left, absent

    @classmethod
    def key_of(cls, email: str) -> tuple[str, str]:
        return f"{ATTENDED_PREFIX}{email}", email


class ClaimsByActivity(GlobalSecondaryIndex["Claim"]):
    """The claims of one activity: the coordinators' report."""

    class Meta:
        index_name = "by_activity"
        projection = AllProjection()

    activity_id = UnicodeAttribute(hash_key=True)
    claimed_at = UTCDateTimeAttribute(range_key=True)


class ClaimsByReport(GlobalSecondaryIndex["Claim"]):
    """Sparse: only claims with a line to report to a board (``report_board`` "MOC" or "CPE"),
    by ``report_key`` = "U#" (unreported) or "R#" (reported) + the completion date (cme.records.board_files)."""

    class Meta:
        index_name = "by_report"
        projection = AllProjection()

    report_board = UnicodeAttribute(hash_key=True)
    report_key = UnicodeAttribute(range_key=True)


class ClaimLine(MapAttribute[str, Any]):
    """One credit line of a claim (cme.rules.credit.Line)."""

    credit_type = UnicodeAttribute()
    credits = NumberAttribute()


#: The range key prefix of a revoked claim (cme.credit.revocation): ``~revoked#<activity id>#<claim id>``.
#: "~" sorts after every character of an activity id, so ``Claim.live`` reads a learner's live
#: claims with a key condition (``activity_id < "~"``) and never a revoked one.
REVOKED_PREFIX = "~revoked#"


class Claim(BaseModel):
    """One live claim per learner per activity (the key makes it so). Kept, never expired: a
    revoked claim is moved, in one transaction, to the key ``REVOKED_PREFIX + activity id + "#"
    + claim id`` (its ``status`` "revoked", its activity in ``revoked_from``), which frees the
    activity's key for a new claim (docs/architecture.md "Revoked claims")."""

    table_setting = "claims_table"

    class Meta:
        table_name = ""

    learner_id = UnicodeAttribute(hash_key=True)
    activity_id = UnicodeAttribute(range_key=True)
    claim_id = UnicodeAttribute()
    activity_title = UnicodeAttribute()
    activity_start = UnicodeAttribute()
    activity_end = UnicodeAttribute()
    activity_format = UnicodeAttribute(null=True)  # absent on claims made before it was recorded
    completed_on = UnicodeAttribute(null=True)  # YYYY-MM-DD (cme.rules.credit.completed_on); absent likewise
    credit_type = UnicodeAttribute()  # the first line's (every claim has it)
    credits = NumberAttribute()
    # every line, first = credit_type/credits; absent on claims made before lines (cme.rules.credit.claim_lines)
    lines = ListAttribute(of=ClaimLine, null=True)
    moc_consent = BooleanAttribute(default=False)  # the learner agreed to MOC points being reported to the board
    # what board/NABP reporting needs, as the profile held it at claim time
    board_ids = MapAttribute[str, str](null=True)
    birth_mmdd = UnicodeAttribute(null=True)
    nabp_eprofile_id = UnicodeAttribute(null=True)
    evaluation = MapAttribute[str, Any](default=dict)
    attested = BooleanAttribute()
    claimed_at = UTCDateTimeAttribute()
    certificate_code = UnicodeAttribute()
    # who, as the record shows it (for reports to ACCME PARS and boards)
    learner_name = UnicodeAttribute()
    degree = UnicodeAttribute()
    email = UnicodeAttribute()
    npi = UnicodeAttribute(null=True)

    # board reporting (cme.records.board_files): set at claim time on a claim with an MOC line with consent
    # ("MOC") or an ACPE line ("CPE"); reported_on is the day a submission to the board covered it
    report_board = UnicodeAttribute(null=True)
    report_key = UnicodeAttribute(null=True)
    reported_on = UnicodeAttribute(null=True)  # YYYY-MM-DD
    withdrawn_on = UnicodeAttribute(null=True)  # YYYY-MM-DD: a revoked claim's "Delete" rows went to PARS
    first_name = UnicodeAttribute(null=True)  # as the profile held them at claim time (board files)
    last_name = UnicodeAttribute(null=True)
    # the activity's topics at claim time (cme.publishing.topics); absent on claims made before
    # topics (cme.credit.requirements)
    topics = ListAttribute(of=UnicodeAttribute, null=True)
    # made by a coordinator on the learner's behalf (cme.credit.claims.Behalf): the coordinator's
    # learner id (never in a reply) and name and email as the record shows them
    made_by = UnicodeAttribute(null=True)
    made_by_name = UnicodeAttribute(null=True)
    window_overridden = BooleanAttribute(null=True)  # the coordinator passed the closed activity window
    # a revoked claim (cme.credit.revocation), at its revoked key: "revoked", the activity's id,
    # when, by whom (id; name and email), why
    status = UnicodeAttribute(null=True)
    revoked_from = UnicodeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    revoked_by_name = UnicodeAttribute(null=True)
    revoke_reason = UnicodeAttribute(null=True)
    # imported from the portal the office left (cme.credit.imports): source "imported", the
    # source's name as the office typed it ("Imported from <source_name>" on every transcript)
    source = UnicodeAttribute(null=True)
    source_name = UnicodeAttribute(null=True)
    # an imported claim's credit types (cme.credit.import_claims): a later row of the same learner
    # and activity adds its line only if its type is not here yet (the update's condition)
    import_types = UnicodeSetAttribute(null=True)

    by_activity = ClaimsByActivity()
    by_report = ClaimsByReport()

    @classmethod
    def live(cls, learner_id: str, **options: Any) -> Any:
        """The learner's live claims (a Query of the key, revoked claims left out by the key condition)."""
        return cls.query(learner_id, cls.activity_id < REVOKED_PREFIX, **options)

    @classmethod
    def revoked_of(cls, learner_id: str, activity_id: str, **options: Any) -> Any:
        """The learner's revoked claims of one activity (a Query of the key)."""
        return cls.query(learner_id, cls.activity_id.startswith(f"{REVOKED_PREFIX}{activity_id}#"), **options)

    @property
    def activity(self) -> str:
        """The activity's id, for a live claim and a revoked one alike."""
        return self.revoked_from or self.activity_id


class AuditByActivity(GlobalSecondaryIndex["AuditRecord"]):
    """Sparse: the records about one activity, whatever their subject (a claim is kept under its
    learner, an attendance removal under the activity): the activity page's History."""

    class Meta:
        index_name = "by_activity"
        projection = AllProjection()

    activity_id = UnicodeAttribute(hash_key=True)
    at = UnicodeAttribute(range_key=True)


class AuditRecord(BaseModel):
    """What happened, by whom, when and from where. Kept, never expired."""

    table_setting = "audit_table"

    class Meta:
        table_name = ""

    subject = UnicodeAttribute(hash_key=True)  # e.g. "learner#<id>"
    at = UnicodeAttribute(range_key=True)  # ISO time + "#" + event id: ordered, unique
    # the activity a record is about, when it is about one (cme.platform.audit.about sets it): by_activity's key
    activity_id = UnicodeAttribute(null=True)
    by_activity = AuditByActivity()
    action = UnicodeAttribute()
    actor = UnicodeAttribute()
    source_ip = UnicodeAttribute(default="")
    user_agent = UnicodeAttribute(default="")
    detail = MapAttribute[str, Any](default=dict)


class Certificate(BaseModel):
    """One issued certificate version, by its public code. Kept as issued; a reissue (after a
    name correction) is a new code, and the old one points to it as superseded."""

    table_setting = "certificates_table"

    class Meta:
        table_name = ""

    certificate_code = UnicodeAttribute(hash_key=True)
    learner_id = UnicodeAttribute()
    claim_id = UnicodeAttribute()
    activity_id = UnicodeAttribute()
    learner_name = UnicodeAttribute()  # as printed, with the degree
    activity_title = UnicodeAttribute()
    activity_date = UnicodeAttribute()
    credit_type = UnicodeAttribute()  # the first line's
    credits = NumberAttribute()
    lines = ListAttribute(of=ClaimLine, null=True)  # every line; absent on records from before lines
    issued_at = UTCDateTimeAttribute()
    s3_key = UnicodeAttribute()
    s3_version = UnicodeAttribute(null=True)
    superseded_by = UnicodeAttribute(null=True)
    replaced_at = UTCDateTimeAttribute(null=True)  # when superseded_by was set (verify's replaced_on)
    revoked_at = UTCDateTimeAttribute(null=True)  # its claim was revoked (cme.credit.revocation): verifies as revoked
    # an imported claim's certificate (cme.credit.imports): the number the old portal printed,
    # namespaced by the source (the key is cme.rules.imports.certificate_key); no PDF of ours
    source_name = UnicodeAttribute(null=True)
    original_number = UnicodeAttribute(null=True)


class OutsideCredit(BaseModel):
    """Credit a learner earned elsewhere and reported themselves (cme.records.outside). Shown marked
    self-reported; ``document_key`` is the attached certificate's key in the documents bucket,
    ``document_checked`` set once its first bytes matched ``document_type``; ``pending_key`` an
    upload that replaces it once its own first bytes match (cme.records.outside)."""

    table_setting = "outside_credits_table"

    class Meta:
        table_name = ""

    learner_id = UnicodeAttribute(hash_key=True)
    outside_credit_id = UnicodeAttribute(range_key=True)
    title = UnicodeAttribute()
    provider = UnicodeAttribute()
    completed_on = UnicodeAttribute()  # YYYY-MM-DD
    credit_type = UnicodeAttribute()  # one of cme.rules.credit's types
    credits = NumberAttribute()
    topics = ListAttribute(of=UnicodeAttribute, default=list)
    document_key = UnicodeAttribute(null=True)
    document_type = UnicodeAttribute(null=True)  # the declared MIME type of the attached certificate
    document_checked = BooleanAttribute(default=False)
    document_mismatch = BooleanAttribute(default=False)  # its first bytes did not match: never served
    # an upload not yet accepted (its own key): the certificate above stays until this one's bytes match
    pending_key = UnicodeAttribute(null=True)
    pending_type = UnicodeAttribute(null=True)  # its declared MIME type
    created_at = UTCDateTimeAttribute()


class RequirementRule(MapAttribute[str, Any]):
    """One rule of a requirement set: at least ``min_credits`` of any of ``credit_types``
    (on ``topic`` only, when set)."""

    rule_id = UnicodeAttribute()
    text = UnicodeAttribute()
    credit_types = ListAttribute(of=UnicodeAttribute)
    topic = UnicodeAttribute(null=True)
    min_credits = NumberAttribute()


class RequirementSet(BaseModel):
    """A licence requirement set the office keeps (cme.credit.requirements): every set shares the
    partition ``scope`` "set", so the list is one Query. The table also holds the sets each
    learner tracks (TrackedRequirement), under their own partition."""

    table_setting = "requirement_sets_table"

    class Meta:
        table_name = ""

    scope = UnicodeAttribute(hash_key=True)  # "set"
    set_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    cycle_months = NumberAttribute()
    rules = ListAttribute(of=RequirementRule, default=list)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class TrackedRequirement(BaseModel):
    """A requirement set a learner tracks, with the end of their cycle (``scope`` "learner#<id>")."""

    table_setting = "requirement_sets_table"

    class Meta:
        table_name = ""

    scope = UnicodeAttribute(hash_key=True)
    set_id = UnicodeAttribute(range_key=True)
    cycle_end = UnicodeAttribute()  # YYYY-MM-DD
    updated_at = UTCDateTimeAttribute()


class LateClaimsByStatus(GlobalSecondaryIndex["LateClaim"]):
    """The late-claim requests in one status ("open", "approved", "declined"), by when they were
    made: the coordinators' Late requests page (no Scan)."""

    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class LateClaim(BaseModel):
    """A learner's request to claim an activity after its window closed (cme.credit.late_claims):
    one item per learner per activity (the key), so a claim reads it in the BatchGetItem that
    reads the learner and the activity. A new request after a decision replaces the item (its
    history is in the audit trail)."""

    table_setting = "late_claims_table"

    class Meta:
        table_name = ""

    learner_id = UnicodeAttribute(hash_key=True)
    activity_id = UnicodeAttribute(range_key=True)
    request_id = UnicodeAttribute()  # cme.credit.late_claims.request_id: names this key and this request
    status = UnicodeAttribute()  # open | approved | declined
    reason = UnicodeAttribute()  # the learner's
    created_at = UTCDateTimeAttribute()
    decided_at = UTCDateTimeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)  # the coordinator's learner id
    decision_id = UnicodeAttribute(null=True)  # unique per decision: a retry that committed knows its own
    days = NumberAttribute(null=True)  # approved: the days given
    reopened_until = UnicodeAttribute(null=True)  # approved: YYYY-MM-DD, the learner's new last day
    decision_reason = UnicodeAttribute(null=True)  # declined: the coordinator's reason

    by_status = LateClaimsByStatus()


class Reminder(BaseModel):
    """The claim reminders (cme.credit.reminders), one table: ``activity_id`` + ``recipient`` (a
    learner id, or "email#<email>" for an attendee without an account) marks a scheduled reminder
    queued, put with a condition so each recipient is reminded once per activity however often
    the daily run repeats or overlaps; ``recipient`` "#sent-now" is the office's send-now lock
    (``at``: when, at most once per 24 hours); ``activity_id`` "#opted-out" holds who unsubscribed;
    ``activity_id`` "#token#<sha256 of an unsubscribe token>" (``recipient`` "#") its recipient."""

    table_setting = "reminders_table"

    class Meta:
        table_name = ""

    activity_id = UnicodeAttribute(hash_key=True)
    recipient = UnicodeAttribute(range_key=True)
    email = UnicodeAttribute(null=True)  # the address the reminder or the token went to
    subject = UnicodeAttribute(null=True)  # a token's recipient
    at = UTCDateTimeAttribute(null=True)


class ImportsByCreated(GlobalSecondaryIndex["ImportJob"]):
    """Sparse: only job records carry ``listed`` ("import"): the office's list of imports, newest
    first (a Query, never a Scan)."""

    class Meta:
        index_name = "by_created"
        projection = AllProjection()

    listed = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


#: ``sk`` of an import's job record; its problems are ``PROBLEM_PREFIX + <row, 9 digits> + "#" + <n>``
JOB_SK = "#job"
PROBLEM_PREFIX = "problem#"
#: ``pk`` prefix of an imported source row's key item (ImportKey)
KEY_PREFIX = "key#"


class ImportJob(BaseModel):
    """One import (cme.credit.imports): what the office uploaded, its status and its counts.
    ``pk`` the import's id, ``sk`` JOB_SK. Counts are advanced with ADD by the worker, batch by
    batch (each batch once: ``batches_done`` is a set of batch numbers)."""

    table_setting = "imports_table"

    class Meta:
        table_name = ""

    pk = UnicodeAttribute(hash_key=True)  # the import's id
    sk = UnicodeAttribute(range_key=True, default=JOB_SK)
    listed = UnicodeAttribute(default="import")
    kind = UnicodeAttribute()  # learners | activities | attendance | claims
    filename = UnicodeAttribute()
    media = UnicodeAttribute()  # "csv" | "xlsx"
    source_name = UnicodeAttribute()  # as the office typed it ("CloudCME")
    source_key = UnicodeAttribute()  # cme.rules.imports.source_key(source_name)
    report_to_boards = BooleanAttribute(default=False)
    status = UnicodeAttribute()  # awaiting_upload | uploaded | checking | checked | importing | done | failed
    s3_key = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_by_name = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    extra = MapAttribute[str, Any](default=dict)  # the pipeline's own fields (cme.credit.imports)
    # the pipeline's fields (cme.credit.imports): what the file holds once uploaded
    columns = ListAttribute(of=UnicodeAttribute, null=True)  # the header row
    preview = ListAttribute[Any](null=True)  # the first rows, as {header: value} maps
    suggested_mapping = MapAttribute[str, str](null=True)
    mapping = MapAttribute[str, str](null=True)  # {our_column: their_header} of the last check
    run = UnicodeAttribute(null=True)  # "check" | "commit": the run the counts are of
    run_id = UnicodeAttribute(null=True)  # each run's own id: a message of an earlier run is ignored
    # the run's progress: the reader sets ``rows`` and ``batches`` once the file is read; each
    # batch adds its counts and its number to ``batches_done`` in one UpdateItem, once
    rows = NumberAttribute(null=True)
    batches = NumberAttribute(null=True)
    batches_done = NumberSetAttribute(null=True)
    done = NumberAttribute(default=0)
    created = NumberAttribute(default=0)
    matched = NumberAttribute(default=0)
    skipped = NumberAttribute(default=0)
    problem_count = NumberAttribute(default=0)
    failure = UnicodeAttribute(null=True)  # why a run failed (the file could not be read), in words

    by_created = ImportsByCreated()


class ImportProblem(BaseModel):
    """One problem a row of an import found (``pk`` the import's id, ``sk`` PROBLEM_PREFIX + row)."""

    table_setting = "imports_table"

    class Meta:
        table_name = ""

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    row = NumberAttribute()
    field = UnicodeAttribute()
    code = UnicodeAttribute()
    message = UnicodeAttribute()
    run = UnicodeAttribute(default="check")  # "check" (the dry run) | "commit"


#: ``sk`` prefix of an import's invitation marker (ImportInvite): INVITE_PREFIX + the learner's id
INVITE_PREFIX = "invite#"


class ImportInvite(BaseModel):
    """One learner an import invited to set a password (cme.identity.invitations): ``pk`` the
    import's id, ``sk`` INVITE_PREFIX + the learner's id. Put only if absent before the invitation
    is queued, so repeating the office's Invite queues nobody twice; deleted again when the queue
    refused the message (the next Invite tries that learner again)."""

    table_setting = "imports_table"

    class Meta:
        table_name = ""

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    learner_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()


class ImportKey(BaseModel):
    """One imported source row: ``pk`` KEY_PREFIX + source key + "#" + kind + "#" + the row's
    source id, ``sk`` "#". Put (only if absent) in the transaction that imports the row: a second
    run of the same file finds it and skips the row; a retried batch never doubles a record.
    ``target`` is what the row became (a learner id, an activity id, "<learner id>#<activity id>")."""

    table_setting = "imports_table"

    class Meta:
        table_name = ""

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="#")
    target = UnicodeAttribute()
    import_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    # what the row came to when first imported ("created" | "matched"): a batch retried within
    # the same import counts the row as it was, not as skipped
    result = UnicodeAttribute(null=True)
    row = NumberAttribute(null=True)  # the file's row that made it: a later row with its source id is a duplicate

    @classmethod
    def key_of(cls, source_key: str, kind: str, source_id: str) -> str:
        return f"{KEY_PREFIX}{source_key}#{kind}#{source_id}"


#: ``sk`` prefix of a learner an import created (ImportCreated): the invitation pages through them
CREATED_PREFIX = "created#"


class ImportCreated(BaseModel):
    """A learner an import created (``pk`` the import's id, ``sk`` CREATED_PREFIX + learner id),
    written in the row's transaction; ``invited`` once its invitation is queued."""

    table_setting = "imports_table"

    class Meta:
        table_name = ""

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    learner_id = UnicodeAttribute()
    invited = BooleanAttribute(default=False)
