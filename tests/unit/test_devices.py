"""Known-device cookies (cme.identity.devices): signed, bound to one email, expiring, fail closed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.support import secrets as stored

KEY = "unit-test-device-cookie-key-0123456789abcdef"
EMAIL = "sean.obriain@example.org"
START = datetime(2031, 3, 4, 5, 6, 7, tzinfo=UTC)


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[timedelta], None]]:
    """The key configured (in moto's Secrets Manager) and the clock frozen at START;
    ``at(delta)`` moves it."""
    from cme.platform import clock

    moment = [START]
    monkeypatch.setattr(clock, "now", lambda: moment[0])

    def move(delta: timedelta) -> None:
        moment[0] = START + delta

    with stored.in_moto(monkeypatch):
        stored.put(stored.DEVICE, KEY)
        yield move


def _key(current: str, previous: str = "") -> None:
    """A new key deployed, as a process that starts now reads it."""
    stored.put(stored.DEVICE, current, previous)
    stored.forget_all()


def _remember(cookie: str | None = None, email: str = EMAIL) -> str:
    from cme.identity import devices

    value = devices.remember(cookie, email)
    assert value is not None
    return value


def test_a_remembered_device_is_known_for_its_email(at: Callable[[timedelta], None]) -> None:
    from cme.identity import devices

    cookie = _remember()
    device = devices.known(cookie, EMAIL)
    assert device is not None and len(device) == 32
    assert devices.known(cookie, " Sean.OBriain@Example.org ") == device  # the email as sign-in keys it
    assert EMAIL not in cookie and "sean" not in cookie
    assert _remember() != cookie  # a new device id at each sign-in


def test_another_accounts_cookie_is_no_device_of_this_email(at: Callable[[timedelta], None]) -> None:
    from cme.identity import devices

    theirs = _remember(email="ana.lima@example.org")
    assert devices.known(theirs, EMAIL) is None
    assert devices.known(theirs, "ana.lima@example.org") is not None


@pytest.mark.parametrize("position", [0, 9, 45, -1])
def test_a_tampered_cookie_is_no_device(at: Callable[[timedelta], None], position: int) -> None:
    from cme.identity import devices

    cookie = _remember()
    char = cookie[position]
    replacement = "0" if char != "0" else "1"
    if char == ".":
        pytest.skip("a separator")
    tampered = cookie[:position] + replacement + cookie[position + 1 :] if position != -1 else cookie[:-1] + replacement
    assert devices.known(tampered, EMAIL) is None


def test_an_entry_moved_to_another_time_or_id_fails_its_mac(at: Callable[[timedelta], None]) -> None:
    from cme.identity import devices

    issued, device, mac = _remember().split(".")
    later = f"{int(issued, 16) + 1:x}"
    assert devices.known(f"{later}.{device}.{mac}", EMAIL) is None
    assert devices.known(f"{issued}.{'0' * 32}.{mac}", EMAIL) is None


def test_a_cookie_signed_with_another_key_is_no_device(at: Callable[[timedelta], None]) -> None:
    from cme.identity import devices

    cookie = _remember()
    _key(KEY + "-rotated")
    assert devices.known(cookie, EMAIL) is None


def test_a_cookie_expires_after_a_year(at: Callable[[timedelta], None]) -> None:
    from cme.identity import devices

    cookie = _remember()
    at(timedelta(days=364))
    assert devices.known(cookie, EMAIL) is not None
    at(timedelta(days=365))
    assert devices.known(cookie, EMAIL) is None
    at(timedelta(minutes=-30))  # issued in the future (a forged time): refused
    assert devices.known(cookie, EMAIL) is None


@pytest.mark.parametrize("configured", ["an empty key", "no secret named", "a secret that cannot be read"])
def test_without_a_key_nothing_is_trusted_or_remembered(
    at: Callable[[timedelta], None], monkeypatch: pytest.MonkeyPatch, configured: str
) -> None:
    from cme.identity import devices

    cookie = _remember()
    if configured == "an empty key":
        _key("", previous=KEY)  # a previous key alone signs nothing, so it trusts nothing either
    elif configured == "no secret named":
        monkeypatch.setenv("DEVICE_COOKIE_KEY_ID", "")
        stored.forget_all()
    else:
        monkeypatch.setenv("DEVICE_COOKIE_KEY_ID", "NoSuchSecret")
        stored.forget_all()
    assert devices.known(cookie, EMAIL) is None
    assert devices.remember(cookie, EMAIL) is None


def test_a_rotated_key_keeps_the_previous_keys_devices_until_it_is_dropped(at: Callable[[timedelta], None]) -> None:
    """DeviceCookieKey rotated with the old key in DeviceCookieKeyPrevious: cookies the old key
    signed are still known, new entries are signed with the new key; once the previous key
    is dropped, only the new key's entries are."""
    from cme.identity import devices

    old = _remember()
    _key(KEY + "-new", previous=KEY)
    assert devices.known(old, EMAIL) is not None
    renewed = _remember(old)  # signing in again replaces this email's entry with a new-key one
    assert renewed.count("~") == 0
    other = _remember(old, "ana.lima@example.org")  # another email's old-key entry is kept
    _key(KEY + "-new")
    assert devices.known(renewed, EMAIL) is not None
    assert devices.known(old, EMAIL) is None
    assert devices.known(other, "ana.lima@example.org") is not None
    assert devices.known(other, EMAIL) is None


@pytest.mark.parametrize(
    "junk", [None, "", "x", "...", "~~~", "1." * 600, "zz.zz.zz", "0." + "a" * 32 + "." + "b" * 32]
)
def test_junk_is_no_device(at: Callable[[timedelta], None], junk: str | None) -> None:
    from cme.identity import devices

    assert devices.known(junk, EMAIL) is None
    assert devices.remember(junk, EMAIL) is not None


def test_one_browser_remembers_the_last_few_emails(at: Callable[[timedelta], None]) -> None:
    from cme.identity import devices

    emails = [f"nurse{n}@example.org" for n in range(devices.MAX_EMAILS + 1)]
    cookie: str | None = None
    for email in emails:
        cookie = _remember(cookie, email)
    assert cookie is not None
    assert [devices.known(cookie, email) is not None for email in emails] == [False] + [True] * devices.MAX_EMAILS
    again = _remember(cookie, emails[-1])  # signing in again replaces that email's entry
    assert again.count("~") == devices.MAX_EMAILS - 1
    assert devices.known(again, emails[-1]) != devices.known(cookie, emails[-1])


def test_the_key_stays_out_of_the_settings_and_reprs(at: Callable[[timedelta], None]) -> None:
    from cme.platform import secrets
    from cme.platform.settings import get_settings

    _remember()
    settings = get_settings()
    assert KEY not in repr(settings) and KEY not in str(settings.model_dump())  # it names the secret only
    held = secrets.get(settings.device_cookie_key_id)
    assert held.current == KEY and KEY not in repr(held)


def test_the_cookie_attributes(at: Callable[[timedelta], None]) -> None:
    from aws_lambda_powertools.shared.cookies import SameSite

    from cme.identity import devices

    cookie = devices.device_cookie(_remember())
    assert cookie.name == "cme_device" and cookie.path == "/api/auth"
    assert cookie.http_only and cookie.secure and cookie.same_site == SameSite.STRICT_MODE
    assert cookie.max_age == 365 * 24 * 3600


def test_an_entry_issued_before_the_accounts_devices_valid_after_is_no_device(at: Callable[[timedelta], None]) -> None:
    """The owner moved in (a reset confirmed the primary email): the maker's browser is known no more."""
    from cme.identity import devices

    cookie = _remember()
    at(timedelta(minutes=5))
    assert devices.known(cookie, EMAIL, START + timedelta(minutes=1)) is None
    assert devices.known(cookie, EMAIL, START) is not None  # issued at that moment: still known
    fresh = _remember(cookie)  # signed in again since: known
    assert devices.known(fresh, EMAIL, START + timedelta(minutes=1)) is not None
