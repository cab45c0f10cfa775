"""Lambda SnapStart: the work done before the snapshot, and what each restore refreshes.

With SnapStart (template.yaml's Globals: ``AutoPublishAlias`` + ``SnapStart``), Lambda runs a
published version's init once, at deploy, runs the before-snapshot hooks, and snapshots the
memory. Every cold start after that restores the snapshot and runs the after-restore hooks
(``snapshot-restore-py``, the hooks' registry the Python runtime reads).

Each ``functions/*/app.py`` calls :func:`register` once, at import, with its resolver. That is
the only place this module reads the environment at import time: SnapStart is detected by
``AWS_LAMBDA_INITIALIZATION_TYPE == "snap-start"`` (what Lambda sets during a snapshot's init).
Without SnapStart (the local stack, the tests, the OpenAPI export, a function deployed with
SnapStart off) nothing is registered and everything stays lazy, made at first use.

Before the snapshot (:func:`before_snapshot`), so that no restored cold start pays for it:

- the settings (the environment of the published version, fixed for its life);
- the imports and objects the first request needs: Tracer and Metrics (the X-Ray SDK), every
  area of ``cme.platform.schemas`` (imported per area at first use without SnapStart), the
  PDF stack in functions that make PDFs (fpdf2, fontTools, uharfbuzz, segno, and the fonts
  parsed once: ``cme.records.pdf.fonts``), the libraries named by the function;
- every route's validation: Powertools' dependants and body fields (pydantic TypeAdapters, so
  the schemas' validators and serializers are built), and a dry ``resolve`` of a synthetic
  request that no route takes (the resolver's routing, middleware and JSON reply);
- the boto3 clients the function uses (``cme.platform.aws``; Secrets Manager's too in every function
  with a resolver, which checks the origin secret) and PynamoDB's connection of every table
  (botocore's service models, endpoint rules and credentials, which botocore refreshes when
  they near expiry), with no request to any AWS service.

Never a secret: the origin secret and the device-cookie key are read from Secrets Manager at
first use (``cme.platform.secrets``), after a restore, so no snapshot holds one (the environment and the
settings snapshotted name the secrets, never their values).

Both with and without SnapStart, :func:`register` ends the import with ``gc.freeze()``: the
modules, models and schemas an import makes live as long as the process, and without it the
first full collection (which a first request's allocations trigger) walks every one of them,
a few hundred milliseconds of a cold start. Before the snapshot the hook collects, then freezes.

After each restore (:func:`after_restore`), what must not be shared by every environment
restored from one snapshot: the ``random`` module and ``cme.platform.retry``'s jitter are seeded again
(``secrets``, ``uuid4`` and session tokens read ``os.urandom``, which is not snapshotted),
pooled HTTP connections (none should exist: no request is made before the snapshot) are
dropped, so a connection opened before it is never reused after, and any secret value held
(none should be) is forgotten, so a restored environment reads the secret afresh.
"""

from __future__ import annotations

import gc
import importlib
import os
import random
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cme.platform.models.base import BaseModel

#: Lambda's init type during a SnapStart snapshot's init ("on-demand" otherwise)
INIT_TYPE_VARIABLE = "AWS_LAMBDA_INITIALIZATION_TYPE"
SNAP_START = "snap-start"

#: the modules fpdf2's documents need, imported before the snapshot in PDF functions only
PDF_MODULES = (
    "fpdf",
    "fontTools.subset",
    "fontTools.ttLib",
    "uharfbuzz",
    "segno",
    "cme.records.pdf.fonts",
    "cme.records.pdf.certificate",
    "cme.records.pdf.transcript",
)

_state: dict[str, Any] = {"registered": False}


def enabled() -> bool:
    """Whether this process is the init of a SnapStart snapshot (the one environment read at import)."""
    return os.environ.get(INIT_TYPE_VARIABLE) == SNAP_START


def register(
    app: Any = None,
    *,
    pdf: bool = False,
    services: Iterable[str] = ("dynamodb",),
    modules: Iterable[str] = (),
) -> bool:
    """Register this function's hooks when SnapStart is on; True when it registered them.

    ``app``: the function's resolver (None for functions without one); ``pdf``: the function
    makes PDFs; ``services``: the boto3 clients it calls; ``modules``: what its first request
    imports lazily (e.g. ``"argon2"``).
    """
    gc.freeze()  # what the import made lives as long as the process: no collection scans it again
    if not enabled() or _state["registered"]:
        return False
    from snapshot_restore_py import register_after_restore, register_before_snapshot

    register_before_snapshot(before_snapshot, app, pdf=pdf, services=tuple(services), modules=tuple(modules))
    register_after_restore(after_restore)
    _state["registered"] = True
    return True


