"""Calls the API in-process through the local gateway (the same code `make run` serves):
template.yaml's routes, payload v2.0 events, the authorizer, then the function's handler."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from infra.local.gateway import Gateway


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw) if self.raw else None

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def set_cookies(self) -> list[str]:
        return [v for k, v in self.headers if k.lower() == "set-cookie"]


@dataclass
class ApiClient:
    gateway: Gateway
    source_ip: str = "198.51.100.7"
    cookies: dict[str, str] = field(default_factory=dict)
    # False: call the API's own address, not through CloudFront (no origin secret, no viewer
    # address; the API sees source_ip itself)
    via_cloudfront: bool = True

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        content_type: str | None = "application/json",
        headers: dict[str, str] | None = None,
        query: str = "",
        via_cloudfront: bool | None = None,
    ) -> Answer:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        sent = {"host": "127.0.0.1:3000", "user-agent": "pytest", **(headers or {})}
        if data and content_type:
            sent["content-type"] = content_type
        if self.cookies:
            sent["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        through = self.via_cloudfront if via_cloudfront is None else via_cloudfront
        reply = self.gateway.handle(method, path, query, sent, data, self.source_ip, via_cloudfront=through)
        answer = Answer(reply.status, reply.headers, reply.body)
        for cookie in answer.set_cookies:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "Max-Age=0" not in cookie:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return answer

    def get(self, path: str, **kw: Any) -> Answer:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Answer:
        return self.call("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Answer:
        return self.call("PUT", path, body, **kw)
