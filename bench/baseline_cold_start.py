"""The baseline for cold-start ratios (``make bench``): what every API function needs at the
least. Powertools' Logger and HTTP resolver with request validation, one pydantic body model,
and boto3; its first invocation validates the body and makes one DynamoDB GetItem on the same
endpoint the functions use (AWS_ENDPOINT_URL)."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel, Field

logger = Logger()
app = APIGatewayHttpResolver(enable_validation=True)
_clients: dict[str, Any] = {}


class Lookup(BaseModel):
    email: str = Field(min_length=3, max_length=254)


@app.post("/api/bench")
def lookup(body: Lookup) -> dict[str, Any]:
    if "dynamodb" not in _clients:
        _clients["dynamodb"] = boto3.client("dynamodb", region_name=os.environ.get("AWS_REGION", "us-east-1"))
    request = json.loads(os.environ["BENCH_GET_ITEM"])  # {"TableName": ..., "Key": ...}, from bench/run.py
    item = _clients["dynamodb"].get_item(**request)
    return {"found": "Item" in item, "email": body.email}


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
