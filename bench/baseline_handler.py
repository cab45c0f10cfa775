"""The baseline for cold-import ratios: a bare Powertools + boto3 handler."""

import boto3
from aws_lambda_powertools import Logger

logger = Logger()


def lambda_handler(event, context):  # type: ignore[no-untyped-def]
    return {"statusCode": 200, "body": str(boto3.__version__)}
