"""Fault injection: DynamoDB's answers under contention, which moto and DynamoDB Local never give.

In AWS, a TransactWriteItems that touches an item another transaction is writing is cancelled
(HTTP 400 ``TransactionCanceledException``, the item's reason ``TransactionConflict``); a
single-item write to such an item is refused (HTTP 400 ``TransactionConflictException``); and
any call can be throttled (HTTP 400 ``ThrottlingException`` /
``ProvisionedThroughputExceededException``). ``FaultInjector`` answers a share of DynamoDB
calls that way, chosen by a seeded ``random.Random``.

It wraps ``botocore.endpoint.Endpoint._do_get_response``: below botocore's retry loop (so
botocore's standard mode retries an injected throttle as it would a real one) and above the
HTTP send and moto's in-process hook (so it works with ``mock_aws`` and with the moto server,
and moto never sees a request that was answered with a fault). The answer is a real HTTP
response run through botocore's own parser, so boto3 raises ``ClientError`` and PynamoDB
``TransactWriteError`` (with ``cancellation_reasons``) exactly as for AWS's answer.

    with FaultInjector(conflict=0.25, throttle=0.1, seed=7) as faults:
        ...
    faults.counts()  # {"calls": ..., "transactions": ..., "conflicts": ..., "throttles": ...}

SES is throttled the same way: ``ses_throttle`` answers a share of its sends with ``Throttling``
"Maximum sending rate exceeded." (what SES says past the account's send rate), ``ses_quota``
with ``Throttling`` "Daily message quota exceeded."; drawn from a random stream of their own, so
DynamoDB's faults for a seed stay the same.

The local stack installs one from ``CME_INJECT_FAULTS="conflict=0.2,throttle=0.1,seed=7"``
(also ``write_conflict=``, ``ses_throttle=``, ``ses_quota=``) with ``install_from_env()``.
"""

from __future__ import annotations

import binascii
import json
import os
import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from types import TracebackType
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.endpoint import Endpoint, convert_to_response_dict

ENV = "CME_INJECT_FAULTS"
SERVICE = "dynamodb"
TRANSACT_WRITE = "TransactWriteItems"
SINGLE_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
CONFLICT_REASON = {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}
THROTTLES = {
    "ThrottlingException": (
        "com.amazon.coral.availability#ThrottlingException",
        "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
        "scaling your table or index so please try again shortly. If exceptions persist, check if you "
        "have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html",
    ),
    "ProvisionedThroughputExceededException": (
        "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded. "
        "Consider increasing your provisioning level with the UpdateTable API.",
    ),
}

SES_SENDS = frozenset({"SendRawEmail", "SendEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail"})
SES_RATE_EXCEEDED = "Maximum sending rate exceeded."
SES_QUOTA_EXCEEDED = "Daily message quota exceeded."

_ENDPOINT: Any = Endpoint  # patched: its _do_get_response is private (untyped in the stubs)
_installed: FaultInjector | None = None
_install_lock = threading.Lock()


