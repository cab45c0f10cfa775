"""Counts AWS API calls (by service and operation) made inside a ``with`` block.

Every boto3 and PynamoDB call goes through ``botocore.client.BaseClient._make_api_call``, so
wrapping it counts real round trips (retries inside botocore are not double-counted).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.client import BaseClient


@contextmanager
def count_calls() -> Iterator[Counter[str]]:
    counts: Counter[str] = Counter()
    original = BaseClient._make_api_call

    def counting(self: Any, operation_name: str, api_params: Any) -> Any:
        counts[f"{self.meta.service_model.service_name}:{operation_name}"] += 1
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = counting  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


def dynamodb_total(counts: Counter[str]) -> int:
    return sum(n for key, n in counts.items() if key.startswith("dynamodb:"))
