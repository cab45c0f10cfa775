"""Records every error a route answers during the tests, and holds them against openapi.json.

Each route declares, per error status, the codes it can answer with (docs/api.md "Reference").
The local gateway hands every function's result here (``record``, in-process and on the local
stack alike); each process appends the ``(route, status, code)`` triples it has not written yet
to its own file under ``$CME_REPLIES_DIR`` (build/replies/ in the tests, like the AWS calls
under build/aws-calls/). ``undeclared`` lists those a route does not declare:
tests/iam/test_error_contract.py runs it after the whole suite.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local import cfn

#: Environment variable naming the directory where each process appends what it records.
DIRECTORY_VARIABLE = "CME_REPLIES_DIR"
DEFAULT_RECORDS = cfn.ROOT / "build" / "replies"
NO_CODE = ""  # an error reply without a JSON {code}: itself a break of the contract


@dataclass(frozen=True, order=True)
class Reply:
    """One error answer: the route (``"POST /api/me/claims"``), its status and its ``code``."""

    route: str
    status: int
    code: str


_written: set[Reply] = set()
_lock = threading.Lock()


def _code(result: dict[str, Any]) -> str:
    raw = result.get("body") or ""
    try:
        text = base64.b64decode(raw).decode() if result.get("isBase64Encoded") else raw
        body = json.loads(text)
    except ValueError:
        return NO_CODE
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) and code else NO_CODE


def record(event: dict[str, Any], result: Any) -> None:
    """Note the error a route's function answered (nothing for a success, an event that is no
    HTTP request, or when no directory is set: the local stack outside the tests)."""
    directory = os.environ.get(DIRECTORY_VARIABLE)
    route = event.get("routeKey") if isinstance(event, dict) else None
    if not directory or not route or not isinstance(result, dict):
        return
    status = int(result.get("statusCode") or 0)
    if status < 400:
        return
    reply = Reply(str(route), status, _code(result))
    with _lock:
        if reply in _written:
            return
        _written.add(reply)
        Path(directory).mkdir(parents=True, exist_ok=True)
        with (Path(directory) / f"replies-{os.getpid()}.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(reply.__dict__) + "\n")


def read(directory: Path = DEFAULT_RECORDS) -> set[Reply]:
    """Every reply the processes of the last run recorded."""
    found: set[Reply] = set()
    for path in sorted(directory.glob("replies-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                found.add(Reply(**json.loads(line)))
    return found


def declared(document: dict[str, Any]) -> dict[str, dict[int, set[str]]]:
    """Route -> error status -> the codes its OpenAPI operation declares (the ``code`` enum)."""
    routes: dict[str, dict[int, set[str]]] = {}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            statuses = routes.setdefault(f"{method.upper()} {path}", {})
            for status, answer in operation.get("responses", {}).items():
                if not status.isdigit() or int(status) < 400:
                    continue
                schema = ((answer.get("content") or {}).get("application/json") or {}).get("schema") or {}
                for part in schema.get("allOf", [schema]):
                    enum = part.get("properties", {}).get("code", {}).get("enum", [])
                    statuses.setdefault(int(status), set()).update(enum)
    return routes


def undeclared(seen: Iterable[Reply], document: dict[str, Any]) -> list[str]:
    """The replies whose route does not declare that code under that status, as lines a person
    reads (an empty list: every error the run saw is in the contract)."""
    routes = declared(document)
    problems = []
    for reply in sorted(set(seen)):
        statuses = routes.get(reply.route)
        if statuses is None:
            problems.append(f"{reply.route}: not in openapi.json (answered {reply.status} {reply.code})")
        elif reply.code == NO_CODE:
            problems.append(f"{reply.route}: answered {reply.status} without a JSON {{code, message}}")
        elif reply.code not in statuses.get(reply.status, set()):
            problems.append(f"{reply.route}: answered {reply.status} {reply.code}, which it does not declare")
    return problems
