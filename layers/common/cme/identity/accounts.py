"""Accounts: create, sign in, find by last name + phone, read and save the profile.

No HTTP here: functions pass plain values (and the client's address for throttling) and get
schemas back. The password hash never leaves this module and cme.identity.passwords.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from cme.identity import devices, emails, learner_search, passwords, phones, sessions
from cme.platform import audit, clock, retry, throttle
from cme.platform.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    Problems,
    ServiceUnavailable,
)
from cme.platform.models import Claim, EmailOwner, Learner, plain
from cme.platform.normalize import (
    check_name_relay,
    check_name_scripts,
    clean_name,
    mask_email,
    name_key,
    normalize_email,
    normalize_phone,
    npi_is_valid,
)
from cme.platform.observability import logger
from cme.platform.schemas import (
    LookupReply,
    MaskedEmail,
    NewAccount,
    Notice,
    Profile,
    ProfileFields,
    ProfileUpdate,
)
from cme.platform.settings import get_settings
from cme.rules import credit, transcript_schedule

PASSWORD_MISMATCH = "Email or Password do not match. Please try again."
UNRECOGNIZED_EMAIL = "Sorry, unrecognized email or password. Please click Create Account below to proceed."


#: what My Portal tells the learner once (``notices`` of GET /api/me, cleared by DELETE /api/me/notices)
OWNER_MOVED_IN = "owner_moved_in"  # a reset confirmed the primary email (cme.identity.recovery)
NOTICES = {
    OWNER_MOVED_IN: (
        "Welcome to your account. It was set up before you confirmed its email, so when you chose "
        "your password we removed everything added by whoever set it up: other emails, the phone "
        "number, and every other signed-in browser. Please check your profile and add your phone."
    ),
}


def clear_notices(learner_id: str) -> None:
    """The learner has seen the notices: My Portal shows each once."""
    sessions.learner_of(learner_id)  # 401 when the account is gone
    retry.call(
        lambda: Learner(learner_id).update(actions=[Learner.notices.remove()], condition=Learner.learner_id.exists()),
        "notices",
    )


def to_profile(learner: Learner) -> Profile:
    return Profile(
        learner_id=learner.learner_id,
        email=learner.email,
        email_verified=learner.email_verified,
        first_name=learner.first_name,
        last_name=learner.last_name,
        degree=learner.degree,  # type: ignore[arg-type]
        phone=learner.phone_e164 or "",  # none since the owner moved in (cme.identity.recovery)
        phone_confirmed=phones.is_confirmed(learner),
        specialty=learner.specialty,
        npi=learner.npi,
        role=learner.role,
        transcript_frequency=learner.transcript_frequency,  # type: ignore[arg-type]
        board_ids=plain(learner.board_ids),
        nabp_eprofile_id=learner.nabp_eprofile_id,
        birth_mmdd=learner.birth_mmdd,
        notices=[Notice(code=code, message=NOTICES[code]) for code in sorted(learner.notices or ()) if code in NOTICES],
    )


def _npi(raw: str | None) -> str | None:
    npi = (raw or "").replace(" ", "") or None
    if npi is not None and not npi_is_valid(npi):
        raise InvalidInput(
            "NPI_INVALID",
            "An NPI is 10 digits and passes its check digit; please check it.",
            [{"field": "npi", "message": "This is not a valid NPI."}],
        )
    return npi


def _last_name_key(last_name: str) -> str:
    key = name_key(last_name)
    if not key:
        raise InvalidInput(
            "NAME_INVALID",
            "Please enter your last name.",
            [{"field": "last_name", "message": "A last name needs letters."}],
        )
    return key


def _clean_fields(fields: ProfileFields, problems: Problems) -> dict[str, Any]:
    """Normalized profile values; every bad phone, NPI or name is added to ``problems``."""
    last_name = clean_name(fields.last_name)
    # names a certificate can print (issue 12, 8)
    problems.check(check_name_scripts, {"first_name": fields.first_name, "last_name": fields.last_name})
    # no web or email address in a name: it is mailed to addresses not yet confirmed (issue 22, 4)
    problems.check(check_name_relay, {"first_name": fields.first_name, "last_name": fields.last_name})
    return {
        "first_name": clean_name(fields.first_name),
        "last_name": last_name,
        "last_name_key": problems.check(_last_name_key, last_name),
        "degree": fields.degree.value,
        "phone_e164": problems.check(normalize_phone, fields.phone, get_settings().default_phone_region),
        "specialty": clean_name(fields.specialty) if fields.specialty else None,
        "npi": problems.check(_npi, fields.npi),
    }


def create_account(data: NewAccount, client: str) -> tuple[Profile, str]:
    """Create the learner, reserve the email, start a session, send the verification email.

    Everything is written in one transaction; if the email cannot be sent, the transaction is
    undone and ServiceUnavailable raised, so no account is ever half-made. An address another
    account only holds (added, never confirmed) is taken over (cme.identity.emails.take); a confirmed
    one is 409 EMAIL_TAKEN.
    """
    settings = get_settings()
    throttle.hit(throttle.Scope("create:client", client, settings.create_per_client, throttle.HOUR))
    problems = Problems()
    email = problems.check(normalize_email, data.email) or ""
    values = _clean_fields(data, problems)
    problems.check(passwords.check_password, data.password, [email.partition("@")[0], data.first_name, data.last_name])
    problems.raise_any()
    now = clock.now()
    learner = Learner(
        str(uuid.uuid4()),
        email=email,
        email_verified=False,
        role="learner",
        transcript_frequency="never",
        password_hash=passwords.hash_password(data.password),
        created_at=now,
        updated_at=now,
        **values,
    )
    owner = EmailOwner(email, learner_id=learner.learner_id, verified=False, primary=True, added_at=now)
    raw_token, token = emails.new_verification(learner.learner_id, email)
    session_token, session = sessions.new_session(learner.learner_id, learner.role)
    items = (owner, learner, learner_search.entry_of(learner), token, session)

    def undo(tx: TransactWrite) -> None:
        for item in items:
            tx.delete(item)

    try:
        # over nothing, or over a hold: an unconfirmed address is only held
        # (docs/api.md "Email confirmation needs the account that asked for it"),
        # and Create Account with it wins at once (an account whose only email it was is closed)
        emails.take(owner, list(items[1:]), "account create", over_any_hold=True)
    except emails.AddressTaken:
        raise Conflict(
            "EMAIL_TAKEN",
            "An account already uses this email. Sign in, or use Forgot Password.",
            [{"field": "email", "message": "An account already uses this email."}],
        ) from None
    try:
        emails.send_verification(learner, email, raw_token)
    except ServiceUnavailable:
        retry.transact(undo, "account create undo")
        logger.warning("account creation undone: verification email failed")
        raise
    logger.info("account created", extra={"learner_id": learner.learner_id})
    return to_profile(learner), session_token


def admin_emails() -> set[str]:
    return {e.strip().lower() for e in get_settings().admin_emails.split(",") if e.strip()}


def sign_in(email_text: str, password: str, client: str, device: str | None = None) -> tuple[Profile, str]:
    """Check the password and start a session; the two failures carry the seed's messages.

    ``device`` is the browser's ``cme_device`` cookie (cme.identity.devices), if any.

    Three DynamoDB round trips: the failure counters and the email's owner (one consistent
    BatchGetItem: the owner's key is the email, known before anything is read), the learner
    (GetItem), the new session (PutItem). A failure adds its counters' UpdateItems instead of
    the session."""
    try:
        email = normalize_email(email_text)
    except InvalidInput:
        email = email_text.strip().lower()
    # failures count per email and client, and per email a day unless from a known device
    wanted = [EmailOwner(email)] if email else []  # an empty key is no item (DynamoDB refuses it)
    attempt = throttle.sign_in_attempt(email, client, devices.known(device, email), also=wanted)
    try:
        owner = attempt.also[0] if attempt.also else None
        if not isinstance(owner, EmailOwner) or not (owner.primary or owner.verified or emails.imported(owner)):
            # no such email, or an unproven secondary one (not one the office imported): not a login
            raise EmailOwner.DoesNotExist
        learner = Learner.get(owner.learner_id)
        stale = learner.devices_valid_after is not None and attempt.trusted
        if stale and devices.known(device, email, learner.devices_valid_after) is None:
            # a device cookie from before the owner moved in is known no more: counted as untrusted
            attempt = throttle.sign_in_attempt(email, client)
    except (EmailOwner.DoesNotExist, Learner.DoesNotExist):
        passwords.burn_verification_time(password)
        throttle.record_sign_in_failure(attempt)
        raise NotAuthenticated("UNRECOGNIZED_EMAIL", UNRECOGNIZED_EMAIL) from None
    if learner.merged_into is not None:
        # closed by a merge (cme.credit.merge; its emails moved to the kept account): refused as a wrong password
        passwords.burn_verification_time(password)
        throttle.record_sign_in_failure(attempt)
        logger.info("sign-in refused: account merged", extra={"learner_id": learner.learner_id})
        raise NotAuthenticated("PASSWORD_MISMATCH", PASSWORD_MISMATCH)
    if not passwords.verify_password(learner.password_hash, password):
        throttle.record_sign_in_failure(attempt)
        logger.info("sign-in refused: password mismatch", extra={"learner_id": learner.learner_id})
        raise NotAuthenticated("PASSWORD_MISMATCH", PASSWORD_MISMATCH)
    if passwords.needs_rehash(learner.password_hash):
        rehashed = passwords.hash_password(password)
        retry.call(lambda: learner.update(actions=[Learner.password_hash.set(rehashed)]), "password rehash")
    if learner.role != "admin" and learner.email_verified and learner.email in admin_emails():
        # the operator's first coordinators: only by the account's confirmed primary email (a
        # secondary email, confirmed or not, and an unconfirmed primary grant nothing)
        retry.call(lambda: learner.update(actions=[Learner.role.set("admin")]), "role")
        logger.info("made coordinator from ADMIN_EMAILS", extra={"learner_id": learner.learner_id})
    token = sessions.start(learner.learner_id, learner.role)
    logger.info("signed in", extra={"learner_id": learner.learner_id})
    return to_profile(learner), token


def lookup(last_name: str, phone: str, client: str) -> LookupReply:
    """Accounts whose phone and last name match, shown only as masked emails."""
    settings = get_settings()
    phone_e164 = normalize_phone(phone, settings.default_phone_region)
    # per client only: a count per phone would let a stranger lock the phone's owner out
    throttle.hit(throttle.Scope("lookup:client", client, settings.lookup_per_client))
    key = name_key(last_name)
    emails = sorted({item.email for item in Learner.by_phone.query(phone_e164) if key and item.last_name_key == key})
    return LookupReply(matches=[MaskedEmail(masked_email=mask_email(e)) for e in emails])


def get_profile(learner_id: str) -> Profile:
    return to_profile(sessions.learner_of(learner_id))


DEGREE_LOCKED = (
    "Your degree is part of the credit you have claimed, so it can no longer be changed here. "
    "Please contact the CME office to correct it."
)


def has_claim(learner_id: str) -> bool:
    """Whether the learner has claimed any credit: one Query of the claims table's key, Limit 1."""
    found = Claim.live(learner_id, limit=1, consistent_read=True, attributes_to_get=["learner_id"])
    return next(iter(found), None) is not None


