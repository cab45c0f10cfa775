"""Confirming the profile's phone: a 6-digit code texted to it, typed back on the profile page.

Only a confirmed phone identifies a texter (cme.publishing.sms;
docs/api.md "Confirming the phone"). The code is stored as a hash on the learner's item with
the phone it was sent to and its expiry (``CODE_MINUTES``); it is spent by the confirmation, and dies with
``TRIES_PER_CODE`` wrong tries, a new code or a change of phone. ``CODES_PER_HOUR`` codes per
learner per hour and ``CODES_PER_PHONE_DAY`` to one phone a day from all accounts (each one is
a text the office pays for, to a number someone typed). A phone confirmed on another
account cannot be confirmed again (409 PHONE_TAKEN), so a confirmed number names one learner.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from cme.identity import emails, sessions
from cme.platform import clock, retry, texting, throttle
from cme.platform.errors import Conflict, InvalidInput, ServiceUnavailable, TooManyAttempts
from cme.platform.models import Learner
from cme.platform.observability import logger
from cme.platform.settings import get_settings

CODE_MINUTES = 10
TRIES_PER_CODE = 5
CODES_PER_HOUR = 3
CODES_PER_PHONE_DAY = 5  # to one phone from all accounts: no one's mobile is flooded with codes
DIGITS = 6
CODE_FIELDS = ("phone_code_hash", "phone_code_to", "phone_code_expires", "phone_code_tries")


def _hash(learner_id: str, phone: str, code: str) -> str:
    # bound to the learner and the phone: the same digits for another account or number differ
    return hashlib.sha256(f"{learner_id}|{phone}|{code}".encode()).hexdigest()


def message(code: str) -> str:
    """The text that carries a code (GSM-7, one segment)."""
    return f"{code} is your CME Portal code to confirm this phone. It expires in {CODE_MINUTES} minutes."


def is_confirmed(learner: Learner) -> bool:
    return bool(learner.confirmed_phone) and learner.confirmed_phone == learner.phone_e164


def changes_for_phone(learner: Learner, phone_e164: str) -> dict[str, Any]:
    """What a profile save that sets ``phone_e164`` removes (None): a new phone is not confirmed,
    and a code sent to the old one is void."""
    if phone_e164 == learner.phone_e164:
        return {}
    return {"confirmed_phone": None, **dict.fromkeys(CODE_FIELDS)}


def _code_invalid() -> InvalidInput:
    return InvalidInput(
        "PHONE_CODE_INVALID",
        "That code is not right, or it expired. Check the text we sent, or ask for a new code.",
        [{"field": "code", "message": "This code does not confirm your phone."}],
    )


def _may_confirm(learner: Learner) -> None:
    """Whether this account may confirm its phone now: the one gate before a code is texted and
    before one is accepted. Not while its primary email is unconfirmed (409 PRIMARY_UNCONFIRMED:
    whoever set the account up must not confirm a phone the owner would inherit), nor a phone
    another account has confirmed."""
    emails.require_owner_proven(learner)
    _refuse_if_taken(learner)


def _refuse_if_taken(learner: Learner) -> None:
    """409 PHONE_TAKEN when another account has confirmed this phone (the sparse index holds
    confirmed phones only)."""
    others = {item.learner_id for item in Learner.by_confirmed_phone.query(learner.phone_e164)}
    if others - {learner.learner_id}:
        raise Conflict(
            "PHONE_TAKEN",
            "This phone is already confirmed on another CME Portal account. Use your own mobile number.",
            [{"field": "phone", "message": "Confirmed on another account."}],
        )


def _texting_on() -> None:
    if not get_settings().sms_number.strip():
        raise Conflict("TEXTING_OFF", "The CME office does not take attendance by text message.")


def send_code(learner_id: str) -> int:
    """Text a fresh code to the profile's phone; the seconds it works for."""
    _texting_on()
    learner = sessions.learner_of(learner_id)
    _may_confirm(learner)
    phone = learner.phone_e164
    throttle.hit(
        throttle.Scope("phone-code:learner", learner_id, CODES_PER_HOUR, throttle.HOUR),
        throttle.Scope("phone-code:phone", phone, CODES_PER_PHONE_DAY, throttle.DAY),
    )
    code = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
    lifetime = timedelta(minutes=CODE_MINUTES)
    actions: list[Action] = [
        Learner.phone_code_hash.set(_hash(learner_id, phone, code)),
        Learner.phone_code_to.set(phone),
        Learner.phone_code_expires.set(clock.now() + lifetime),
        Learner.phone_code_tries.set(0),
    ]
    try:
        retry.call(lambda: learner.update(actions=actions, condition=Learner.phone_e164 == phone), "phone code")
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise Conflict("PROFILE_CHANGED", "Your profile was changed meanwhile. Please reload the page.") from None
    try:
        texting.send(phone, message(code))
    except (ClientError, BotoCoreError) as exc:
        logger.error("phone code not sent", extra={"error": type(exc).__name__})
        raise ServiceUnavailable(
            "TEXT_UNAVAILABLE", "We could not text the code just now. Please ask for a new one in a minute."
        ) from exc
    logger.info("phone code sent", extra={"learner_id": learner_id})
    return int(lifetime.total_seconds())


def confirm(learner_id: str, code: str) -> Learner:
    """Confirm the profile's phone with the code texted to it; the learner, confirmed."""
    learner = sessions.learner_of(learner_id)
    now = clock.now()
    phone = learner.phone_e164
    stored = learner.phone_code_hash
    live = (
        stored is not None
        and learner.phone_code_to == phone
        and learner.phone_code_expires is not None
        and learner.phone_code_expires > now
    )
    if not live or stored is None:
        raise _code_invalid()
    if (learner.phone_code_tries or 0) >= TRIES_PER_CODE:
        raise TooManyAttempts(retry_after=max(1, int((learner.phone_code_expires - now).total_seconds())))
    same_code = (Learner.phone_code_hash == stored) & (Learner.phone_code_tries < TRIES_PER_CODE)
    typed = "".join(code.split())
    if not hmac.compare_digest(_hash(learner_id, phone, typed), stored):
        try:  # a wrong try counts, atomically: at most TRIES_PER_CODE guesses per code
            retry.call(
                lambda: learner.update(actions=[Learner.phone_code_tries.add(1)], condition=same_code), "phone code"
            )
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            raise TooManyAttempts(retry_after=max(1, int((learner.phone_code_expires - now).total_seconds()))) from None
        raise _code_invalid()
    _may_confirm(learner)
    actions: list[Action] = [
        Learner.confirmed_phone.set(phone),
        *(getattr(Learner, name).remove() for name in CODE_FIELDS),
    ]
    try:  # spent once: the code's hash is removed in the same write
        retry.call(
            lambda: learner.update(actions=actions, condition=same_code & (Learner.phone_e164 == phone)),
            "phone confirm",
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise _code_invalid() from None
    logger.info("phone confirmed", extra={"learner_id": learner_id})
    return learner
