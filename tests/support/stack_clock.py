"""The local stack's clock, for browser tests (tests/e2e): the stack runs in a process of its
own, so the ``clock`` fixture pins cme.platform.clock there, through ``/_local/clock``
(infra/local/server.py), and a test takes "today" from it, never from the time of day here.

The stack starts on the real clock (the browser's pages read the browser's own date, so the two
agree); a test that needs an exact moment ``freeze``s the stack's clock, and the fixture lets it
go again when the test ends.
"""

from __future__ import annotations

from datetime import date, datetime

from tests.support.http import StackClient


class StackClock:
    """The clock of the stack at ``base_url`` (set when the session starts the stack)."""

    def __init__(self) -> None:
        self.base_url: str | None = None
        self.frozen = False

    def _call(self, method: str, body: object = None) -> dict[str, str]:
        assert self.base_url, "the local stack is not running (the base_url fixture starts it)"
        status, answer = StackClient(self.base_url).call(method, "/_local/clock", body)
        assert status == 200, answer
        return answer  # type: ignore[no-any-return]

    def now(self) -> datetime:
        return datetime.fromisoformat(self._call("GET")["now"])

    def today(self) -> date:
        """The office's date on the stack's clock."""
        return date.fromisoformat(self._call("GET")["today"])

    def freeze(self, at: datetime) -> datetime:
        """Stop the stack's clock at ``at`` (aware) until ``release``."""
        self.frozen = True
        return datetime.fromisoformat(self._call("POST", {"at": at.isoformat()})["now"])

    def release(self) -> None:
        """The real clock again."""
        self._call("POST", {"at": None})
        self.frozen = False


#: the stack this test process started (each pytest-xdist worker starts its own)
STACK_CLOCK = StackClock()


def office_today() -> date:
    """The office's date on the stack's clock: the "today" its functions see."""
    return STACK_CLOCK.today()
