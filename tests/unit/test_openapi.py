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


def test_errors_are_documented_in_the_contract_shape() -> None:
    document = json.loads(openapi.OUT.read_text(encoding="utf-8"))
    for operations in document["paths"].values():
        for operation in operations.values():
            assert operation["responses"]["4XX"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorReply")
