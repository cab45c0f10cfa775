"""Shared by every test: the clock pinned (the ``clock`` fixture); the layer and the repo root
on the path (pyproject pythonpath).

Every AWS call a Lambda function makes during the tests is recorded (``infra.local.aws_calls``)
into ``build/aws-calls/``: by each pytest process in-process, and by the local stack the
browser tests start. ``tests/iam`` then holds them against template.yaml's policies. So too
every error a route answers (``infra.local.replies``, into ``build/replies/``), held against
the codes each route declares in openapi.json.
"""

from __future__ import annotations

import os
import shutil

import pytest

from infra.local import aws_calls, replies
from infra.local.clock import SetClock
from infra.tools.iam import DEFAULT_RECORDS
from tests.support.clock import START


def pytest_configure(config: pytest.Config) -> None:
    worker = hasattr(config, "workerinput")
    if not worker and not os.environ.get(aws_calls.DIRECTORY_VARIABLE):
        only_the_check = bool(config.args) and all("tests/iam" in str(arg) for arg in config.args)
        if not only_the_check:  # a new run records afresh; the check alone reads the last run
            for directory, variable in (
                (DEFAULT_RECORDS, aws_calls.DIRECTORY_VARIABLE),
                (replies.DEFAULT_RECORDS, replies.DIRECTORY_VARIABLE),
            ):
                shutil.rmtree(directory, ignore_errors=True)
                directory.mkdir(parents=True, exist_ok=True)
                os.environ[variable] = str(directory)
    aws_calls.install("in-process")


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> SetClock:
    """Every test on a pinned clock (tests/support/clock.py): ``cme.platform.clock.now`` starts at START
    and runs on; ``clock.freeze(at)`` and ``clock.move(delta)`` set it, ``clock.today()`` is the
    office's date on it."""
    from cme.platform import clock as cme_clock

    pinned = SetClock(START)
    monkeypatch.setattr(cme_clock, "now", pinned.now)
    return pinned
