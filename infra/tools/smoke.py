"""`make smoke URL=https://...`: the seed's path against a deployed stack, with a throwaway learner.

    python -m infra.tools.smoke https://d1234abcd.cloudfront.net

Walks: the public catalogue, Create Account, My portal, My activities, Sign Out, Sign In,
My portal again, Sign Out, and checks that the signed-out session's cookie no longer works.
Each step prints its status and time; the first unexpected answer stops the walk with its
body and exit status 1.

The learner's email is on the SES mailbox simulator (success+smoke-...@simulator.amazonses.com):
SES accepts it even in its sandbox, delivers it nowhere, and it counts against no quota. What
the walk leaves behind is what any learner who signs up and never confirms would: see README
("Deploy to AWS").

Standard library only (urllib), so it runs with any Python 3.11+. The session cookie is
``Secure``; a cookie jar would not send it back over ``http://`` (the local stack), so the
cookies are kept here by name.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any

SESSION_COOKIE = "cme_session"
TIMEOUT_SECONDS = 30.0
BODY_SHOWN = 1000


class SmokeFailure(Exception):
    """An unexpected answer: the walk stops here."""


@dataclass
class Answer:
    status: int
    body: bytes
    elapsed_ms: float
    set_cookies: list[str]

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def text(self) -> str:
        shown = self.body[:BODY_SHOWN].decode("utf-8", errors="replace")
        return shown + ("..." if len(self.body) > BODY_SHOWN else "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to report (an http:// URL, a wrong path), not to follow."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Client:
    """One visitor: its cookies, sent back by name whatever the scheme."""

    def __init__(self, base_url: str) -> None:
        if not base_url.startswith(("https://", "http://")):
            raise ValueError(f"not an http(s) address: {base_url}")
        self.base_url = base_url.rstrip("/")
        self.cookies: dict[str, str] = {}
        self._opener = urllib.request.build_opener(_NoRedirect)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, cookie: str | None = None) -> Answer:
        headers = {"Accept": "application/json", "User-Agent": "cme-portal-smoke/1"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        sent = cookie if cookie is not None else "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if sent:
            headers["Cookie"] = sent
        url = self.base_url + path  # http(s) only: checked in __init__
        request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
        started = time.perf_counter()
        try:
            with self._opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                status, payload, set_cookies = response.status, response.read(), response.headers.get_all("Set-Cookie")
        except urllib.error.HTTPError as error:
            status, payload, set_cookies = error.code, error.read(), error.headers.get_all("Set-Cookie")
        except (urllib.error.URLError, OSError) as error:
            raise SmokeFailure(f"{method} {path}: no answer from {self.base_url} ({error})") from error
        answer = Answer(status, payload, (time.perf_counter() - started) * 1000, list(set_cookies or []))
        self._keep(answer.set_cookies)
        return answer

    def _keep(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(header)
            except CookieError:
                continue
            for name, morsel in jar.items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


class Walk:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.steps = 0
        self.total_ms = 0.0

    def step(
        self,
        method: str,
        path: str,
        expect: int,
        body: dict[str, Any] | None = None,
        cookie: str | None = None,
        note: str = "",
    ) -> Answer:
        self.steps += 1
        answer = self.client.call(method, path, body, cookie)
        self.total_ms += answer.elapsed_ms
        line = f"{self.steps:>2}. {method:<4} {path:<22} {answer.status}  {answer.elapsed_ms:7.0f} ms"
        print(f"{line}  {note}".rstrip(), flush=True)
        if answer.status != expect:
            raise SmokeFailure(f"expected {expect}, got {answer.status}; the body:\n{answer.text()}")
        return answer

    def check(self, ok: bool, what: str, answer: Answer) -> None:
        if not ok:
            raise SmokeFailure(f"{what}; the body:\n{answer.text()}")


def throwaway_learner() -> dict[str, str]:
    stamp = f"{int(time.time())}-{secrets.token_hex(2)}"
    return {
        "email": f"success+smoke-{stamp}@simulator.amazonses.com",
        "password": secrets.token_urlsafe(24),
        "first_name": "Smoke",
        "last_name": "Check",
        "degree": "Other",
        "phone": "(480) 555-0100",
    }


def run(base_url: str) -> int:
    client = Client(base_url)
    walk = Walk(client)
    learner = throwaway_learner()
    email, password = learner["email"], learner["password"]
    print(f"Smoke test of {client.base_url} as {email}", flush=True)
    try:
        catalogue = walk.step("GET", "/api/activities", 200, note="the public catalogue")
        activities = (catalogue.json() or {}).get("activities")
        walk.check(isinstance(activities, list), "the catalogue has no activities list", catalogue)

        created = walk.step("POST", "/api/accounts", 201, body=learner, note="Create Account")
        profile = (created.json() or {}).get("learner") or {}
        walk.check(profile.get("email") == email, "the new account is not the one asked for", created)
        walk.check(SESSION_COOKIE in client.cookies, f"no {SESSION_COOKIE} cookie after Create Account", created)
        learner_id = profile.get("learner_id")

        me = walk.step("GET", "/api/me", 200, note="My portal")
        walk.check((me.json() or {}).get("learner_id") == learner_id, "My portal shows another learner", me)

        mine = walk.step("GET", "/api/me/activities", 200, note="My activities")
        walk.check(isinstance((mine.json() or {}).get("activities"), list), "no activities list", mine)

        signed_out = walk.step("POST", "/api/auth/sign-out", 204, note="Sign Out")
        walk.check(SESSION_COOKIE not in client.cookies, "Sign Out did not clear the cookie", signed_out)

        credentials = {"email": email, "password": password}
        signed_in = walk.step("POST", "/api/auth/sign-in", 200, body=credentials, note="Sign In")
        walk.check(SESSION_COOKIE in client.cookies, f"no {SESSION_COOKIE} cookie after Sign In", signed_in)
        session = client.cookies[SESSION_COOKIE]

        again = walk.step("GET", "/api/me", 200, note="My portal, signed in again")
        walk.check((again.json() or {}).get("learner_id") == learner_id, "Sign In opened another account", again)

        walk.step("POST", "/api/auth/sign-out", 204, note="Sign Out")
        walk.step(
            "GET",
            "/api/me",
            401,
            cookie=f"{SESSION_COOKIE}={session}",
            note="the signed-out session's cookie is refused",
        )
    except SmokeFailure as failure:
        print(f"FAILED at step {walk.steps}: {failure}", file=sys.stderr, flush=True)
        return 1
    print(f"OK: {walk.steps} steps, {walk.total_ms:.0f} ms in all. Left behind: the learner {email} (unverified).")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.tools.smoke",
        description="The seed's path (catalogue, create account, my portal, sign out/in) with a throwaway learner.",
    )
    parser.add_argument("url", help="the site's address, e.g. https://d1234abcd.cloudfront.net (the SiteUrl output)")
    url = parser.parse_args(argv).url
    if not url.startswith(("https://", "http://")):
        parser.error("the URL starts with https:// (or http:// for the local stack)")
    return run(url)


if __name__ == "__main__":
    sys.exit(main())
