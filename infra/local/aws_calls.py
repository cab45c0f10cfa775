"""Records every AWS call a Lambda function makes, as the IAM request AWS would authorize.

moto grants every call, so a function whose policy misses a grant passes every local test and
fails in AWS. This module watches the calls instead: each call made while a function runs
(the local gateway marks which one, in-process and on the local stack alike) becomes one or
more ``(function, action, resource)`` requests, exactly as IAM evaluates them:

- every boto3 and PynamoDB call passes through ``botocore.client.BaseClient._make_api_call``;
- a ``TransactWriteItems`` is authorized item by item (``PutItem``, ``UpdateItem``,
  ``DeleteItem``, ``ConditionCheckItem``); there is no ``dynamodb:TransactWriteItems`` action;
- a Query on an index is checked against ``table/<name>/index/<index>``;
- a pre-signed URL or POST makes no call at all, but it works only when the function that
  signed it holds the grant, so signing counts as the call it signs;
- an SES send is authorized against the identity that verified the From address, which is the
  address itself or its domain (whichever the office verified), and against the configuration
  set it names: all three are requested, so the policies must grant both identities; the
  request carries the ``ses:FromAddress`` condition key.

``infra.tools.iam`` holds the recorded requests against the policies of template.yaml.
"""

from __future__ import annotations

import contextlib
import contextvars
import email
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any

PARTITION = "aws"
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account; template ARNs resolve to the same one locally

#: Environment variable naming the directory where each process appends what it records.
DIRECTORY_VARIABLE = "CME_AWS_CALLS_DIR"

_function: contextvars.ContextVar[str | None] = contextvars.ContextVar("cme_lambda_function", default=None)


@dataclass(frozen=True, order=True)
class Request:
    """One authorization request: which function asked for which action on which resource, and
    the condition keys the request carries (lower-case key, value), for the policies' Conditions."""

    function: str
    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:  # read back from JSON, the pairs are lists
        object.__setattr__(self, "context", tuple((str(k), str(v)) for k, v in self.context))


@contextlib.contextmanager
def running(function: str) -> Iterator[None]:
    """Mark the calls made inside the block as made by ``function`` (a logical id)."""
    token = _function.set(function)
    try:
        yield
    finally:
        _function.reset(token)


# ---------------------------------------------------------------- calls -> IAM requests
def table_arn(name: str) -> str:
    return f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


