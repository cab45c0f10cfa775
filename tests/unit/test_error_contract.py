"""The check that holds the errors a test run saw against each route's declared codes
(infra/local/replies.py; run after the suite by tests/iam/test_error_contract.py)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from infra.local import replies
from infra.tools import openapi

ROUTE = "POST /api/me/claims"
SEEN = replies.Reply(ROUTE, 422, "CLAIM_WINDOW_CLOSED")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads(openapi.OUT.read_text(encoding="utf-8"))


def _without(document: dict[str, Any], route: str, status: int, code: str) -> dict[str, Any]:
    """The document with one code taken out of one route's declared list."""
    changed = copy.deepcopy(document)
    method, path = route.split(" ", 1)
    schema = changed["paths"][path][method.lower()]["responses"][str(status)]["content"]["application/json"]["schema"]
    schema["allOf"][1]["properties"]["code"]["enum"].remove(code)
    return changed


def test_a_declared_code_passes_and_fails_once_taken_out_of_the_routes_list(document: dict[str, Any]) -> None:
    fine = replies.Reply(ROUTE, 409, "ALREADY_CLAIMED")
    assert replies.undeclared({SEEN, fine}, document) == []
    assert replies.undeclared({SEEN, fine}, _without(document, ROUTE, 422, "CLAIM_WINDOW_CLOSED")) == [
        f"{ROUTE}: answered 422 CLAIM_WINDOW_CLOSED, which it does not declare"
    ]


def test_a_code_under_another_status_another_route_or_no_code_fails(document: dict[str, Any]) -> None:
    assert replies.undeclared({replies.Reply(ROUTE, 409, "CLAIM_WINDOW_CLOSED")}, document) == [
        f"{ROUTE}: answered 409 CLAIM_WINDOW_CLOSED, which it does not declare"
    ]
    assert replies.undeclared({replies.Reply("GET /api/settings", 422, "CLAIM_WINDOW_CLOSED")}, document) == [
        "GET /api/settings: answered 422 CLAIM_WINDOW_CLOSED, which it does not declare"
    ]
    assert replies.undeclared({replies.Reply(ROUTE, 502, replies.NO_CODE)}, document) == [
        f"{ROUTE}: answered 502 without a JSON {{code, message}}"
    ]
    assert replies.undeclared({replies.Reply("GET /api/nowhere", 404, "NOT_FOUND")}, document) == [
        "GET /api/nowhere: not in openapi.json (answered 404 NOT_FOUND)"
    ]


def test_the_edges_codes_are_declared_on_every_route_of_their_kind(document: dict[str, Any]) -> None:
    seen = {
        replies.Reply("GET /api/settings", 403, "FORBIDDEN"),  # not through CloudFront
        replies.Reply("GET /api/settings", 503, "SERVICE_UNAVAILABLE"),
        replies.Reply(ROUTE, 415, "UNSUPPORTED_MEDIA_TYPE"),
        replies.Reply("GET /api/admin/reports/status", 401, "SIGN_IN_REQUIRED"),
    }
    assert replies.undeclared(seen, document) == []
    assert replies.undeclared({replies.Reply("GET /api/settings", 415, "UNSUPPORTED_MEDIA_TYPE")}, document)


def _event(route: str) -> dict[str, Any]:
    return {"routeKey": route, "rawPath": route.split(" ", 1)[1]}


def _result(status: int, body: Any) -> dict[str, Any]:
    return {"statusCode": status, "body": json.dumps(body) if not isinstance(body, str) else body}


def test_each_process_records_each_error_answer_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(replies.DIRECTORY_VARIABLE, str(tmp_path))
    monkeypatch.setattr(replies, "_written", set())
    replies.record(_event(ROUTE), _result(422, {"code": "CLAIM_WINDOW_CLOSED", "message": "m"}))
    replies.record(_event(ROUTE), _result(422, {"code": "CLAIM_WINDOW_CLOSED", "message": "m"}))  # again
    replies.record(_event(ROUTE), _result(201, {"claim": {}}))  # a success: nothing
    replies.record(_event(ROUTE), _result(500, "Internal Server Error"))  # no JSON code
    replies.record({"Records": []}, _result(400, {"code": "X"}))  # not an HTTP event: nothing
    replies.record(_event(ROUTE), {"isAuthorized": True})  # the authorizer's verdict: nothing
    assert replies.read(tmp_path) == {SEEN, replies.Reply(ROUTE, 500, replies.NO_CODE)}
    assert len((tmp_path / next(p.name for p in tmp_path.iterdir())).read_text().splitlines()) == 2


def test_nothing_is_recorded_outside_the_tests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(replies.DIRECTORY_VARIABLE, raising=False)
    monkeypatch.setattr(replies, "_written", set())
    replies.record(_event(ROUTE), _result(422, {"code": "CLAIM_WINDOW_CLOSED", "message": "m"}))
    assert replies._written == set()


def test_every_route_declares_its_codes_through_the_one_helper() -> None:
    """Each route decorator in functions/ (handlers and Routers) passes
    ``responses=responses(...)`` (cme.runtime.resolver.responses), so a new route states its codes, even none."""
    import ast

    from infra.local import cfn

    routes, undeclared = 0, []
    for path in sorted((cfn.ROOT / "functions").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                if not (
                    isinstance(decorator, ast.Call)
                    and isinstance(decorator.func, ast.Attribute)
                    and decorator.func.attr in ("get", "post", "put", "delete", "patch")
                ):
                    continue
                routes += 1
                given = next((k.value for k in decorator.keywords if k.arg == "responses"), None)
                if not (isinstance(given, ast.Call) and getattr(given.func, "id", "") == "responses"):
                    undeclared.append(f"{path.relative_to(cfn.ROOT)}:{node.lineno} {node.name}")
    assert routes == len(cfn.routes())
    assert undeclared == []
