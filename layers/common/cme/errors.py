"""Domain errors. Logic raises these; cme.api maps each kind to an HTTP status in one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """A failure the person can act on: a code for programs, a message for people."""

    def __init__(self, code: str, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


class InvalidInput(DomainError):
    """The request is well-formed but a value breaks a rule (422)."""


class BadToken(DomainError):
    """A one-time token is unknown, used, expired or for another purpose (400)."""


class NotAuthenticated(DomainError):
    """No session, or the credentials do not match (401)."""


class Forbidden(DomainError):
    """Signed in, but not allowed (403)."""


class NotFound(DomainError):
    """Nothing of that id that the caller may see (404)."""


class Conflict(DomainError):
    """The state forbids it: already taken, already done (409)."""


class ServiceUnavailable(DomainError):
    """A dependency failed; nothing was half-written; try again (503)."""

    def __init__(self, code: str, message: str, retry_after: int = 30) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


class TooManyAttempts(DomainError):
    """Throttled (429); retry_after says when to try again, in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("TOO_MANY_ATTEMPTS", "Too many attempts. Please wait a few minutes and try again.")
        self.retry_after = retry_after


SIGN_IN_REQUIRED = "You must sign in to your account"


def sign_in_required() -> NotAuthenticated:
    return NotAuthenticated("SIGN_IN_REQUIRED", SIGN_IN_REQUIRED)


class Problems:
    """Collects every InvalidInput of a form, so the person sees all of them at once."""

    def __init__(self) -> None:
        self.found: list[InvalidInput] = []

    def check(self, check: Callable[..., T], *args: Any) -> T | None:
        try:
            return check(*args)
        except InvalidInput as problem:
            self.found.append(problem)
            return None

    def raise_any(self) -> None:
        if not self.found:
            return
        first = self.found[0]
        details = [detail for problem in self.found for detail in problem.details or []]
        message = " ".join(dict.fromkeys(problem.message for problem in self.found))
        raise InvalidInput(first.code, message, details)