class _Body:
    """The ``raw`` of an AWSResponse: what urllib3 would hand botocore."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Any:
        yield self.data


class FaultInjector:
    """Answers a share of DynamoDB calls with a transaction conflict or a throttle.

    ``conflict``: probability that a TransactWriteItems is cancelled (one of its items
    ``TransactionConflict``). ``write_conflict``: probability that a PutItem, UpdateItem or
    DeleteItem is refused with ``TransactionConflictException`` (a transaction holds the item).
    ``throttle``: probability that any DynamoDB call is throttled.
    ``serialize``: run the calls that pass one at a time, as the local stack runs moto (in-process
    ``mock_aws`` checks conditions with no lock, so threads could both pass one).
    ``ses_throttle``: probability that an SES send is refused as over the send rate;
    ``ses_quota``: that it is refused as over the daily quota.
    """

    def __init__(
        self,
        conflict: float = 0.0,
        throttle: float = 0.0,
        seed: int = 0,
        serialize: bool = False,
        write_conflict: float = 0.0,
        ses_throttle: float = 0.0,
        ses_quota: float = 0.0,
    ) -> None:
        if not all(0.0 <= p <= 1.0 for p in (conflict, throttle, write_conflict, ses_throttle, ses_quota)):
            raise ValueError("fault probabilities are between 0 and 1")
        self.conflict = conflict
        self.throttle = throttle
        self.write_conflict = write_conflict
        self.ses_throttle = ses_throttle
        self.ses_quota = ses_quota
        self.seed = seed
        self.serialize = serialize
        self._random = random.Random(seed)  # noqa: S311 - reproducible faults; nothing secret
        self._ses_random = random.Random(f"ses-{seed}")  # noqa: S311 - SES's own stream
        self._lock = threading.Lock()
        self._serial = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._original: Callable[..., Any] | None = None

    # ------------------------------------------------------------------ install
    def install(self) -> FaultInjector:
        global _installed  # noqa: PLW0603 - one patch of botocore per process
        with _install_lock:
            if _installed is not None:
                raise RuntimeError("a FaultInjector is already installed")
            original = _ENDPOINT._do_get_response
            injector = self

            def _do_get_response(endpoint: Any, request: Any, operation_model: Any, context: Any) -> Any:
                return injector._respond(original, endpoint, request, operation_model, context)

            self._original = original
            _ENDPOINT._do_get_response = _do_get_response
            _installed = self
        return self

    def uninstall(self) -> None:
        global _installed  # noqa: PLW0603
        with _install_lock:
            if _installed is self and self._original is not None:
                _ENDPOINT._do_get_response = self._original
                _installed = None
                self._original = None

    def __enter__(self) -> FaultInjector:
        return self.install()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.uninstall()

    # ------------------------------------------------------------------ counts
    def counts(self) -> dict[str, int]:
        """DynamoDB ``calls`` and ``transactions`` seen (each botocore attempt); ``conflicts``
        (cancelled transactions), ``write_conflicts`` and ``throttles`` injected; SES sends seen
        (``ses_sends``), ``ses_throttles`` and ``ses_quota`` refusals injected."""
        zero = ("calls", "transactions", "conflicts", "write_conflicts", "throttles", "ses_sends", "ses_throttles")
        with self._lock:
            return {**dict.fromkeys(zero, 0), "ses_quota": 0, **self._counts}

    def reset_counts(self) -> None:
        with self._lock:
            self._counts.clear()

    # ------------------------------------------------------------------ the wrapper
    def _draw(self, operation: str) -> str | None:
        with self._lock:
            self._counts["calls"] += 1
            conflict_roll, throttle_roll = self._random.random(), self._random.random()
            if operation == TRANSACT_WRITE:
                self._counts["transactions"] += 1
                if conflict_roll < self.conflict:
                    self._counts["conflicts"] += 1
                    return "conflict"
            elif operation in SINGLE_WRITES and conflict_roll < self.write_conflict:
                self._counts["write_conflicts"] += 1
                return "write_conflict"
            if throttle_roll < self.throttle:
                self._counts["throttles"] += 1
                return self._random.choice(sorted(THROTTLES))
            return None

    def _draw_ses(self) -> str | None:
        with self._lock:
            self._counts["ses_sends"] += 1
            roll = self._ses_random.random()
            if roll < self.ses_quota:
                self._counts["ses_quota"] += 1
                return SES_QUOTA_EXCEEDED
            if roll < self.ses_quota + self.ses_throttle:
                self._counts["ses_throttles"] += 1
                return SES_RATE_EXCEEDED
            return None

    def _respond(
        self, original: Callable[..., Any], endpoint: Any, request: Any, operation_model: Any, context: Any
    ) -> Any:
        service = operation_model.service_model.service_name
        if service == "ses" and operation_model.name in SES_SENDS and (self.ses_throttle or self.ses_quota):
            refusal = self._draw_ses()
            if refusal is None:
                return original(endpoint, request, operation_model, context)
            return _ses_throttling(endpoint, operation_model, refusal), None
        if service != SERVICE:
            return original(endpoint, request, operation_model, context)
        fault = self._draw(operation_model.name)
        if fault is None:
            if not self.serialize:
                return original(endpoint, request, operation_model, context)
            with self._serial:
                return original(endpoint, request, operation_model, context)
        if fault == "conflict":
            body = self._cancellation(request)
        elif fault == "write_conflict":
            body = {
                "__type": "com.amazonaws.dynamodb.v20120810#TransactionConflictException",
                "message": CONFLICT_REASON["Message"],
            }
        else:
            kind, message = THROTTLES[fault]
            body = {"__type": kind, "message": message}
        return _answer(endpoint, operation_model, 400, body), None

    def _cancellation(self, request: Any) -> dict[str, Any]:
        """AWS's answer to a transaction one of whose items another transaction is writing."""
        try:
            items = len(json.loads(request.body or b"{}").get("TransactItems") or []) or 1
        except ValueError:
            items = 1
        with self._lock:
            hot = self._random.randrange(items)
        reasons: list[dict[str, str]] = [{"Code": "None"} for _ in range(items)]
        reasons[hot] = dict(CONFLICT_REASON)
        listed = ", ".join(r["Code"] for r in reasons)
        return {
            "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            "Message": f"Transaction cancelled, please refer cancellation reasons for specific reasons [{listed}]",
            "CancellationReasons": reasons,
        }