# ---------------------------------------------------------------- before the snapshot
def before_snapshot(
    app: Any = None, *, pdf: bool = False, services: tuple[str, ...] = ("dynamodb",), modules: tuple[str, ...] = ()
) -> None:
    """Everything that can be done before the snapshot (module docstring)."""
    from cme.platform import observability, schemas
    from cme.platform.settings import get_settings

    settings = get_settings()
    if settings.tracing:
        _ = observability.tracer
    _ = observability.metrics
    schemas.import_all()  # every area's shapes, whichever a later import would reach first
    for name in modules:
        importlib.import_module(name)
    if pdf:
        warm_pdf()
    if app is not None:
        warm_routes(app)
        services = (*services, "secretsmanager")  # lambda_entry checks the origin secret
    warm_clients(services)
    gc.collect()
    gc.freeze()  # the snapshot's objects are never scanned by a collection after a restore


def warm_pdf() -> None:
    """Import fpdf2 and its helpers, and parse the Unicode fonts once (shared by every document)."""
    for name in PDF_MODULES:
        importlib.import_module(name)
    from cme.records.pdf import fonts

    fonts.warm()  # DejaVu parsed (and its HarfBuzz face made) into the process-wide templates


def synthetic_event(method: str = "GET", path: str = "/api/__snapstart") -> dict[str, Any]:
    """A payload v2.0 event for a route no function has: resolved before the snapshot, it runs
    the resolver's routing, middleware and error reply, and no business logic."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "snapstart.invalid"},
        "requestContext": {
            "accountId": "snapstart",
            "apiId": "snapstart",
            "domainName": "snapstart.invalid",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": ""},
            "requestId": "snapstart",
            "routeKey": "$default",
            "stage": "$default",
            "time": "01/Jan/2026:00:00:00 +0000",
            "timeEpoch": 0,
        },
        "isBase64Encoded": False,
    }


def warm_routes(app: Any) -> int:
    """Build every route's validation (dependant, body field, response field) and resolve one
    synthetic request. Returns the number of routes warmed."""
    routes = list(getattr(app, "_static_routes", [])) + list(getattr(app, "_dynamic_routes", []))
    for route in routes:
        dependant = route.dependant
        _ = route.body_field
        for param in (*dependant.path_params, *dependant.query_params, *dependant.header_params):
            _ = param.type_  # the field's TypeAdapter is built with it
        if dependant.return_param is not None:
            _ = dependant.return_param.type_
    app.resolve(synthetic_event(), None)
    return len(routes)


def warm_clients(services: Iterable[str]) -> list[str]:
    """Create the function's boto3 clients and every table's PynamoDB connection, making no
    request (the credential chain and endpoint rules are resolved, nothing is sent)."""
    from cme.platform import aws
    from cme.platform.models.base import BaseModel

    made = []
    for service in dict.fromkeys(services):
        aws.client(service)
        made.append(service)
    for model in _models(BaseModel):
        if model.table_setting:
            _ = model._get_connection().connection.client
            made.append(model.__name__)
    return made


def _models(base: type[BaseModel]) -> list[type[BaseModel]]:
    import cme.platform.models.tables  # noqa: F401 - defines the models

    out: list[type[BaseModel]] = []
    pending: list[type[BaseModel]] = list(base.__subclasses__())
    while pending:
        cls = pending.pop()
        out.append(cls)
        pending.extend(cls.__subclasses__())
    return out


# ---------------------------------------------------------------- after each restore
def after_restore() -> None:
    """Refresh what every environment restored from one snapshot would otherwise share."""
    reseed()
    drop_connections()
    from cme.platform import secrets

    secrets.forget()


def reseed() -> None:
    """Seed ``random`` and every module-level ``random.Random`` of ours from ``os.urandom``."""
    random.seed()
    from cme.platform import retry

    retry.reseed()


def drop_connections() -> int:
    """Close pooled HTTP connections of the boto3 clients and PynamoDB connections made so far
    (they reconnect at their next request). Returns how many pools were cleared."""
    from cme.platform import aws
    from cme.platform.models.base import BaseModel

    clients: list[Any] = list(aws.made_clients())
    for model in _models(BaseModel):
        connection = getattr(model, "_connection", None)
        client = getattr(getattr(connection, "connection", None), "_client", None)
        if client is not None:
            clients.append(client)
    cleared = 0
    for client in clients:
        session = getattr(getattr(client, "_endpoint", None), "http_session", None)
        if session is not None:
            session.close()  # urllib3 pool managers are cleared; pools are made again on demand
            cleared += 1
    return cleared
