"""Secrets from AWS Secrets Manager: read at first use, kept per process for a while.

The origin secret and the device-cookie key are not in the functions' environment (anyone
allowed ``lambda:GetFunctionConfiguration`` could read it there, and SnapStart snapshots it):
the environment names the secret (``ORIGIN_SECRET_ID``, ``DEVICE_COOKIE_KEY_ID``: its ARN), and
:func:`get` reads its value with ``secretsmanager:GetSecretValue`` the first time a request needs
it, through the process's botocore client (``cme.platform.aws``). Never at import, never before a
SnapStart snapshot; ``cme.runtime.snapstart`` forgets every secret after each restore besides.

Each secret is JSON ``{"current": ..., "previous": ...}``. ``previous`` is empty except during
a rotation, when both are accepted (docs/operations.md "Rotating a secret"). A value read is kept
``SECRET_CACHE_SECONDS`` on ``cme.platform.clock`` (default 5 minutes), then read again: a rotation
reaches every warm function within that. A caller holding a value that matched neither may
force one new read (:func:`refreshed`), at most once per ``SECRET_REFETCH_SECONDS``, so a
stream of wrong values from an attacker costs one read per that many seconds, not one per
request. When a read fails the value held is kept (and the read tried again after
``SECRET_REFETCH_SECONDS``); with none held, :class:`Unavailable`.

Not Powertools' parameters utility (``get_secret(name, max_age=...)``): it imports boto3, which
``cme.platform.aws`` keeps out of every cold start; it measures ``max_age`` on the wall clock, which
tests cannot pin through ``cme.platform.clock``; and it has no bounded forced read.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from cme.platform import aws, clock
from cme.platform.observability import logger
from cme.platform.settings import get_settings


@dataclass(frozen=True)
class Rotating:
    """A secret's current value and, during a rotation, the previous one ("": none). Its repr
    shows neither."""

    current: str = field(repr=False)
    previous: str = field(repr=False, default="")

    def accepted(self) -> tuple[str, ...]:
        """The values a check accepts: current and previous, the empty ones left out."""
        return tuple(value for value in (self.current, self.previous) if value)


class Unavailable(Exception):
    """The secret could not be read, and no earlier value of it is held."""


@dataclass
class _Held:
    value: Rotating | None  # None: never read successfully
    read_at: datetime | None  # the last successful read
    tried_at: datetime  # the last read tried


#: Whose values a read fills: in Lambda one function per process (""). The local stack runs every
#: function in one process and names the function per invocation (:func:`holding`), so each one
#: reads and keeps its secrets as its own process would, and the IAM check sees its reads.
_holder: contextvars.ContextVar[str] = contextvars.ContextVar("cme_secrets_holder", default="")
_held: dict[tuple[str, str], _Held] = {}
_lock = threading.Lock()  # the local stack runs a function's containers as threads of one process


@contextlib.contextmanager
def holding(function: str) -> Iterator[None]:
    """The secrets read inside the block are ``function``'s own (the local stack's gateway)."""
    token = _holder.set(function)
    try:
        yield
    finally:
        _holder.reset(token)


def _within(since: datetime | None, now: datetime, seconds: int) -> bool:
    """Whether ``now`` is less than ``seconds`` after ``since`` (a clock moved back: not)."""
    return since is not None and 0 <= (now - since).total_seconds() < seconds


def parse(text: str | None) -> Rotating:
    """A secret's string: JSON ``{"current", "previous"}``; any other text is the current value
    alone (a secret set by hand in the console)."""
    if not text:
        return Rotating("")
    try:
        value = json.loads(text)
    except ValueError:
        return Rotating(text)
    if not isinstance(value, dict):
        return Rotating(text)
    current, previous = value.get("current"), value.get("previous")
    return Rotating(current if isinstance(current, str) else "", previous if isinstance(previous, str) else "")


def _read(secret_id: str, now: datetime, held: _Held | None) -> Rotating:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        reply = aws.client("secretsmanager").get_secret_value(SecretId=secret_id)
    except (BotoCoreError, ClientError) as exc:
        code = exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else type(exc).__name__
        logger.error(
            "secret not read", extra={"secret_id": secret_id, "error": code, "kept": bool(held and held.value)}
        )
        if held is None:
            held = _held[(_holder.get(), secret_id)] = _Held(None, None, now)
        held.tried_at = now
        if held.value is None:
            raise Unavailable(secret_id) from None
        return held.value
    value = parse(reply.get("SecretString"))
    _held[(_holder.get(), secret_id)] = _Held(value, now, now)
    return value


def get(secret_id: str) -> Rotating:
    """The secret's values: those held when read less than SECRET_CACHE_SECONDS ago, else read
    now. Raises :class:`Unavailable` when it cannot be read and none is held."""
    settings = get_settings()
    with _lock:
        now = clock.now()
        held = _held.get((_holder.get(), secret_id))
        if held is not None:
            if held.value is not None and _within(held.read_at, now, settings.secret_cache_seconds):
                return held.value
            if _within(held.tried_at, now, settings.secret_refetch_seconds):  # a read just failed
                if held.value is None:
                    raise Unavailable(secret_id)
                return held.value
        return _read(secret_id, now, held)


def refreshed(secret_id: str) -> Rotating | None:
    """The secret read again now, for a value that matched none held (a rotation this process
    has not read yet); None when a read was tried less than SECRET_REFETCH_SECONDS ago or
    this one failed."""
    settings = get_settings()
    with _lock:
        now = clock.now()
        held = _held.get((_holder.get(), secret_id))
        if held is not None and _within(held.tried_at, now, settings.secret_refetch_seconds):
            return None
        try:
            return _read(secret_id, now, held)
        except Unavailable:
            return None


def held_ids() -> list[str]:
    """The secrets this process holds a value of (tests; nothing may be held in a snapshot)."""
    with _lock:
        return sorted({secret_id for (_, secret_id), held in _held.items() if held.value is not None})


def forget() -> None:
    """Drop every value held: the next use reads again (a SnapStart restore; tests)."""
    with _lock:
        _held.clear()