def _dynamodb(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    if operation == "TransactWriteItems":
        kinds = {
            "Put": "PutItem",
            "Update": "UpdateItem",
            "Delete": "DeleteItem",
            "ConditionCheck": "ConditionCheckItem",
        }
        return [
            (f"dynamodb:{kinds[kind]}", table_arn(spec["TableName"]))
            for item in params.get("TransactItems", [])
            for kind, spec in item.items()
        ]
    if operation == "TransactGetItems":
        return [("dynamodb:GetItem", table_arn(item["Get"]["TableName"])) for item in params.get("TransactItems", [])]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", table_arn(table)) for table in params.get("RequestItems", {})]
    table = params.get("TableName", "")
    resource = table_arn(table)
    if params.get("IndexName"):
        resource += f"/index/{params['IndexName']}"
    return [(f"dynamodb:{operation}", resource)]


def _s3_object(bucket: str, key: str) -> str:
    return f"arn:{PARTITION}:s3:::{bucket}/{key}"


def _s3(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    bucket = params.get("Bucket", "")
    key = params.get("Key")
    versioned = bool(params.get("VersionId"))
    if operation in ("GetObject", "HeadObject"):
        return [("s3:GetObjectVersion" if versioned else "s3:GetObject", _s3_object(bucket, key or ""))]
    if operation == "DeleteObject":
        return [("s3:DeleteObjectVersion" if versioned else "s3:DeleteObject", _s3_object(bucket, key or ""))]
    if operation in ("CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "PutObject"):
        return [("s3:PutObject", _s3_object(bucket, key or ""))]
    if operation == "CopyObject":
        source = params.get("CopySource")
        if isinstance(source, dict):
            source_arn = _s3_object(source.get("Bucket", ""), source.get("Key", ""))
        else:
            source_arn = f"arn:{PARTITION}:s3:::{str(source).split('?', 1)[0].lstrip('/')}"
        return [("s3:GetObject", source_arn), ("s3:PutObject", _s3_object(bucket, key or ""))]
    if operation in ("ListObjects", "ListObjectsV2"):
        return [("s3:ListBucket", f"arn:{PARTITION}:s3:::{bucket}")]
    if operation == "ListObjectVersions":
        return [("s3:ListBucketVersions", f"arn:{PARTITION}:s3:::{bucket}")]
    if key is not None:
        return [(f"s3:{operation}", _s3_object(bucket, key))]
    return [(f"s3:{operation}", f"arn:{PARTITION}:s3:::{bucket}")]


def _ses_from(params: dict[str, Any]) -> str:
    """The From address an SES send authorizes (Source, else the raw message's From header)."""
    source = params.get("Source") or params.get("FromEmailAddress") or ""
    raw = (params.get("RawMessage") or {}).get("Data")
    if not source and raw:
        message = email.message_from_bytes(raw if isinstance(raw, bytes) else str(raw).encode())
        source = message.get("From", "")
    return str(parseaddr(source)[1] or source)


def _ses(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    address = _ses_from(params)
    action = "ses:SendRawEmail" if operation == "SendRawEmail" else f"ses:{operation}"
    ses = f"arn:{PARTITION}:ses:{REGION}:{ACCOUNT}"
    found = [(action, f"{ses}:identity/{address}")]
    local, _, domain = address.rpartition("@")
    if local and domain:  # the office may have verified the domain instead of the address
        found.append((action, f"{ses}:identity/{domain}"))
    if params.get("ConfigurationSetName"):
        found.append((action, f"{ses}:configuration-set/{params['ConfigurationSetName']}"))
    return found


def context_for(service: str, operation: str, params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The condition keys IAM knows for one API call (those the policies here test)."""
    if service in ("ses", "sesv2") and operation.startswith("Send"):
        return (("ses:fromaddress", _ses_from(params)),)
    return ()


def _sqs(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    name = params.get("QueueName") or str(params.get("QueueUrl", "")).rstrip("/").rsplit("/", 1)[-1]
    action = "sqs:SendMessage" if operation == "SendMessageBatch" else f"sqs:{operation}"
    if operation == "DeleteMessageBatch":
        action = "sqs:DeleteMessage"
    return [(action, f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{name}")]


def _sns(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    # an SMS to a phone number has no ARN to authorize: IAM checks sns:Publish on "*"
    target = params.get("TopicArn") or params.get("TargetArn")
    return [(f"sns:{operation}", str(target) if target else "*")]


def _secretsmanager(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    # IAM checks the secret's full ARN (name, dash, six random characters) whatever SecretId
    # named; the recorder adds it from the reply (SECRET_ARN). A name alone stays a partial ARN,
    # which no grant on the full one matches.
    secret = str(params.get(SECRET_ARN) or params.get("SecretId") or "")
    if not secret.startswith("arn:"):
        secret = f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT}:secret:{secret}"
    return [(f"secretsmanager:{operation}", secret)]


#: the key under which the recorder hands _secretsmanager the ARN a reply names
SECRET_ARN = "__reply_arn__"


def requests_for(service: str, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """The (action, resource ARN) pairs IAM checks for one API call."""
    if service == "dynamodb":
        return _dynamodb(operation, params)
    if service == "s3":
        return _s3(operation, params)
    if service in ("ses", "sesv2"):
        return _ses(operation, params)
    if service == "sqs":
        return _sqs(operation, params)
    if service == "sns":
        return _sns(operation, params)
    if service == "secretsmanager":
        return _secretsmanager(operation, params)
    return [(f"{service}:{operation}", "*")]


# ---------------------------------------------------------------- the recorder
class Recorder:
    """Collects requests in memory and, when given a directory, appends each new one to a file
    of this process (xdist workers and the local stack's process each write their own)."""

    def __init__(self, directory: Path | None, source: str) -> None:
        self.directory = directory
        self.source = source
        self.seen: set[Request] = set()
        self._lock = threading.Lock()
        self._listeners: list[list[Request]] = []

    def add(self, service: str, operation: str, params: dict[str, Any]) -> None:
        function = _function.get()
        if function is None:  # a test's own set-up, the local stack's plumbing: not a function
            return
        context = context_for(service, operation, params)
        found = [
            Request(function, action, resource, context)
            for action, resource in requests_for(service, operation, params)
        ]
        with self._lock:
            for listener in self._listeners:
                listener.extend(found)
            new = [r for r in found if r not in self.seen]
            self.seen.update(new)
            if new and self.directory is not None:
                self.directory.mkdir(parents=True, exist_ok=True)
                path = self.directory / f"calls-{os.getpid()}.jsonl"
                with path.open("a", encoding="utf-8") as handle:
                    for request in new:
                        handle.write(json.dumps({**request.__dict__, "source": self.source}) + "\n")

    @contextlib.contextmanager
    def capture(self) -> Iterator[list[Request]]:
        """Every request (repeats included) made inside the block."""
        captured: list[Request] = []
        with self._lock:
            self._listeners.append(captured)
        try:
            yield captured
        finally:
            with self._lock:
                self._listeners.remove(captured)


_recorder: Recorder | None = None


def install(source: str, directory: str | os.PathLike[str] | None = None) -> Recorder:
    """Start recording in this process (once; later calls return the same recorder).

    ``source`` says where the calls come from (``in-process`` or ``local-stack``); the
    directory defaults to ``$CME_AWS_CALLS_DIR`` (none: kept in memory only).
    """
    global _recorder  # noqa: PLW0603 - one recorder per process, like the patch it owns
    if _recorder is not None:
        return _recorder
    import botocore.signers
    from botocore.client import BaseClient

    target = directory if directory is not None else os.environ.get(DIRECTORY_VARIABLE)
    recorder = Recorder(Path(target) if target else None, source)
    original_call = BaseClient._make_api_call  # type: ignore[attr-defined]
    original_url = botocore.signers.generate_presigned_url
    original_post = botocore.signers.generate_presigned_post

    def recording_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        service = self.meta.service_model.service_name
        if service != "secretsmanager":
            recorder.add(service, operation_name, api_params)
            return original_call(self, operation_name, api_params)
        # a secret's full ARN (what IAM authorizes) is known once the reply names it
        try:
            reply = original_call(self, operation_name, api_params)
        except Exception:
            recorder.add(service, operation_name, api_params)
            raise
        recorder.add(service, operation_name, {**api_params, SECRET_ARN: reply.get("ARN")})
        return reply

    def recording_url(self: Any, ClientMethod: str, Params: Any = None, *args: Any, **kwargs: Any) -> Any:
        operation = self._PY_TO_OP_NAME.get(ClientMethod, ClientMethod)
        recorder.add(self.meta.service_model.service_name, operation, dict(Params or {}))
        return original_url(self, ClientMethod, Params, *args, **kwargs)

    def recording_post(self: Any, Bucket: str, Key: str, *args: Any, **kwargs: Any) -> Any:
        recorder.add("s3", "PutObject", {"Bucket": Bucket, "Key": Key})
        return original_post(self, Bucket, Key, *args, **kwargs)

    BaseClient._make_api_call = recording_call  # type: ignore[attr-defined]
    # Client classes take these functions when they are created: patched before any client.
    botocore.signers.generate_presigned_url = recording_url
    botocore.signers.generate_presigned_post = recording_post
    _recorder = recorder
    return recorder


def recorder() -> Recorder | None:
    return _recorder
