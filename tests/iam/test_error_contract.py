"""Every error a route answered during this run's tests is one it declares in openapi.json.

`make test` runs the whole suite first (the local gateway records each function's error
answers into build/replies/, in-process and on the local stack: infra/local/replies.py), then
this file. Each route declares, per error status, the codes it can answer with (its
``responses=`` in functions/*/app.py, and the HTTP edge's for its kind: docs/api.md "Reference").
"""

from __future__ import annotations

import json

from infra.local import replies
from infra.tools import openapi


def test_every_error_a_route_answered_is_declared() -> None:
    seen = replies.read()
    assert seen, "no error answers recorded: run the whole suite first (make test does)"
    document = json.loads(openapi.OUT.read_text(encoding="utf-8"))
    problems = replies.undeclared(seen, document)
    assert not problems, "answered but not declared (add the code to the route's responses=):\n" + "\n".join(problems)
