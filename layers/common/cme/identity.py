"""Normalizing what identifies a learner: email, phone, last name, NPI; masking an email."""

from __future__ import annotations

import re
import unicodedata

from cme.errors import InvalidInput


def normalize_email(raw: str) -> str:
    """Trim, check syntax, and lower-case the whole address (one account per mailbox)."""
    from email_validator import EmailNotValidError, validate_email

    candidate = raw.strip()
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(
            "EMAIL_INVALID",
            "Please enter a valid email address.",
            [{"field": "email", "message": str(exc)}],
        ) from exc
    return result.normalized.lower()


def normalize_phone(raw: str, default_region: str) -> str:
    """E.164 form, so "(480) 555-0100" and "+1 480-555-0100" are the same number."""
    import phonenumbers

    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise _phone_invalid() from exc
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        raise _phone_invalid()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone_invalid() -> InvalidInput:
    return InvalidInput(
        "PHONE_INVALID",
        "Please enter a valid phone number, with the country code if outside the US.",
        [{"field": "phone", "message": "This is not a valid phone number."}],
    )


# Letters that carry no combining mark to strip but are read as a plain Latin letter.
_FOLD = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ı": "i",
        "ŧ": "t",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
    }
)


def name_key(name: str) -> str:
    """Case- and accent-insensitive key: "Ó Briain", "o briain", "O'Briain" match, as do
    "Łukasiewicz-Müller" and "lukasiewicz muller"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold().translate(_FOLD))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", "", stripped.casefold())


def clean_name(name: str) -> str:
    """Composed Unicode, inner whitespace collapsed; keeps accents and case as typed."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def mask_email(email: str) -> str:
    """j***@example.org: enough for the owner to recognise, too little to harvest."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def npi_is_valid(npi: str) -> bool:
    """A US National Provider Identifier: 10 digits, Luhn check over the 80840 prefix."""
    if not re.fullmatch(r"\d{10}", npi):
        return False
    digits = [int(c) for c in "80840" + npi]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if index % 2 == 1 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0
