from __future__ import annotations

import pytest

from cme.platform.errors import InvalidInput
from cme.platform.normalize import clean_name, mask_email, name_key, normalize_email, normalize_phone, npi_is_valid


@pytest.mark.parametrize("raw", ["  Jane.Doe@Example.ORG ", "jane.doe@example.org", "JANE.DOE@EXAMPLE.ORG\t"])
def test_email_normalized(raw: str) -> None:
    assert normalize_email(raw) == "jane.doe@example.org"


@pytest.mark.parametrize("raw", ["", "jane", "jane@", "@example.org", "jane@@example.org", "jane doe@example.org"])
def test_email_invalid(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_email(raw)
    assert caught.value.code == "EMAIL_INVALID"


@pytest.mark.parametrize("raw", ["(480) 555-0100", "+1 480-555-0100", "480.555.0100", "1-480-555-0100", "+14805550100"])
def test_phone_forms_are_one_number(raw: str) -> None:
    assert normalize_phone(raw, "US") == "+14805550100"


def test_phone_outside_the_default_region() -> None:
    assert normalize_phone("+44 20 7946 0958", "US") == "+442079460958"


@pytest.mark.parametrize("raw", ["12", "call me", "+1 000 000 0000", "555-0100"])
def test_phone_invalid(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_phone(raw, "US")
    assert caught.value.code == "PHONE_INVALID"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Łukasiewicz-Müller", "lukasiewicz muller"),
        ("Ó Briain", "o'briain"),
        ("Nguyễn", "NGUYEN"),
        ("Strauß", "strauss"),
        ("Ørsted", "orsted"),
    ],
)
def test_last_name_matches_without_case_or_accents(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_different_names_differ() -> None:
    assert name_key("Smith") != name_key("Smyth")


def test_clean_name_keeps_accents_and_composes() -> None:
    assert clean_name("  Zoe\u0308   Mu\u0308ller ") == "Zoë Müller"


def test_mask_email() -> None:
    assert mask_email("jane.doe@example.org") == "j***@example.org"


@pytest.mark.parametrize(
    ("npi", "valid"),
    [("1234567893", True), ("1234567890", False), ("123456789", False), ("12345678a3", False)],
)
def test_npi_check_digit(npi: str, valid: bool) -> None:
    assert npi_is_valid(npi) is valid
