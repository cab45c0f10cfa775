"""Coordinators' routes check the session and the role before the body (issue 12, part 7).

Without a session: 401 SIGN_IN_REQUIRED; a learner: 403 FORBIDDEN; both with the bodies the
contract gives, whatever the body or query holds. Only a coordinator's invalid body gets the
422 with the field list (which tells what the route takes).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.conftest import account
from tests.support.client import ApiClient

SIGN_IN_REQUIRED = {"code": "SIGN_IN_REQUIRED", "message": "You must sign in to your account"}
FORBIDDEN = {"code": "FORBIDDEN", "message": "This page is for the CME office's coordinators."}
# wrong in every field a coordinators' route reads
INVALID = {"title": "", "format": "podcast", "credits": "many", "rows": 5, "degree": "Wizard", "reason": 7}


def _admin_routes() -> list[tuple[str, str]]:
    from infra.local import cfn

    return [(r.method, re.sub(r"\{[^}]+\}", "x-1", r.path)) for r in cfn.routes() if r.path.startswith("/api/admin/")]


ADMIN_ROUTES = _admin_routes()
IDS = [f"{m} {p}" for m, p in ADMIN_ROUTES]


@pytest.fixture
def learner(client: ApiClient) -> ApiClient:
    assert client.post("/api/accounts", account()).status == 201
    return client


def _call(client: ApiClient, method: str, path: str) -> Any:
    body = INVALID if method in {"POST", "PUT", "PATCH"} else None
    return client.call(method, path, body, query="format=nonsense&limit=-1")


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES, ids=IDS)
def test_no_session_is_401_before_the_body_is_read(new_client: Any, method: str, path: str) -> None:
    answer = _call(new_client(), method, path)
    assert (answer.status, answer.json) == (401, SIGN_IN_REQUIRED)


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES, ids=IDS)
def test_a_learner_is_403_before_the_body_is_read(learner: ApiClient, method: str, path: str) -> None:
    answer = _call(learner, method, path)
    assert (answer.status, answer.json) == (403, FORBIDDEN)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/admin/activities"),
        ("PUT", "/api/admin/activities/x-1"),
        ("PUT", "/api/admin/learners/x-1/degree"),
    ],
)
def test_a_coordinator_gets_the_field_list(admin: ApiClient, method: str, path: str) -> None:
    answer = admin.call(method, path, INVALID)
    assert answer.status == 422 and answer.json["code"] == "VALIDATION_FAILED", answer.json
    assert answer.json["details"] and all({"field", "message"} <= set(d) for d in answer.json["details"])


def test_the_refusals_come_before_the_size_and_media_type_checks(new_client: Any, learner: ApiClient) -> None:
    form = {"raw": b"title=x", "content_type": "application/x-www-form-urlencoded"}
    assert new_client().call("POST", "/api/admin/activities", **form).json == SIGN_IN_REQUIRED
    assert learner.call("POST", "/api/admin/activities", **form).json == FORBIDDEN
    deep = b"[" * 1000 + b"]" * 1000
    assert learner.call("PUT", "/api/admin/activities/x-1", raw=deep).json == FORBIDDEN
