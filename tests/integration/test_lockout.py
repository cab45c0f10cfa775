"""A stranger cannot lock a learner out, and a crowd behind one address is not refused
(issue 12, part 3). Every test uses more than one client address.

What an attacker gets against one account, per day: 10 wrong passwords per 15 minutes from each
address (``sign_in_per_email_client``), and 100 a day across all addresses together
(``sign_in_per_email_day``, NIST SP 800-63B). Known devices (browsers that signed in to that
email before, shown by their signed ``cme_device`` cookie) are not counted by, nor refused by,
either; each has 10 failures per 15 minutes of its own. So without the learner's password or
one of their browsers' cookies: at most ``GUESSES_PER_DAY`` = 100 guesses a day per account (the
day is a fixed UTC day, so at most 200 in any 24 hours across a midnight), 36,500 a year. The
learner meanwhile signs in as usual from any browser they signed in with before, wherever it
is; from a new browser they wait for the next UTC day or reset their password, which clears
the failures at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local.clock import SetClock
from tests.integration.conftest import account
from tests.integration.test_publisher import create
from tests.support.client import ApiClient

EMAIL = "sean.obriain@example.org"
PASSWORD = "correct horse battery staple"
GOOD = {"email": EMAIL, "password": PASSWORD}
WRONG = {"email": EMAIL, "password": "not the password at all"}
PER_ADDRESS = 10  # failures per 15 minutes per email and client
GUESSES_PER_DAY = 100  # failures per day per email, all untrusted clients together
WRONG_CODES = 100  # attendance codes per 15 minutes per client (only wrong ones count)
VICTIM_IP = "198.51.100.20"  # the learner's hospital
STRANGER_IP = "192.0.2.66"
NEXT_WINDOW = datetime(2031, 5, 14, 15, 0, tzinfo=UTC)  # a 15-minute window's edge, on the day of START
LAST_TENTH = NEXT_WINDOW - timedelta(milliseconds=100)  # 14:59:59.9


@pytest.fixture
def clock_at(clock: SetClock, aws: None) -> Callable[[timedelta], None]:
    """Freeze the clock at START (a minute into the hour: far from any window's end);
    ``clock_at(delta)`` moves it to that moment plus ``delta``."""
    start = clock.freeze()

    def move(delta: timedelta) -> None:
        clock.freeze(start + delta)

    return move


@pytest.fixture
def victim(new_client: Any, clock_at: Any) -> ApiClient:
    """The learner's own browser at the hospital: the account made there, then a sign-in that
    makes it a known device."""
    browser = new_client(VICTIM_IP)
    assert browser.post("/api/accounts", account()).status == 201
    assert browser.post("/api/auth/sign-in", GOOD).status == 200
    return browser


def _guess(browser: ApiClient, n: int) -> list[int]:
    return [browser.post("/api/auth/sign-in", WRONG).status for _ in range(n)]


def _addresses(count: int, prefix: str = "198.18.0.") -> list[str]:
    return [f"{prefix}{n + 1}" for n in range(count)]


# ---------------------------------------------------------------- sign-in


def test_a_stranger_locks_out_only_their_own_address(victim: ApiClient, new_client: Any) -> None:
    stranger = new_client(STRANGER_IP)
    assert _guess(stranger, PER_ADDRESS + 2) == [401] * PER_ADDRESS + [429, 429]
    refused = stranger.post("/api/auth/sign-in", GOOD)  # even the right password, from there
    assert refused.status == 429 and refused.json["code"] == "TOO_MANY_ATTEMPTS"
    assert 1 <= int(refused.header("Retry-After") or 0) <= 900
    assert not refused.set_cookies
    # the learner, at their own address, in any browser there: not locked out
    assert new_client(VICTIM_IP).post("/api/auth/sign-in", GOOD).status == 200
    assert victim.post("/api/auth/sign-in", GOOD).status == 200
    # and another stranger has only their own ten
    assert _guess(new_client("192.0.2.67"), PER_ADDRESS + 1) == [401] * PER_ADDRESS + [429]


def test_a_hundred_failures_a_day_lock_the_email_for_unknown_browsers_only(victim: ApiClient, new_client: Any) -> None:
    assert "cme_device" in victim.cookies  # set at its sign-in: a known device from now on
    attackers = [new_client(ip) for ip in _addresses(GUESSES_PER_DAY // PER_ADDRESS + 2)]
    answers = Counter(status for attacker in attackers for status in _guess(attacker, PER_ADDRESS))
    # the attacker's whole day, from twelve addresses: exactly GUESSES_PER_DAY guesses
    assert answers == {401: GUESSES_PER_DAY, 429: 2 * PER_ADDRESS}
    # any new browser, anywhere, even with the right password: 429 until the next (UTC) day
    for ip in ("198.18.1.1", VICTIM_IP):
        refused = new_client(ip).post("/api/auth/sign-in", GOOD)
        assert refused.status == 429
        assert 900 < int(refused.header("Retry-After") or 0) <= 24 * 3600
    # the learner's known device signs in, at the hospital and at home
    assert victim.post("/api/auth/sign-in", GOOD).status == 200
    victim.source_ip = "198.51.100.250"
    assert victim.post("/api/auth/sign-in", GOOD).status == 200
    # a known device's own mistakes count against it alone: ten, then it is untrusted for the
    # rest of the window (and so refused, the email being locked for untrusted clients)
    assert _guess(victim, PER_ADDRESS) == [401] * PER_ADDRESS
    assert victim.post("/api/auth/sign-in", GOOD).status == 429


def test_a_device_cookie_counts_only_for_its_email_and_only_when_signed(
    victim: ApiClient, new_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.platform.settings import reset_settings

    monkeypatch.setenv("SIGN_IN_PER_EMAIL_DAY", "20")  # the default's 100 is shown above
    reset_settings()
    other = new_client("198.51.100.30")
    assert other.post("/api/accounts", account(email="ana.lima@example.org", phone="(480) 555-0143")).status == 201
    assert other.post("/api/auth/sign-in", {"email": "ana.lima@example.org", "password": PASSWORD}).status == 200
    for attacker in (new_client(ip) for ip in _addresses(2)):
        assert _guess(attacker, PER_ADDRESS) == [401] * PER_ADDRESS
    # Ana's device is a known device of her email, not of Seán's
    assert other.post("/api/auth/sign-in", GOOD).status == 429
    # a tampered cookie is no device
    forged = new_client("198.51.100.31")
    value = victim.cookies.get("cme_device", "")
    forged.cookies["cme_device"] = value[:-1] + ("0" if value[-1:] != "0" else "1")
    assert forged.post("/api/auth/sign-in", GOOD).status == 429
    assert victim.post("/api/auth/sign-in", GOOD).status == 200


def test_the_device_cookie_is_httponly_secure_strict_and_for_sign_in_only(clock_at: Any, new_client: Any) -> None:
    browser = new_client(VICTIM_IP)
    assert browser.post("/api/accounts", account()).status == 201
    answer = browser.post("/api/auth/sign-in", GOOD)
    (device,) = [c for c in answer.set_cookies if c.startswith("cme_device=")]
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in device.split(";")[1:]}
    assert attributes["path"] == "Path=/api/auth"
    assert {"httponly", "secure"} <= attributes.keys()
    assert attributes["samesite"].lower() == "samesite=strict"
    assert attributes["max-age"] == f"Max-Age={365 * 24 * 3600}"
    assert EMAIL not in device and "sean" not in device.lower()


def test_a_password_reset_clears_the_failures(
    victim: ApiClient, new_client: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.platform.settings import reset_settings
    from tests.integration.test_email_ownership import token_in

    monkeypatch.setenv("SIGN_IN_PER_EMAIL_DAY", "30")  # the default's 100 is shown above
    reset_settings()
    stranger = new_client(STRANGER_IP)
    assert _guess(stranger, PER_ADDRESS + 1) == [401] * PER_ADDRESS + [429]
    for attacker in (new_client(ip) for ip in _addresses(2)):
        _guess(attacker, PER_ADDRESS)  # and the email's day (30 here) is spent
    assert new_client().post("/api/auth/sign-in", GOOD).status == 429  # locked for the day
    # the learner, on a phone on the cellular network, resets the password
    phone = new_client("198.51.100.40")
    assert phone.post("/api/auth/password-reset", {"email": EMAIL}).status == 202
    token = token_in(outbox()[-1], "reset-password.html")
    new = {"email": EMAIL, "password": "a brand new passphrase"}
    assert phone.post("/api/auth/password-reset/confirm", {"token": token, "password": new["password"]}).status == 204
    # at once: from the stranger's address, and from any new browser
    assert new_client(STRANGER_IP).post("/api/auth/sign-in", new).status == 200
    assert new_client().post("/api/auth/sign-in", new).status == 200
    # and the counting starts again from nothing
    assert _guess(stranger, PER_ADDRESS + 1) == [401] * PER_ADDRESS + [429]


def test_failures_are_forgotten_after_their_window(victim: ApiClient, new_client: Any, clock_at: Any) -> None:
    stranger = new_client(STRANGER_IP)
    assert _guess(stranger, PER_ADDRESS + 1) == [401] * PER_ADDRESS + [429]
    clock_at(timedelta(minutes=15))
    assert _guess(stranger, PER_ADDRESS + 1) == [401] * PER_ADDRESS + [429]


def test_failures_in_a_windows_last_moment_count_in_it_and_the_next_starts_afresh(
    victim: ApiClient, new_client: Any, clock: SetClock
) -> None:
    """At 14:59:59.9 the stranger's ten failures spend the 15-minute window about to end: the
    eleventh is refused, to be tried again in a second; at 15:00:00.0 a new window counts afresh."""
    clock.freeze(LAST_TENTH)
    stranger = new_client(STRANGER_IP)
    assert _guess(stranger, PER_ADDRESS) == [401] * PER_ADDRESS
    refused = stranger.post("/api/auth/sign-in", WRONG)
    assert refused.status == 429 and refused.header("Retry-After") == "1"
    assert clock.move(timedelta(milliseconds=100)) == NEXT_WINDOW
    assert _guess(stranger, PER_ADDRESS + 1) == [401] * PER_ADDRESS + [429]


# ---------------------------------------------------------------- account lookup


def test_a_stranger_exhausting_lookups_of_a_phone_does_not_block_its_owner(client: ApiClient, new_client: Any) -> None:
    from cme.platform.settings import get_settings

    assert client.post("/api/accounts", account()).status == 201
    limit = get_settings().lookup_per_client
    assert limit == 30
    mine = {"last_name": "Ó Briain", "phone": "(480) 555-0142"}
    stranger = new_client(STRANGER_IP)
    statuses = [stranger.post("/api/accounts/lookup", mine).status for _ in range(limit + 1)]
    assert statuses == [200] * limit + [429]
    found = new_client(VICTIM_IP).post("/api/accounts/lookup", mine)
    assert found.status == 200 and found.json == {"matches": [{"masked_email": "s***@example.org"}]}


# ---------------------------------------------------------------- account creation


def test_account_creation_is_a_hundred_an_hour_per_client(
    clock_at: Any, new_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.platform.settings import Settings, reset_settings

    monkeypatch.setenv("CREATE_PER_CLIENT", "3")  # the hour's window with a small limit, fast
    reset_settings()
    desk = new_client("198.51.100.50")

    def make(n: int, browser: ApiClient = desk) -> Any:
        return browser.post("/api/accounts", account(email=f"new{n}@example.org", phone=f"(480) 555-01{n:02d}"))

    assert [make(n).status for n in range(3)] == [201] * 3
    refused = make(3)
    assert refused.status == 429 and 3000 < int(refused.header("Retry-After") or 0) <= 3600
    assert make(4, new_client("198.51.100.51")).status == 201  # another address has its own
    clock_at(timedelta(minutes=30))
    assert make(5).status == 429  # an hour's window, not fifteen minutes
    clock_at(timedelta(minutes=60))
    assert make(6).status == 201
    assert Settings.model_fields["create_per_client"].default == 100


# ---------------------------------------------------------------- event sign-in


def _attend(activity: dict[str, Any], n: int, code: str | None = None) -> dict[str, Any]:
    return {
        "code": code or activity["attendance_code"],
        "email": f"attendee{n}@example.org",
        "first_name": "At",
        "last_name": f"Tendee{n}",
    }


def test_three_hundred_attendees_behind_one_address_all_sign_in(admin: ApiClient, new_client: Any) -> None:
    from cme.platform.models import Attendance
    from cme.platform.settings import get_settings

    activity = create(admin)
    wifi = new_client("198.51.100.60")  # the hospital's Wi-Fi: one address for everyone
    statuses = Counter(wifi.post("/api/attendance", _attend(activity, n)).status for n in range(300))
    assert statuses == {201: 300}
    assert len(list(Attendance.query(activity["activity_id"]))) == 300
    assert get_settings().attendance_per_activity_client == 600  # per 15 minutes


def test_one_email_signs_in_ten_times_in_fifteen_minutes(admin: ApiClient, new_client: Any, clock_at: Any) -> None:
    activity = create(admin)
    body = _attend(activity, 1)
    phone, laptop = new_client("198.51.100.61"), new_client("198.51.100.62")
    statuses = [(phone if n % 2 else laptop).post("/api/attendance", body).status for n in range(11)]
    assert statuses == [201] + [200] * 9 + [429]  # repeats are harmless; the 11th is one too many
    assert phone.post("/api/attendance", _attend(activity, 2)).status == 201  # others are not held up


def test_wrong_codes_are_limited_per_address_without_telling_a_guesser_anything(
    admin: ApiClient, new_client: Any, clock_at: Any
) -> None:
    from cme.platform.settings import get_settings

    limit = WRONG_CODES
    activity = create(admin)
    guesser = new_client("192.0.2.99")
    statuses = [guesser.post("/api/attendance", _attend(activity, 0, code=f"ZZ{n:04d}")).status for n in range(limit)]
    assert statuses == [404] * limit
    assert guesser.post("/api/attendance", _attend(activity, 0, code="ZZ9999")).status == 429
    assert guesser.post("/api/attendance", _attend(activity, 0)).status == 429  # the right code too
    assert new_client("198.51.100.63").post("/api/attendance", _attend(activity, 0)).status == 201
    assert get_settings().attendance_wrong_codes_per_client == WRONG_CODES
