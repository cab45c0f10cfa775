"""Creates template.yaml's tables and buckets (and the SES sender) wherever the AWS endpoint
variables point: moto in tests and `make run`, or DynamoDB Local / a real account."""

from __future__ import annotations

from typing import Any

import boto3

from infra.local import cfn


def provision(region: str, mail_from: str) -> None:
    dynamodb = boto3.client("dynamodb", region_name=region)
    existing = set(dynamodb.list_tables().get("TableNames", []))
    for name, spec in cfn.table_definitions().items():
        if name not in existing:
            dynamodb.create_table(**spec)
    for name, attribute in cfn.ttl_attributes().items():
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute}
        )
    s3 = boto3.client("s3", region_name=region)
    have = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for bucket in cfn.bucket_names():
        if bucket not in have:
            kwargs: dict[str, Any] = {"Bucket": bucket}
            if region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
            s3.create_bucket(**kwargs)
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    boto3.client("ses", region_name=region).verify_email_identity(EmailAddress=mail_from)
