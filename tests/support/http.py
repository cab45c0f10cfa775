"""A small HTTP client for tests against the running local stack (no browser)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StackClient:
    base_url: str
    cookie: str | None = None
    last_headers: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.cookie:
            request.add_header("Cookie", f"cme_session={self.cookie}")
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status, raw, headers = answer.status, answer.read(), answer.headers
        except urllib.error.HTTPError as error:
            status, raw, headers = error.code, error.read(), error.headers
        for value in headers.get_all("Set-Cookie") or []:
            found = re.match(r"cme_session=([^;]*)", value)
            if found:
                self.cookie = found.group(1) or None
        self.last_headers = dict(headers.items())
        return status, json.loads(raw) if raw and headers.get_content_type() == "application/json" else raw

    def sign_in(self, email: str, password: str) -> None:
        status, body = self.call("POST", "/api/auth/sign-in", {"email": email, "password": password})
        assert status == 200, body

    def latest_link(self, to: str, page: str) -> str:
        """The newest link to ``page`` in the local outbox for ``to``."""
        status, body = StackClient(self.base_url).call("GET", "/_local/outbox.json")
        assert status == 200
        for message in reversed(body["messages"]):
            if to in message["to"]:
                found = re.search(rf"https?://[^\s\"]+/{re.escape(page)}\?token=[A-Za-z0-9_-]+", message["text"])
                if found:
                    return found.group(0)
        raise AssertionError(f"no {page} link for {to}")
