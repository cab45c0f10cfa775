"""A pytest fixture that injects DynamoDB transaction conflicts and throttling, and SES
throttling (infra/local/faults.py).

Import it into a test module (``from tests.support.faults import inject_faults``) and call it
with the probabilities; the injector is uninstalled when the test ends, and cme.retry's counts
start from zero. In-process moto (``mock_aws``) is not atomic across threads, so the calls that
pass are run one at a time, as the local stack runs moto.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from infra.local.faults import FaultInjector


@pytest.fixture
def inject_faults() -> Iterator[Callable[..., FaultInjector]]:
    from cme import retry

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
