"""Passwords: Argon2id with OWASP parameters, and NIST SP 800-63B acceptance rules."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from cme.platform.errors import InvalidInput
from cme.platform.normalize import name_key

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_LENGTH = 8
MAX_LENGTH = 256  # long passphrases are welcome; the cap only bounds hashing work
#: ``password_hash`` of an account the office imported (cme.credit.imports): no password verifies
#: against it (it is no Argon2 hash), so the account is reached only through a reset or an invitation
UNSET = "!unset"


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher, Type

    # OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1.
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` is the one ``stored_hash`` was made from. An imported account's
    UNSET verifies nothing, in the time a real verification takes (a wrong password's timing)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    if stored_hash == UNSET:
        burn_verification_time(password)
        return False
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


#: The Argon2id hash of a password nobody has ("dummy password for timing"), made once with
#: ``_hasher()``'s parameters (a public value: it guards nothing). Verifying against it costs what
#: verifying a learner's hash costs, and hashing it again at a cold start would cost as much once
#: more (about 30 ms of the first sign-in of an unknown email).
DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$sZM1uG5i5wKrbuQpuZURDw$Y+Zs66y1dzS+RVN5VOwqbuNRKbiiY24l/8gVj+IAxsY"
_DUMMY_HASH: list[str] = []


def burn_verification_time(password: str) -> None:
    """Spend what a real verification spends, so timing does not tell unknown emails apart.

    The dummy hash must carry the hasher's parameters (a cheaper one would time differently):
    when they change, it is made again here, once per process, until DUMMY_HASH is updated.
    """
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(DUMMY_HASH if not needs_rehash(DUMMY_HASH) else hash_password("dummy password for timing"))
    verify_password(_DUMMY_HASH[0], password)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords (zxcvbn's list, from breach corpora)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _derived_from(squeezed: str, context: list[str]) -> bool:
    for word in context:
        key = name_key(word)
        if len(key) >= 3 and key in squeezed and len(squeezed) - len(key) <= 4:
            return True
    return False


def check_password(password: str, context: list[str], field: str = "password") -> None:
    """Raise PASSWORD_TOO_WEAK for a short, overlong, common or context-derived password.

    NIST SP 800-63B: at least 8 characters, no composition rules, compare against lists of
    common or compromised values and context-specific words (the user's name and email).
    ``field`` is the body's field the details name.
    """
    reason = None
    if len(password) < MIN_LENGTH:
        reason = f"Use at least {MIN_LENGTH} characters; a passphrase of several words is best."
    elif len(password) > MAX_LENGTH:
        reason = f"Use at most {MAX_LENGTH} characters."
    else:
        lowered = password.casefold()
        squeezed = name_key(password)
        if lowered in _common_passwords() or squeezed in _common_passwords() or len(set(password)) < 3:
            reason = "That password is too common. Choose something less predictable, such as a phrase."
        elif _derived_from(squeezed, context):
            reason = "Don't build the password from your name or email."
    if reason:
        raise InvalidInput("PASSWORD_TOO_WEAK", reason, [{"field": field, "message": reason}])