def _email_wanted(text: str) -> str:
    try:
        return normalize_email(text)
    except InvalidInput:
        return text


def _profile_changes(learner: Learner, values: dict[str, Any], data: ProfileUpdate) -> dict[str, Any]:
    """Every attribute the save sets (None: removed)."""
    changes = dict(values)
    changes.update(phones.changes_for_phone(learner, values["phone_e164"]))  # a new phone starts unconfirmed
    if data.transcript_frequency is not None and data.transcript_frequency.value != learner.transcript_frequency:
        # a changed schedule starts at the next period; an unchanged one keeps its due date
        frequency = data.transcript_frequency.value
        changes["transcript_frequency"] = frequency
        if frequency == "never":
            changes.update(transcript_schedule=None, transcript_due=None)
        else:
            due = transcript_schedule.next_due(frequency, clock.office_today())
            changes.update(transcript_schedule=transcript_schedule.SCHEDULED, transcript_due=due.isoformat())
    # what board and NABP reporting needs: omitted, unchanged; "" (or {}), removed
    if data.board_ids is not None:
        boards = {board: number for board, number in data.board_ids.items() if number}
        credit.check_board_ids(boards)
        changes["board_ids"] = boards or None
    if data.nabp_eprofile_id is not None:
        changes["nabp_eprofile_id"] = data.nabp_eprofile_id or None
    if data.birth_mmdd is not None:
        changes["birth_mmdd"] = data.birth_mmdd or None
    changes["updated_at"] = clock.now()
    return changes


