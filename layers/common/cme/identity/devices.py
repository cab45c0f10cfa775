"""Known devices: OWASP's "device cookies", so a stranger's wrong guesses cannot lock a learner out.

At each successful sign-in the browser gets ``cme_device``: for the email signed in with, a
random device id, the time it was issued and an HMAC-SHA256 of both and the email under the
device-cookie key (template parameter DeviceCookieKey, read from Secrets Manager: cme.platform.secrets,
the secret ``DEVICE_COOKIE_KEY_ID`` names). During a rotation of the key, entries signed with
the previous one (DeviceCookieKeyPrevious) are still known; new ones are signed with the
current one. Nothing is stored: a later
sign-in with that email from that browser shows the cookie, and a valid, unexpired entry makes
it a known device, which the per-email lockout of untrusted clients does not refuse (it has a
failure limit of its own, cme.platform.throttle). The cookie proves only that this browser signed in to
that email before; it is no credential (a password is still needed).

One browser can be shared (a ward's workstation), so the cookie keeps the entries of the last
few emails signed in with, newest first. The email is in no entry: an entry is checked against
the email being signed in with. ``HttpOnly; Secure; SameSite=Strict; Path=/api/auth``, a year.

Without a key (empty), nothing is trusted and no cookie is set: fail closed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from secrets import token_hex

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from cme.platform import clock, secrets
from cme.platform.errors import InvalidInput
from cme.platform.normalize import normalize_email
from cme.platform.observability import logger
from cme.platform.settings import get_settings

DEVICE_COOKIE = "cme_device"
COOKIE_PATH = "/api/auth"
MAX_AGE_SECONDS = 365 * 24 * 3600
MAX_EMAILS = 5  # entries one browser keeps (a shared workstation's learners)
CLOCK_SKEW_SECONDS = 300
_DOMAIN = b"cme-device-v1"
_ENTRY = re.compile(r"([0-9a-f]{1,12})\.([0-9a-f]{32})\.([0-9a-f]{32})")
_MAX_COOKIE = 1024  # a longer value is not ours: read nothing from it


@dataclass(frozen=True)
class _Entry:
    issued: int  # unix seconds
    device: str  # 128 random bits, hex
    mac: str  # HMAC-SHA256, first 128 bits, hex

    def __str__(self) -> str:
        return f"{self.issued:x}.{self.device}.{self.mac}"


def email_key(email_text: str) -> str:
    """The email as sign-in keys it: normalized, or trimmed and lower-cased when it is no email."""
    try:
        return normalize_email(email_text)
    except InvalidInput:
        return email_text.strip().lower()


def _keys() -> list[bytes]:
    """The keys that verify, the one that signs first; none when no key is configured or it
    cannot be read at all (then no device is known, as without a key: sign-in goes on)."""
    secret_id = get_settings().device_cookie_key_id
    if not secret_id:
        return []
    try:
        key = secrets.get(secret_id)
    except secrets.Unavailable:
        return []
    if not key.current:  # nothing signs: nothing is trusted either (fail closed)
        return []
    return [value.encode() for value in key.accepted()]


def _mac(secret: bytes, email: str, issued: int, device: str) -> str:
    message = b"\0".join([_DOMAIN, email.encode(), str(issued).encode(), device.encode()])
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def _entries(cookie: str | None, now: int) -> list[_Entry]:
    """The cookie's well-formed, unexpired entries (their MACs not yet checked)."""
    if not cookie or len(cookie) > _MAX_COOKIE:
        return []
    out = []
    for part in cookie.split("~"):
        match = _ENTRY.fullmatch(part)
        if match is None:
            continue
        entry = _Entry(int(match[1], 16), match[2], match[3])
        if entry.issued - CLOCK_SKEW_SECONDS <= now < entry.issued + MAX_AGE_SECONDS:
            out.append(entry)
    return out


def _is_for(keys: list[bytes], entry: _Entry, email: str) -> bool:
    checks = [hmac.compare_digest(entry.mac, _mac(key, email, entry.issued, entry.device)) for key in keys]
    return any(checks)


def known(cookie: str | None, email_text: str, valid_after: datetime | None = None) -> str | None:
    """The id of the known device this cookie proves for the email, or None (absent, expired,
    forged, for another email, or no key configured). ``valid_after``: the account's
    ``devices_valid_after``; an entry issued before it is known no more (the owner moved in)."""
    keys = _keys()
    if not keys:
        return None
    email = email_key(email_text)
    now = int(clock.now().timestamp())
    since = valid_after.timestamp() if valid_after is not None else None
    return next(
        (
            entry.device
            for entry in _entries(cookie, now)
            if (since is None or entry.issued >= since) and _is_for(keys, entry, email)
        ),
        None,
    )


def remember(cookie: str | None, email_text: str) -> str | None:
    """The cookie value after a successful sign-in with the email: a new entry for it first,
    signed with the current key, then the other emails' entries (at most MAX_EMAILS in all).
    None when no key is configured."""
    keys = _keys()
    if not keys:
        logger.warning("no device-cookie key: no device is remembered (template parameter DeviceCookieKey)")
        return None
    email = email_key(email_text)
    now = int(clock.now().timestamp())
    device = token_hex(16)
    fresh = _Entry(now, device, _mac(keys[0], email, now, device))
    others = [entry for entry in _entries(cookie, now) if not _is_for(keys, entry, email)]
    return "~".join(str(entry) for entry in [fresh, *others][:MAX_EMAILS])


def device_cookie(value: str) -> Cookie:
    """The ``Set-Cookie`` of a known device: HttpOnly, Secure, SameSite=Strict, for the sign-in
    routes only, kept a year."""
    return Cookie(
        name=DEVICE_COOKIE,
        value=value,
        path=COOKIE_PATH,
        secure=get_settings().cookie_secure,
        http_only=True,
        same_site=SameSite.STRICT_MODE,
        max_age=MAX_AGE_SECONDS,
    )
