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
    authorized = {(r.method.lower(), r.path) for r in cfn.routes() if r.authorized}
    error = {
        "description": 'An error: {code, message, details?} (docs/api.md "Error codes")',
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorReply"}}},
    }
    for path, operations in merged["paths"].items():
        for method, operation in operations.items():
            if (method, path) in authorized:
                operation["security"] = [{"session": []}]
            responses = operation.setdefault("responses", {})
            for status in ("204",):
                if status in responses:
                    responses[status].pop("content", None)  # no body
            responses.pop("422", None)  # Powertools' own validation shape; ours is ErrorReply
            responses["4XX"] = error
            responses["503"] = {**error, "description": "A dependency failed; nothing was half-written; retry"}
    for unused in ("HTTPValidationError", "ValidationError"):
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
