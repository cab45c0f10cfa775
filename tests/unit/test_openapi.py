"""The committed OpenAPI document is what the resolvers say (no drift), and covers every route."""

from __future__ import annotations

import json

from infra.local import cfn
from infra.tools import openapi


def test_committed_document_matches_the_code() -> None:
    assert openapi.OUT.read_text(encoding="utf-8") == openapi.text(), "run `make openapi` and commit openapi.json"


def test_every_template_route_is_documented() -> None:
    documented = json.loads(openapi.OUT.read_text(encoding="utf-8"))["paths"]
    for route in cfn.routes():
        assert route.method.lower() in documented.get(route.path, {}), route.route_key


def test_each_function_answers_exactly_its_own_routes() -> None:
    """A function's resolver (its Routers included) takes the routes template.yaml sends it and no
    other: a route moved to another function (the public ones to CatalogueFunction) leaves none behind."""
    sent: dict[str, set[tuple[str, str]]] = {}
    for route in cfn.routes():
        sent.setdefault(route.function, set()).add((route.method.lower(), route.path))
    for name, app in openapi.resolvers().items():
        paths = app.get_openapi_schema().paths or {}
        answered = {
            (method, path)
            for path, item in paths.items()
            for method in ("get", "put", "post", "delete")
            if getattr(item, method)
        }
        assert answered == sent.get(name, set()), name


def test_each_error_answer_is_an_error_reply_with_its_routes_codes() -> None:
    """Per route and error status: ErrorReply with ``code`` an enum of registered codes of that
    status (cme.runtime.resolver.responses); no catch-all 4XX."""
    from cme.platform import errors

    document = json.loads(openapi.OUT.read_text(encoding="utf-8"))
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            failures = {status: answer for status, answer in operation["responses"].items() if status[0] in "45"}
            assert "4XX" not in failures and {"403", "503"} <= set(failures), (method, path)
            for status, answer in failures.items():
                schema = answer["content"]["application/json"]["schema"]
                assert schema["allOf"][0]["$ref"] == "#/components/schemas/ErrorReply"
                codes = schema["allOf"][1]["properties"]["code"]["enum"]
                assert codes and all(int(status) in errors.statuses_of(code) for code in codes), (method, path)


def test_the_document_has_exactly_the_template_routes() -> None:
    """What each operation answers is declared per route; which operations there are is the
    template's (nothing more, nothing less)."""
    document = json.loads(openapi.OUT.read_text(encoding="utf-8"))
    operations = sorted(f"{method.upper()} {path}" for path, ops in document["paths"].items() for method in ops)
    assert operations == sorted(route.route_key for route in cfn.routes())


def test_every_reference_names_a_schema_of_the_document() -> None:
    """A schema a route references by name (a body it reads itself, a reply it builds) is in
    components (the claims report's ClaimReportReply was once referenced and missing)."""
    document = json.loads(openapi.OUT.read_text(encoding="utf-8"))
    refs = openapi._refs(document)
    assert "ClaimReportReply" in refs and "ErrorReply" in refs
    assert {ref for ref in refs if ref not in document["components"]["schemas"]} == set()


def test_the_roster_declares_a_body_for_every_content_type_it_takes() -> None:
    """The roster import reads its body itself (JSON rows, a CSV file or an Excel workbook): its
    request body lists each media type cme.runtime.resolver.lambda_entry lets through to it."""
    from cme.publishing import rosters

    document = json.loads(openapi.OUT.read_text(encoding="utf-8"))
    body = document["paths"]["/api/admin/activities/{activity_id}/attendance"]["post"]["requestBody"]
    assert set(body["content"]) == {"application/json", *rosters.MEDIA_TYPES}
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/RosterIn"}
    assert "RosterRow" in document["components"]["schemas"]  # the model RosterIn nests
