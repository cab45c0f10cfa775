"""Creates template.yaml's tables, buckets and secrets (and the SES sender and configuration
set) wherever the AWS endpoint variables point: moto in tests and `make run`, or DynamoDB Local /
a real account."""

from __future__ import annotations

import json
from typing import Any

import boto3

from infra.local import cfn


def provision_secrets(client: Any) -> None:
    """template.yaml's Secrets Manager secrets, holding the parameters' local values (a secret
    already there gets them again). ``client``: a secretsmanager client."""
    for name, text in cfn.secret_strings().items():
        try:
            client.create_secret(Name=name, SecretString=text)
        except client.exceptions.ResourceExistsException:
            client.put_secret_value(SecretId=name, SecretString=text)


def provision(region: str, mail_from: str) -> None:
    from infra.local import moto_fixes

    moto_fixes.install()  # moto in this process (tests, `make run`): transactions copy each table once
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
    ses = boto3.client("ses", region_name=region)
    ses.verify_email_identity(EmailAddress=mail_from)
    have_sets = {c["Name"] for c in ses.list_configuration_sets().get("ConfigurationSets", [])}
    for name in cfn.configuration_sets():  # every email is sent with one (MAIL_CONFIGURATION_SET)
        if name not in have_sets:
            ses.create_configuration_set(ConfigurationSet={"Name": name})
    provision_secrets(boto3.client("secretsmanager", region_name=region))
    sqs = boto3.client("sqs", region_name=region)
    queues = cfn.queues()
    # dead-letter queues first: the others name them in their redrive policy
    for name in sorted(queues, key=lambda n: "RedrivePolicy" in queues[n]):
        attributes: Any = dict(queues[name])
        redrive = attributes.pop("RedrivePolicy", None)
        if redrive:
            target = sqs.get_queue_url(QueueName=redrive["deadLetterTargetName"])["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=target, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            attributes["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": arn, "maxReceiveCount": redrive["maxReceiveCount"]}
            )
        sqs.create_queue(QueueName=name, Attributes=attributes)
