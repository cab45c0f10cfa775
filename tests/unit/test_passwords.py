from __future__ import annotations

import pytest

from cme.identity.passwords import check_password, hash_password, needs_rehash, verify_password
from cme.platform.errors import InvalidInput


@pytest.mark.parametrize(
    "password",
    ["short", "password", "12345678", "qwertyuiop", "iloveyou1", "Password1", "aaaaaaaaaaaa", "x" * 257],
)
def test_weak_passwords_refused(password: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_password(password, [])
    assert caught.value.code == "PASSWORD_TOO_WEAK"
    assert caught.value.details and caught.value.details[0]["field"] == "password"


@pytest.mark.parametrize(("password", "context"), [("jdoe2024", ["jdoe", "Jane", "Doe"]), ("Müller123", ["Müller"])])
def test_passwords_built_from_the_learner_refused(password: str, context: list[str]) -> None:
    with pytest.raises(InvalidInput):
        check_password(password, context)


@pytest.mark.parametrize(
    "password",
    [
        "Demo-Password-2026",
        "correct horse battery staple",
        "grand rounds on tuesdays",
        "Ünïcödé-pässwörd-ok",
        "a" * 3 + "b" * 3 + "c" * 3,
    ],
)
def test_good_passwords_accepted_without_composition_rules(password: str) -> None:
    check_password(password, ["Jane", "Doe", "jane.doe"])


def test_argon2id_hash_and_verify() -> None:
    stored = hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(stored, "correct horse battery staple")
    assert not verify_password(stored, "correct horse battery stapler")
    assert not verify_password("not a hash", "anything")
    assert not needs_rehash(stored)


def test_an_imported_accounts_unset_hash_verifies_nothing() -> None:
    """UNSET (an imported account without a password) is no Argon2 hash: nothing verifies against it,
    not even its own text, and it is no hash a rehash would replace."""
    from cme.identity.passwords import UNSET

    assert not verify_password(UNSET, UNSET)
    assert not verify_password(UNSET, "correct horse battery staple")
    assert not UNSET.startswith("$argon2")
