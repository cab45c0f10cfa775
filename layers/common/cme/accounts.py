"""Accounts: create, sign in, find by last name + phone, read and save the profile.

No HTTP here: functions pass plain values (and the client's address for throttling) and get
schemas back. The password hash never leaves this module and cme.passwords.
"""

from __future__ import annotations

import uuid
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from cme import activities, clock, emails, passwords, retry, sessions, throttle
from cme.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    Problems,
    ServiceUnavailable,
)
from cme.identity import (
    clean_name,
    mask_email,
    name_key,
    normalize_email,
    normalize_phone,
    npi_is_valid,
)
from cme.models import EmailOwner, Learner
from cme.observability import logger
from cme.schemas import LookupReply, MaskedEmail, NewAccount, Profile, ProfileFields, ProfileUpdate
from cme.settings import get_settings

PASSWORD_MISMATCH = "Email or Password do not match. Please try again."
UNRECOGNIZED_EMAIL = "Sorry, unrecognized email or password. Please click Create Account below to proceed."


def to_profile(learner: Learner) -> Profile:
    return Profile(
        learner_id=learner.learner_id,
        email=learner.email,
        email_verified=learner.email_verified,
        first_name=learner.first_name,
        last_name=learner.last_name,
        degree=learner.degree,  # type: ignore[arg-type]
        phone=learner.phone_e164,
        specialty=learner.specialty,
        npi=learner.npi,
        role=learner.role,
        transcript_frequency=learner.transcript_frequency,  # type: ignore[arg-type]
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
    undone and ServiceUnavailable raised, so no account is ever half-made.
    """
    settings = get_settings()
    throttle.hit(throttle.Scope("create:client", client, settings.create_per_client))
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
    items = (owner, learner, token, session)

    def build(tx: TransactWrite) -> None:
        tx.save(owner, condition=EmailOwner.email.does_not_exist())
        tx.save(learner, condition=Learner.learner_id.does_not_exist())
        tx.save(token)
        tx.save(session)

    def undo(tx: TransactWrite) -> None:
        for item in items:
            tx.delete(item)

    try:
        retry.transact(build, "account create")
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
            raise Conflict(
                "EMAIL_TAKEN",
                "An account already uses this email. Sign in, or use Forgot Password.",
                [{"field": "email", "message": "An account already uses this email."}],
            ) from exc
        raise
    try:
        emails.send_verification(learner.first_name, email, raw_token)
    except ServiceUnavailable:
        retry.transact(undo, "account create undo")
        logger.warning("account creation undone: verification email failed")
        raise
    logger.info("account created", extra={"learner_id": learner.learner_id})
    return to_profile(learner), session_token


def admin_emails() -> set[str]:
    return {e.strip().lower() for e in get_settings().admin_emails.split(",") if e.strip()}


def sign_in(email_text: str, password: str, client: str) -> tuple[Profile, str]:
    """Check the password and start a session; the two failures carry the seed's messages."""
    settings = get_settings()
    try:
        email = normalize_email(email_text)
    except InvalidInput:
        email = email_text.strip().lower()
    scopes = (
        throttle.Scope("sign-in:email", email, settings.sign_in_per_email),
        throttle.Scope("sign-in:client", client, settings.sign_in_per_client),
    )
    throttle.check(*scopes)
    try:
        owner = EmailOwner.get(email)
        if not (owner.primary or owner.verified):  # an unproven secondary email is not a login
            raise EmailOwner.DoesNotExist
        learner = Learner.get(owner.learner_id)
    except (EmailOwner.DoesNotExist, Learner.DoesNotExist):
        passwords.burn_verification_time(password)
        throttle.record_failure(*scopes)
        raise NotAuthenticated("UNRECOGNIZED_EMAIL", UNRECOGNIZED_EMAIL) from None
    if not passwords.verify_password(learner.password_hash, password):
        throttle.record_failure(*scopes)
        logger.info("sign-in refused: password mismatch", extra={"learner_id": learner.learner_id})
        raise NotAuthenticated("PASSWORD_MISMATCH", PASSWORD_MISMATCH)
    if passwords.needs_rehash(learner.password_hash):
        rehashed = passwords.hash_password(password)
        retry.call(lambda: learner.update(actions=[Learner.password_hash.set(rehashed)]), "password rehash")
    if learner.role != "admin" and owner.verified and email in admin_emails():
        # the operator's first coordinators
        retry.call(lambda: learner.update(actions=[Learner.role.set("admin")]), "role")
        logger.info("made coordinator from ADMIN_EMAILS", extra={"learner_id": learner.learner_id})
    token = sessions.start(learner.learner_id, learner.role)
    logger.info("signed in", extra={"learner_id": learner.learner_id})
    return to_profile(learner), token


def lookup(last_name: str, phone: str, client: str) -> LookupReply:
    """Accounts whose phone and last name match, shown only as masked emails."""
    settings = get_settings()
    phone_e164 = normalize_phone(phone, settings.default_phone_region)
    throttle.hit(
        throttle.Scope("lookup:phone", phone_e164, settings.lookup_per_phone),
        throttle.Scope("lookup:client", client, settings.lookup_per_client),
    )
    key = name_key(last_name)
    emails = sorted({item.email for item in Learner.by_phone.query(phone_e164) if key and item.last_name_key == key})
    return LookupReply(matches=[MaskedEmail(masked_email=mask_email(e)) for e in emails])


def get_profile(learner_id: str) -> Profile:
    return to_profile(sessions.learner_of(learner_id))


def _frequency(learner_id: str) -> str:
    return sessions.learner_of(learner_id).transcript_frequency


def update_profile(learner_id: str, data: ProfileUpdate) -> Profile:
    """Save the profile fields in one conditional update; the email changes only through verification."""
    problems = Problems()
    values = _clean_fields(data, problems)
    problems.raise_any()
    actions = [
        getattr(Learner, name).set(value) if value is not None else getattr(Learner, name).remove()
        for name, value in values.items()
    ]
    if data.transcript_frequency is not None and data.transcript_frequency.value != _frequency(learner_id):
        # a changed schedule starts at the next period; an unchanged one keeps its due date
        from cme import schedule

        frequency = data.transcript_frequency.value
        actions.append(Learner.transcript_frequency.set(frequency))
        if frequency == "never":
            actions += [Learner.transcript_schedule.remove(), Learner.transcript_due.remove()]
        else:
            due = schedule.next_due(frequency, activities.office_today())
            actions += [
                Learner.transcript_schedule.set(schedule.SCHEDULED),
                Learner.transcript_due.set(due.isoformat()),
            ]
    actions.append(Learner.updated_at.set(clock.now()))
    condition = Learner.learner_id.exists()
    if data.email is not None:
        try:
            wanted = normalize_email(data.email)
        except InvalidInput:
            wanted = data.email
        condition = condition & (Learner.email == wanted)
    learner = Learner(learner_id)
    try:
        retry.call(lambda: learner.update(actions=actions, condition=condition), "profile")
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        sessions.learner_of(learner_id)  # 401 when the account is gone; otherwise the email differed
        raise InvalidInput(
            "EMAIL_CHANGE_NEEDS_VERIFICATION",
            "To change your email, add the new one under My emails and confirm it from your inbox.",
            [{"field": "email", "message": "Change your email under My emails."}],
        ) from exc
    return to_profile(learner)


def provision_account(data: NewAccount, role: str = "learner", verified: bool = True) -> Profile:
    """Create an account with no email sent (demo data, an operator's first admin).

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

    retry.transact(build, "account provision")
    return to_profile(learner)