def _answer(endpoint: Any, operation_model: Any, status: int, payload: dict[str, Any]) -> tuple[Any, Any]:
    """(http response, parsed) for ``payload`` as DynamoDB sends it, parsed as botocore does."""
    body = json.dumps(payload).encode()
    headers: Any = {
        "x-amzn-RequestId": uuid.uuid4().hex.upper(),
        "x-amz-crc32": str(binascii.crc32(body) & 0xFFFFFFFF),
        "Content-Type": "application/x-amz-json-1.0",
        "Content-Length": str(len(body)),
    }
    return _parsed(endpoint, operation_model, AWSResponse(endpoint.host, status, headers, _Body(body)))


def _ses_throttling(endpoint: Any, operation_model: Any, message: str) -> tuple[Any, Any]:
    """(http response, parsed) of SES's Throttling refusal (its query protocol's XML error)."""
    request_id = str(uuid.uuid4())
    body = (
        '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">'
        f"<Error><Type>Sender</Type><Code>Throttling</Code><Message>{message}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
    headers: Any = {"x-amzn-RequestId": request_id, "Content-Type": "text/xml", "Content-Length": str(len(body))}
    return _parsed(endpoint, operation_model, AWSResponse(endpoint.host, 400, headers, _Body(body)))


def _parsed(endpoint: Any, operation_model: Any, response: AWSResponse) -> tuple[Any, Any]:
    response_dict = convert_to_response_dict(response, operation_model)
    parser = endpoint._response_parser_factory.create_parser(operation_model.service_model.resolved_protocol)
    parsed = parser.parse(response_dict, operation_model.output_shape)
    endpoint._add_modeled_error_fields(response_dict, parsed, operation_model, parser)
    return response, parsed


def parse(spec: str) -> dict[str, Any]:
    """``"conflict=0.2,throttle=0.1,seed=7"`` as FaultInjector's keyword arguments."""
    options: dict[str, Any] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        name, _, value = part.partition("=")
        name = name.strip()
        if name in ("conflict", "throttle", "write_conflict", "ses_throttle", "ses_quota"):
            options[name] = float(value)
        elif name == "seed":
            options[name] = int(value)
        else:
            raise ValueError(
                f"{ENV}: unknown option {name!r} (conflict, write_conflict, throttle, ses_throttle, ses_quota, seed)"
            )
    return options


def install_from_env(environ: dict[str, str] | None = None) -> FaultInjector | None:
    """Install an injector when ``CME_INJECT_FAULTS`` is set (the local stack, at start-up)."""
    spec = (os.environ if environ is None else environ).get(ENV, "").strip()
    if not spec:
        return None
    injector = FaultInjector(**parse(spec)).install()
    print(
        f"  faults:  injecting DynamoDB transaction conflicts ({injector.conflict:.0%}), "
        f"write conflicts ({injector.write_conflict:.0%}) and throttles ({injector.throttle:.0%}); "
        f"SES sends over the rate ({injector.ses_throttle:.0%}) and the daily quota ({injector.ses_quota:.0%}); "
        f"seed {injector.seed}",
        flush=True,
    )
    return injector
