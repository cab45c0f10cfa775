"""Normalizing what identifies a learner: email, phone, last name, NPI; masking an email."""

from __future__ import annotations

import re
import unicodedata

from cme.platform import writing
from cme.platform.errors import InvalidInput


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


# Zero-width (non-)joiners: format characters, yet part of how Persian, Hindi and others write names.
_JOINERS = frozenset("\u200c\u200d")
_NAME_FIELDS = {"first_name": "first name", "last_name": "last name"}


def name_problems(name: str) -> list[str]:
    """The characters of ``name`` that no certificate font prints (cme.platform.writing), and the invisible
    ones that have no place in a name: controls, bidirectional overrides, separators other than
    the space. Letters of every supported script may be mixed ("José 王")."""
    bad: list[str] = []
    for char in clean_name(name):
        if char == " ":
            continue
        invisible = unicodedata.category(char)[0] in "CZ" and char not in _JOINERS
        if (invisible or not writing.printable(char)) and char not in bad:
            bad.append(char)
    return bad


def _shown(char: str) -> str:
    return char if unicodedata.category(char)[0] not in "CZM" else f"U+{ord(char):04X}"


def check_name_scripts(names: dict[str, str]) -> None:
    """Refuse a name a certificate could not print, naming each field (422 NAME_SCRIPT_UNSUPPORTED)."""
    details = []
    for field, name in names.items():
        bad = name_problems(name)
        if bad:
            shown = " ".join(_shown(char) for char in bad[:8])
            details.append({"field": field, "message": f"These characters cannot be printed on a certificate: {shown}"})
    if details:
        fields = " and ".join(_NAME_FIELDS.get(d["field"], d["field"].replace("_", " ")) for d in details)
        raise InvalidInput(
            "NAME_SCRIPT_UNSUPPORTED",
            f"Names can be written in {writing.SUPPORTED} letters. Please check your {fields}.",
            details,
        )


# A name is mailed to addresses nobody has confirmed yet (the verification email names the account
# that asked), so it must never carry a link or an address: `@`, `://`, `www.`, `/`, or a dot
# followed by two letters ("evil.com"; "J.R." and "St. John" pass). Checked on the NFKC form, so
# fullwidth "＠", "／" and "．" count too.
_RELAY = re.compile(r"@|://|www\.|/|\.[a-z]{2}", re.IGNORECASE)


def name_relays(name: str) -> bool:
    """Whether ``name`` holds something a mail client could make a link of (a URL or an address)."""
    return bool(_RELAY.search(unicodedata.normalize("NFKC", name)))


def check_name_relay(names: dict[str, str]) -> None:
    """Refuse a name holding a web or email address, naming each field (422 NAME_INVALID)."""
    details = [
        {"field": field, "message": "A name cannot hold a web or email address."}
        for field, name in names.items()
        if name_relays(name)
    ]
    if details:
        fields = " and ".join(_NAME_FIELDS.get(d["field"], d["field"].replace("_", " ")) for d in details)
        raise InvalidInput(
            "NAME_INVALID", f"Names cannot hold web or email addresses. Please check your {fields}.", details
        )


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
