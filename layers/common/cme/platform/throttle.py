"""Throttling with DynamoDB counters in fixed windows, one plain write per scope.

Each scope (e.g. ``sign-in:email-client:<sha256>``) has a counter per window of its own length
(15 minutes unless the scope says otherwise: an hour for account creation, a day for a sign-in
email's failures). Two ways to count:

- ``hit``: every attempt counts (lookups, account creation, event sign-in): one conditional
  UpdateItem per scope adds 1 while the scope is under its limit.
- ``check`` + ``record_failure``: only failures count (sign-in, per NIST SP 800-63B, so a
  learner who signs in often is never locked out): one BatchGetItem before, and one UpdateItem
  per scope after a failure.

A counter is shared by a crowd (everyone behind a hospital's address, everyone at one event),
so it is never written in a transaction: concurrent transactions on one item are cancelled
(TransactionConflict), while single-item ADDs on it simply queue. Each write is retried with
backoff (cme.platform.retry). Keys hold hashes, never the raw email, phone or address.

Sign-in (``sign_in_attempt``) keys its failures so that nobody but the learner's own devices
can be locked out by them:

- an email from one client: ``sign_in_per_email_client`` failures per 15 minutes, then 429 for
  that client only (a stranger elsewhere does not lock the learner out);
- an email from all untrusted clients: ``sign_in_per_email_day`` failures per day (NIST SP
  800-63B's 100), which bounds what any number of addresses can guess;
- a known device (a valid ``cme_device`` cookie for this email, cme.identity.devices) skips both and
  counts only against itself (``sign_in_per_device`` per 15 minutes, after which it is
  untrusted for the rest of the window), as in OWASP's device cookies.

A successful password reset clears the email's failures (``clear_sign_in_failures``): the
day's counter lists the email-and-client counters it was counted with, so they can be found.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.exceptions import PynamoDBException, UpdateError
from pynamodb.expressions.update import Action

from cme.platform import clock, retry
from cme.platform.errors import TooManyAttempts
from cme.platform.models import BaseModel, RateCounter, get_many
from cme.platform.observability import logger
from cme.platform.settings import get_settings

HOUR = 3600
DAY = 86400


@dataclass(frozen=True)
class Scope:
    name: str  # e.g. "sign-in:email-client"
    value: str  # what is counted (hashed before it is stored)
    limit: int
    window: int | None = None  # seconds; None: settings.throttle_window_seconds (15 minutes)

    @property
    def seconds(self) -> int:
        return self.window or get_settings().throttle_window_seconds


IPV6_CLIENT_PREFIX = 64  # one subscriber's network: a viewer holds every address in its /64


def client_key(address: str) -> str:
    """What a per-client limit counts for a viewer address: an IPv6 viewer by its /64
    (``2001:db8:5:6::/64``; rotating addresses inside it changes nothing), an IPv4 viewer by its
    address; anything that is not an address (the "unknown" fallback) as it is."""
    try:
        address_of = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(address_of, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address_of, IPV6_CLIENT_PREFIX), strict=False))
    return str(address_of)


def _key(scope: Scope, window: int) -> str:
    digest = hashlib.sha256(scope.value.encode()).hexdigest()[:32]
    return f"{scope.name}:{digest}:{window}"


@dataclass(frozen=True)
class _Window:
    number: int
    retry_after: int
    expires: datetime


def _window(scope: Scope, now: float | None) -> _Window:
    length = scope.seconds
    current = clock.now().timestamp() if now is None else now
    number = int(current // length)
    end = (number + 1) * length
    return _Window(number, max(1, int(end - current)), datetime.fromtimestamp(end + length, UTC))


def _add(
    key: str, window: _Window, amount: int = 1, limit: int | None = None, also: list[Action] | None = None
) -> None:
    """Add ``amount`` to one counter (conditionally: while under ``limit``), with retries."""
    counter = RateCounter(key)
    actions: list[Action] = [RateCounter.hits.add(amount), RateCounter.expires_at.set(window.expires), *(also or [])]
    if limit is None:
        retry.call(lambda: counter.update(actions=actions), "rate counter")
    else:
        condition = RateCounter.hits.does_not_exist() | (RateCounter.hits < limit)
        retry.call(lambda: counter.update(actions=actions, condition=condition), "rate counter")


def hit(*scopes: Scope, now: float | None = None) -> None:
    """Count one attempt against every scope; raise TooManyAttempts if any is spent.

    One conditional UpdateItem per scope, in order. A refused attempt counts against no scope:
    when a later scope is spent, the earlier ones it was added to are given their 1 back.
    """
    counted: list[tuple[str, _Window]] = []
    for scope in scopes:
        window = _window(scope, now)
        key = _key(scope, window.number)
        try:
            _add(key, window, limit=scope.limit)
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            _give_back(counted)
            raise TooManyAttempts(retry_after=window.retry_after) from exc
        counted.append((key, window))


def _give_back(counted: list[tuple[str, _Window]]) -> None:
    for key, window in counted:
        try:
            _add(key, window, amount=-1)
        except PynamoDBException:  # the attempt is refused either way; the scope just counts one more
            logger.warning("rate counter not given back", extra={"scope": key.rsplit(":", 2)[0]})


def spent(*scopes: Scope, now: float | None = None) -> dict[Scope, int]:
    """The scopes that have spent their failures in their window, with seconds until it ends.

    One consistent BatchGetItem for all of them."""
    return _spent_and(scopes, (), now)[0]


def _spent_and(
    scopes: Iterable[Scope], also: Sequence[BaseModel], now: float | None
) -> tuple[dict[Scope, int], list[BaseModel | None]]:
    """``spent`` and, in the same consistent BatchGetItem, the items ``also`` names (each
    stored item, or None), so a caller that needs them anyway pays no round trip of its own."""
    windows = {scope: _window(scope, now) for scope in scopes}
    by_key = {_key(scope, window.number): scope for scope, window in windows.items()}
    found = get_many(*[RateCounter(key) for key in by_key], *also)
    out: dict[Scope, int] = {}
    for counter in found[: len(by_key)]:
        if not isinstance(counter, RateCounter):
            continue
        scope = by_key[counter.key]
        if counter.hits >= scope.limit:
            out[scope] = windows[scope].retry_after
    return out, found[len(by_key) :]


def check(*scopes: Scope, now: float | None = None) -> None:
    """Raise TooManyAttempts if any scope has spent its failures in its window."""
    refused = spent(*scopes, now=now)
    if refused:
        raise TooManyAttempts(retry_after=max(refused.values()))


def record_failure(*scopes: Scope, now: float | None = None) -> None:
    """Count one failure against every scope (one UpdateItem each)."""
    for scope in scopes:
        window = _window(scope, now)
        _add(_key(scope, window.number), window)


# ---------------------------------------------------------------- sign-in


def _email_client(email: str, client: str) -> Scope:
    # the client first: an address never holds "|", so no two pairs hash the same text
    return Scope("sign-in:email-client", f"{client}|{email}", get_settings().sign_in_per_email_client)


def _email_day(email: str) -> Scope:
    return Scope("sign-in:email-day", email, get_settings().sign_in_per_email_day, DAY)


def _device(device: str) -> Scope:
    return Scope("sign-in:device", device, get_settings().sign_in_per_device)


@dataclass(frozen=True)
class SignInAttempt:
    """A sign-in that may go ahead; ``counts`` are the scopes a failure of it counts against."""

    email: str
    counts: tuple[Scope, ...]
    trusted: bool  # from a known device of this email, under its own limit
    also: tuple[BaseModel | None, ...] = ()  # the items asked for with the counters (sign_in_attempt)


def sign_in_attempt(
    email: str,
    client: str,
    device: str | None = None,
    now: float | None = None,
    also: Sequence[BaseModel] = (),
) -> SignInAttempt:
    """Check an attempt to sign in as ``email``; raise TooManyAttempts when it may not go ahead.

    ``device`` is the id of a known device of this email (cme.identity.devices.known), or None. A known
    device under its own limit is refused by nothing else; otherwise the email's failures from
    this client and from all untrusted clients today decide. One BatchGetItem either way, which
    also reads the items ``also`` names (sign-in: the email's owner), returned in ``also``.
    """
    untrusted = (_email_client(email, client), _email_day(email))
    if device is None:
        refused, found = _spent_and(untrusted, also, now)
        if refused:
            raise TooManyAttempts(retry_after=max(refused.values()))
        return SignInAttempt(email, untrusted, trusted=False, also=tuple(found))
    own = _device(device)
    refused, found = _spent_and((own, *untrusted), also, now)
    if own not in refused:
        return SignInAttempt(email, (own,), trusted=True, also=tuple(found))
    logger.info("known device over its limit: treated as untrusted")
    if refused.keys() & set(untrusted):
        raise TooManyAttempts(retry_after=max(s for scope, s in refused.items() if scope in untrusted))
    return SignInAttempt(email, untrusted, trusted=False, also=tuple(found))


def record_sign_in_failure(attempt: SignInAttempt, now: float | None = None) -> None:
    """Count a failed sign-in (one UpdateItem per scope). The day's counter of the email also
    notes the email-and-client counter it was counted with, for clear_sign_in_failures."""
    if attempt.trusted:
        record_failure(*attempt.counts, now=now)
        return
    pair, day = attempt.counts
    pair_window, day_window = _window(pair, now), _window(day, now)
    pair_key = _key(pair, pair_window.number)
    _add(pair_key, pair_window)
    _add(_key(day, day_window.number), day_window, also=[RateCounter.related.add({pair_key})])


def clear_sign_in_failures(emails: Iterable[str], now: float | None = None) -> None:
    """Forget the failed sign-ins of these emails (after a password reset): the day's counter of
    each and the email-and-client counters of the current window it lists. Known devices' own
    counters are left: a spent one is untrusted, and so counted by these, cleared ones."""
    for email in set(emails):
        day = _email_day(email)
        try:
            counter = RateCounter.get(_key(day, _window(day, now).number), consistent_read=True)
        except RateCounter.DoesNotExist:
            continue
        suffix = f":{_window(_email_client(email, ''), now).number}"
        for key in sorted(counter.related or set()):
            if key.endswith(suffix):  # earlier windows are no longer read
                retry.call(RateCounter(key).delete, "rate counter")
        retry.call(counter.delete, "rate counter")
        logger.info("sign-in failures cleared", extra={"counters": len(counter.related or ()) + 1})