def _save_profile(learner: Learner, changes: dict[str, Any], source_ip: str, user_agent: str) -> bool:
    """Write ``changes`` if the profile is still as read (False when it changed meanwhile); a
    name correction is written with its audit record, in one transaction."""
    actions = [
        getattr(Learner, name).set(value) if value is not None else getattr(Learner, name).remove()
        for name, value in changes.items()
    ]
    condition = (
        Learner.learner_id.exists()
        & (Learner.email == learner.email)
        & (Learner.degree == learner.degree)
        & (Learner.first_name == learner.first_name)
        & (Learner.last_name == learner.last_name)
    )
    old_name = {"first_name": learner.first_name, "last_name": learner.last_name}
    new_name = {"first_name": changes["first_name"], "last_name": changes["last_name"]}
    # what the office finds the learner by (cme.identity.learner_search), put with the values it is made from
    found_by = learner_search.entry(
        learner.learner_id, changes["first_name"], changes["last_name"], changes["npi"], changes["phone_e164"]
    )
    reindex = not learner_search.same_keys(found_by, learner_search.entry_of(learner))
    try:
        if new_name == old_name and not reindex:
            retry.call(lambda: learner.update(actions=actions, condition=condition), "profile")
            return True
        records = []
        if new_name != old_name:
            records.append(
                audit.entry(
                    learner.learner_id,
                    "name_changed",
                    learner.learner_id,
                    {"old": old_name, "new": new_name},
                    source_ip,
                    user_agent,
                    changes["updated_at"],
                )
            )

        def build(tx: TransactWrite) -> None:
            tx.update(learner, actions=actions, condition=condition)
            tx.save(found_by)
            for record in records:
                tx.save(record)

        retry.transact(build, "profile name correction" if records else "profile")
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    except TransactWriteError as exc:
        if retry.DECISION not in retry.reason_codes(exc):
            raise
        return False
    for name, value in changes.items():
        setattr(learner, name, value)
    if new_name != old_name:
        logger.info("name corrected (audited)", extra={"learner_id": learner.learner_id})
    return True


