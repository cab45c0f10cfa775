"""Observes and counts AWS API calls (by service and operation) made inside a ``with`` block.

Every boto3 and PynamoDB call goes through ``botocore.client.BaseClient._make_api_call``, so
wrapping it counts real round trips (retries inside botocore are not double-counted).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.client import BaseClient


@contextmanager
def observe_calls(observe: Callable[[str, str, Any], None]) -> Iterator[None]:
    """Call ``observe(service, operation, parameters)`` before every AWS API call made inside
    the block (the one place that wraps ``BaseClient._make_api_call``)."""
    original = BaseClient._make_api_call

    def observing(self: Any, operation_name: str, api_params: Any) -> Any:
        observe(self.meta.service_model.service_name, operation_name, api_params)
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = observing  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


@contextmanager
def count_calls() -> Iterator[Counter[str]]:
    counts: Counter[str] = Counter()

    def counting(service: str, operation: str, _params: Any) -> None:
        counts[f"{service}:{operation}"] += 1

    with observe_calls(counting):
        yield counts


def dynamodb_total(counts: Counter[str]) -> int:
    return sum(n for key, n in counts.items() if key.startswith("dynamodb:"))
