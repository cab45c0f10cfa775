"""A pytest fixture that injects DynamoDB transaction conflicts and throttling, and SES
throttling (infra/local/faults.py).

Import it into a test module (``from tests.support.faults import inject_faults``) and call it
with the probabilities; the injector is uninstalled when the test ends, and cme.platform.retry's counts
start from zero. In-process moto (``mock_aws``) is not atomic across threads, so the calls that
pass are run one at a time, as the local stack runs moto.

botocore retries a throttled call after its own backoff (up to seconds, slept for real): a surge
of 300 requests slept 268 s of them in all, the surge test's whole length. While faults are
injected botocore does not wait (its waits are kept in ``botocore_waits``, seconds): the retries
are the same in number, and no test reads the wall clock.
"""

from __future__ import annotations

import time
import types
from collections.abc import Callable, Iterator

import botocore.endpoint
import pytest

from infra.local.faults import FaultInjector

botocore_waits: list[float] = []


@pytest.fixture
def inject_faults(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., FaultInjector]]:
    from cme.platform import retry

    # botocore.endpoint sleeps through its module global ``time``; nothing else is changed
    botocore_waits.clear()
    no_waits = types.SimpleNamespace(**{**vars(time), "sleep": botocore_waits.append})
    monkeypatch.setattr(botocore.endpoint, "time", no_waits)

    made: list[FaultInjector] = []

    def install(
        conflict: float = 0.0,
        throttle: float = 0.0,
        seed: int = 7,
        write_conflict: float = 0.0,
        ses_throttle: float = 0.0,
        ses_quota: float = 0.0,
    ) -> FaultInjector:
        injector = FaultInjector(
            conflict=conflict,
            throttle=throttle,
            seed=seed,
            serialize=True,
            write_conflict=write_conflict,
            ses_throttle=ses_throttle,
            ses_quota=ses_quota,
        ).install()
        made.append(injector)
        retry.reset_stats()
        return injector

    try:
        yield install
    finally:
        for injector in made:
            injector.uninstall()
