"""The one Logger, Tracer and Metrics every function shares.

``logger`` is made at import (cheap). ``tracer`` and ``metrics`` are made on first access
(PEP 562), so a function that never traces (the authorizer) never imports the X-Ray SDK.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

if TYPE_CHECKING:
    from aws_lambda_powertools import Metrics, Tracer

    tracer: Tracer
    metrics: Metrics

SERVICE = "cme-portal"
logger = Logger(service=SERVICE)

# Libraries log whole requests at DEBUG (PynamoDB and botocore every item written, password
# hashes and phone numbers included; Powertools every route's arguments). Their DEBUG stays off
# whatever POWERTOOLS_LOG_LEVEL says, so turning our own logs up never leaks a learner's data.
for _library in ("pynamodb", "botocore", "boto3", "urllib3", "aws_lambda_powertools"):
    logging.getLogger(_library).setLevel(max(logging.INFO, logging.getLogger(_library).level))


@cache
def _make(name: str) -> Any:
    if name == "tracer":
        from aws_lambda_powertools import Tracer

        return Tracer(service=SERVICE)
    from aws_lambda_powertools import Metrics

    return Metrics(namespace="CMEPortal", service=SERVICE)


def __getattr__(name: str) -> Any:
    if name in ("tracer", "metrics"):
        return _make(name)
    raise AttributeError(name)
