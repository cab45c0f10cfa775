"""The API's OpenAPI document, generated from every function's Powertools resolver and merged.

    python -m infra.tools.openapi            # write openapi.json
    python -m infra.tools.openapi --check    # exit 1 if openapi.json is not what the code says

Handlers are imported with no environment set (nothing reads it at import).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from infra.local import cfn, gateway

OUT = cfn.ROOT / "openapi.json"
LAYER = cfn.ROOT / "layers" / "common"


def resolvers() -> dict[str, Any]:
    """Each HTTP function's resolver (with its Routers: functions/publisher/routes), by logical id."""
    found = {}
    for name, function in sorted(cfn.functions().items()):
        module = gateway.load(function, f"cme_openapi_{name}")
        app = getattr(module, "app", None)
        if app is not None and hasattr(app, "get_openapi_schema"):
            found[name] = app
    return found


def document() -> dict[str, Any]:
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "CME Portal API",
            "version": "1.0.0",
            "description": 'The HTTP contract of the CME Portal (docs/api.md "Reference"). Generated from the Lambda '
            "functions' Powertools resolvers by infra/tools/openapi.py; do not edit by hand.",
        },
        "servers": [{"url": "/"}],
        "paths": {},
        "components": {
            "schemas": {},
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "cme_session"},
            },
        },
    }
    for app in resolvers().values():
        schema = json.loads(app.get_openapi_json_schema(title="CME Portal API", version="1.0.0"))
        for path, operations in schema.get("paths", {}).items():
            merged["paths"].setdefault(path, {}).update(operations)
        merged["components"]["schemas"].update(schema.get("components", {}).get("schemas", {}))
    from cme.runtime import resolver

    authorized = {(r.method.lower(), r.path) for r in cfn.routes() if r.authorized}
    for path, operations in merged["paths"].items():
        for method, operation in operations.items():
            if (method, path) in authorized:
                operation["security"] = [{"session": []}]
            responses = operation.setdefault("responses", {})
            for status in ("204",):
                if status in responses:
                    responses[status].pop("content", None)  # no body
            # the route's own codes (its responses=, cme.runtime.resolver.responses) and the HTTP edge's for
            # its kind; Powertools' own 422 (its validation shape; ours is ErrorReply) goes
            validated = "requestBody" in operation or any(
                p.get("in") == "query" for p in operation.get("parameters", [])
            )
            codes: set[str | tuple[str, int]] = set(resolver.edge_codes(method, path, validated))
            for status in [status for status in responses if int(status) >= 400]:
                # each code at the status the route declared it under (a code may have several)
                codes.update((code, int(status)) for code in resolver.declared_codes(responses.pop(status)))
            responses.update({str(status): answer for status, answer in resolver.error_responses(codes).items()})
    _add_referenced_models(merged)
    for unused in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):  # Powertools' shapes
        merged["components"]["schemas"].pop(unused, None)
    merged["components"]["schemas"]["ErrorReply"] = {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"},
            "message": {"type": "string", "minLength": 1},
            "details": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["field", "message"],
                    "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                },
            },
        },
    }
    merged["paths"] = dict(sorted(merged["paths"].items()))
    merged["components"]["schemas"] = dict(sorted(merged["components"]["schemas"].items()))
    return merged


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def _add_referenced_models(document: dict[str, Any]) -> None:
    """The schema of each ``cme.platform.schemas`` model a route references without Powertools knowing it
    (a body the route reads itself: cme.runtime.resolver.request_body), with the models it nests."""
    from cme.platform import schemas

    components = document["components"]["schemas"]
    for name in sorted(_refs(document["paths"]) - set(components)):
        schema = getattr(schemas, name).model_json_schema(ref_template="#/components/schemas/{model}")
        for nested, definition in schema.pop("$defs", {}).items():
            components.setdefault(nested, definition)
        components[name] = schema


def text() -> str:
    return json.dumps(document(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    fresh = text()
    if "--check" in argv:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != fresh:
            print("openapi.json is out of date: run `make openapi` and commit it.", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(fresh, encoding="utf-8")
    print(f"wrote {OUT.relative_to(cfn.ROOT)} ({len(document()['paths'])} paths)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