def update_profile(learner_id: str, data: ProfileUpdate, source_ip: str = "", user_agent: str = "") -> Profile:
    """Save the profile fields in one conditional update, against the profile as read.

    - The email changes only through verification (My emails).
    - The degree, once the learner has a claim, changes only through the office (422
      DEGREE_LOCKED; docs/domain.md "Reporting to boards": the degree on a record is the degree at the time
      of the claim, and a certificate shows its claim's degree).
    - A name correction (marriage, a typo) is kept, and audited in the same transaction: old
      and new name, who, when, from where. Certificates follow the new name as new versions;
      the old ones verify as replaced (cme.records.certificates).
    """
    problems = Problems()
    values = _clean_fields(data, problems)
    problems.raise_any()
    for _ in range(3):
        learner = sessions.learner_of(learner_id)  # 401 when the account is gone
        if data.email is not None and _email_wanted(data.email) != learner.email:
            raise InvalidInput(
                "EMAIL_CHANGE_NEEDS_VERIFICATION",
                "To change your email, add the new one under My emails and confirm it from your inbox.",
                [{"field": "email", "message": "Change your email under My emails."}],
            )
        if values["degree"] != learner.degree and has_claim(learner_id):
            raise InvalidInput(
                "DEGREE_LOCKED",
                DEGREE_LOCKED,
                [{"field": "degree", "message": "Contact the CME office to change your degree."}],
            )
        if _save_profile(learner, _profile_changes(learner, values, data), source_ip, user_agent):
            return to_profile(learner)
    raise Conflict("PROFILE_CHANGED", "Your profile was changed meanwhile. Please reload the page and save again.")


@dataclass(frozen=True)
class Correction:
    """What the office corrects on a learner's record (None: unchanged), and why."""

    reason: str
    first_name: str | None = None
    last_name: str | None = None
    degree: str | None = None


def _corrected_values(learner: Learner, fix: Correction) -> dict[str, Any]:
    """The attributes a correction sets (only those that differ); bad names are refused as a
    learner's own save refuses them."""
    problems = Problems()
    names = {"first_name": fix.first_name, "last_name": fix.last_name}
    given = {field: name for field, name in names.items() if name is not None}
    problems.check(check_name_scripts, given)
    problems.check(check_name_relay, given)
    values: dict[str, Any] = {}
    for field, name in given.items():
        cleaned = clean_name(name)
        if cleaned != getattr(learner, field):
            values[field] = cleaned
    if "last_name" in values:
        values["last_name_key"] = problems.check(_last_name_key, values["last_name"])
    problems.raise_any()
    if fix.degree is not None and fix.degree != learner.degree:
        values["degree"] = fix.degree
    return values


def _office_records(
    learner: Learner, values: dict[str, Any], fix: Correction, actor: str, client: tuple[str, str]
) -> list[Any]:
    """The audit records of a correction: a degree change and a name change each its own, as the
    learner's own name change and the degree route always wrote them."""
    now = values["updated_at"]
    records = []
    if "degree" in values:
        detail = {"old": learner.degree, "new": values["degree"], "reason": fix.reason}
        records.append(audit.entry(learner.learner_id, "degree_changed", actor, detail, *client, now))
    if "first_name" in values or "last_name" in values:
        old = {"first_name": learner.first_name, "last_name": learner.last_name}
        new = {name: values.get(name, old[name]) for name in old}
        detail = {"old": old, "new": new, "reason": fix.reason}
        records.append(audit.entry(learner.learner_id, "name_changed", actor, detail, *client, now))
    return records


def _office_change(
    learner: Learner, values: dict[str, Any], fix: Correction, actor: str, client: tuple[str, str]
) -> bool:
    """Write the corrected values, their audit records and the learner's search item in one
    transaction, if the record is still as read (False when it changed meanwhile, or the
    learner is gone)."""
    values = {**values, "updated_at": clock.now()}
    records = _office_records(learner, values, fix, actor, client)
    merged = {name: values.get(name, getattr(learner, name)) for name in ("first_name", "last_name")}
    found_by = learner_search.entry(
        learner.learner_id, merged["first_name"], merged["last_name"], learner.npi, learner.phone_e164
    )
    condition = (
        Learner.learner_id.exists()
        & (Learner.degree == learner.degree)
        & (Learner.first_name == learner.first_name)
        & (Learner.last_name == learner.last_name)
    )

    def build(tx: TransactWrite) -> None:
        tx.update(
            learner, actions=[getattr(Learner, name).set(value) for name, value in values.items()], condition=condition
        )
        if "first_name" in values or "last_name" in values:
            tx.save(found_by)
        for record in records:
            tx.save(record)

    try:
        retry.transact(build, "office correction")
    except TransactWriteError as exc:
        if retry.DECISION not in retry.reason_codes(exc):
            raise
        return False
    for name, value in values.items():
        setattr(learner, name, value)
    return True


def correct(
    learner_id: str, fix: Correction, actor: str, source_ip: str = "", user_agent: str = ""
) -> tuple[Profile, bool]:
    """The office's correction of a learner's name or degree, audited (who, when, old, new,
    reason); returns the profile and whether the name changed.

    Claims keep the degree they were made under (docs/domain.md "Reporting to boards"): new
    claims follow the new degree. A new name reaches the certificates already issued through
    cme.records.certificates (replaced: a new code; the old one verifies as replaced)."""
    for _ in range(3):
        try:
            learner = Learner.get(learner_id, consistent_read=True) if 0 < len(learner_id) <= 100 else None
        except Learner.DoesNotExist:
            learner = None
        if learner is None:
            raise NotFound("NOT_FOUND", "There is no such learner.")
        values = _corrected_values(learner, fix)
        if not values:
            return to_profile(learner), False
        if _office_change(learner, values, fix, actor, (source_ip, user_agent)):
            logger.info("learner corrected by the office (audited)", extra={"learner_id": learner_id, "actor": actor})
            return to_profile(learner), "first_name" in values or "last_name" in values
    raise Conflict("PROFILE_CHANGED", "This profile was changed meanwhile. Please reload the page and save again.")


def change_degree(
    learner_id: str, degree: str, reason: str, actor: str, source_ip: str = "", user_agent: str = ""
) -> Profile:
    """A coordinator's change of a learner's degree, audited (who, when, old, new, reason): the
    correction's logic (``correct``) with the degree alone."""
    profile, _ = correct(learner_id, Correction(reason=reason, degree=degree), actor, source_ip, user_agent)
    return profile


def provision_account(
    data: NewAccount, role: str = "learner", verified: bool = True, phone_confirmed: bool = False
) -> Profile:
    """Create an account with no email sent (demo data, an operator's first admin); its phone
    confirmed when ``phone_confirmed`` (demo data: no code is texted).

    Idempotent: when the email already has an account, that account is returned with the
    given role applied.
    """
    email = normalize_email(data.email)
    try:
        owner = EmailOwner.get(email)
    except EmailOwner.DoesNotExist:
        owner = None
    if owner is not None:
        learner = sessions.learner_of(owner.learner_id)
        if learner.role != role:
            learner.update(actions=[Learner.role.set(role)])
        return to_profile(learner)
    problems = Problems()
    values = _clean_fields(data, problems)
    problems.raise_any()
    now = clock.now()
    learner = Learner(
        str(uuid.uuid4()),
        email=email,
        email_verified=verified,
        verified_emails={email} if verified else set(),
        role=role,
        transcript_frequency="never",
        password_hash=passwords.hash_password(data.password),
        created_at=now,
        updated_at=now,
        **values,
    )
    if phone_confirmed:
        learner.confirmed_phone = learner.phone_e164
    owner = EmailOwner(
        email,
        learner_id=learner.learner_id,
        verified=verified,
        primary=True,
        added_at=now,
        verified_at=now if verified else None,
    )

    def build(tx: TransactWrite) -> None:
        tx.save(owner, condition=EmailOwner.email.does_not_exist())
        tx.save(learner, condition=Learner.learner_id.does_not_exist())
        tx.save(learner_search.entry_of(learner))

    retry.transact(build, "account provision")
    return to_profile(learner)
