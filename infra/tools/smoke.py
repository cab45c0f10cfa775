"""`make smoke URL=https://... [API_URL=https://...]`: the seed's path against a deployed stack,
with a throwaway learner.

    python -m infra.tools.smoke https://d1234abcd.cloudfront.net [--api-url https://abc.execute-api...]

Walks: the home page and a page that does not exist (web/404.html with status 404), each with
the security headers of template.yaml's SecurityHeadersPolicy; the public catalogue (with the
same headers), Create Account, My portal, My activities, Sign Out, Sign In, My portal again,
Sign Out, and checks that the signed-out session's cookie no longer works. With ``--api-url``
(the stack's ApiUrl output) a request straight to the API's own address is refused (403, the
API's NOT_THROUGH_CLOUDFRONT message). With ``SMOKE_CLAIM=1`` in the environment, a coordinator
(``SMOKE_ADMIN_EMAIL`` and ``SMOKE_ADMIN_PASSWORD``: a confirmed account named in AdminEmails;
a learner cannot claim before confirming an email, which the throwaway learner never does)
creates a throwaway activity, puts itself on its roster, claims it, downloads the certificate
(a PDF), and takes the activity off the catalogue; what that leaves behind is printed at the end
and docs/operations.md "`make smoke`" says how to delete it.
Each step prints its status and time; the first unexpected answer stops the walk with its
body and exit status 1.

The learner's email is on the SES mailbox simulator (success+smoke-...@simulator.amazonses.com):
SES accepts it even in its sandbox, delivers it nowhere, and it counts against no quota. What
the walk leaves behind is what any learner who signs up and never confirms would: see
docs/operations.md "`make smoke`".

HTTP with the standard library (urllib); the expected headers and messages come from the
project (template.yaml, web/404.html, cme.runtime.cloudfront), so it runs in the project's environment
(``make smoke``). The session cookie is ``Secure``; a cookie jar would not send it back over
``http://`` (the local stack), so the cookies are kept here by name.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookies import CookieError, SimpleCookie
from typing import Any

from infra.tools.site import NOT_FOUND_PAGE, WEB, security_header_problems

SESSION_COOKIE = "cme_session"
TIMEOUT_SECONDS = 30.0
BODY_SHOWN = 1000
LAYER = WEB.parent / "layers" / "common"
CLAIM_SWITCH = "SMOKE_CLAIM"
ADMIN_EMAIL = "SMOKE_ADMIN_EMAIL"
ADMIN_PASSWORD = "SMOKE_ADMIN_PASSWORD"


class SmokeFailure(Exception):
    """An unexpected answer: the walk stops here."""


@dataclass
class Answer:
    status: int
    body: bytes
    elapsed_ms: float
    set_cookies: list[str]
    headers: dict[str, str] = field(default_factory=dict)

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
        return self.fetch(method, self.base_url + path, body, cookie)

    def fetch(self, method: str, url: str, body: dict[str, Any] | None = None, cookie: str | None = None) -> Answer:
        """``url`` (http or https) with this visitor's cookies, unless it is another site's
        (a pre-signed S3 link), which gets none."""
        if not url.startswith(("https://", "http://")):
            raise SmokeFailure(f"not an http(s) address: {url}")
        headers = {"Accept": "application/json", "User-Agent": "cme-portal-smoke/1"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        own = url.startswith(self.base_url + "/")
        sent = cookie if cookie is not None else "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if sent and own:
            headers["Cookie"] = sent
        request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 - http(s) only
        started = time.perf_counter()
        try:
            with self._opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                status, payload, got = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, payload, got = error.code, error.read(), error.headers
        except (urllib.error.URLError, OSError) as error:
            shown = url.split("?", 1)[0]  # a pre-signed link's query is a credential
            raise SmokeFailure(f"{method} {shown}: no answer ({error})") from error
        set_cookies = list(got.get_all("Set-Cookie") or [])
        answer = Answer(status, payload, (time.perf_counter() - started) * 1000, set_cookies, dict(got.items()))
        if own:
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
        client: Client | None = None,
        url: str | None = None,
    ) -> Answer:
        """One request by ``client`` (the learner's by default) to ``path`` on its site, or to
        ``url`` (shown as ``path``)."""
        self.steps += 1
        visitor = client or self.client
        answer = visitor.fetch(method, url, body, cookie) if url else visitor.call(method, path, body, cookie)
        self.total_ms += answer.elapsed_ms
        line = f"{self.steps:>2}. {method:<4} {path:<22} {answer.status}  {answer.elapsed_ms:7.0f} ms"
        print(f"{line}  {note}".rstrip(), flush=True)
        if answer.status != expect:
            raise SmokeFailure(f"expected {expect}, got {answer.status}; the body:\n{answer.text()}")
        return answer

    def check(self, ok: bool, what: str, answer: Answer) -> None:
        if not ok:
            raise SmokeFailure(f"{what}; the body:\n{answer.text()}")

    def check_headers(self, answer: Answer, where: str) -> None:
        """The security headers of template.yaml's SecurityHeadersPolicy, as CloudFront adds them."""
        problems = security_header_problems(answer.headers)
        if problems:
            raise SmokeFailure(
                f"{where}: the security headers differ from template.yaml's policy: " + "; ".join(problems)
            )


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


@dataclass(frozen=True)
class Coordinator:
    """The coordinator account SMOKE_CLAIM works as (confirmed, named in AdminEmails)."""

    email: str
    password: str = field(repr=False)


def not_found_title() -> str:
    """The <title> of web/404.html: what an unknown page must show."""
    page = (WEB / NOT_FOUND_PAGE).read_text(encoding="utf-8")
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    return found.group(1).strip() if found else ""


def not_through_cloudfront() -> str:
    """The message the API refuses a request with when it did not come through CloudFront."""
    if str(LAYER) not in sys.path:
        sys.path.insert(0, str(LAYER))
    from cme.runtime.cloudfront import NOT_THROUGH_CLOUDFRONT

    return NOT_THROUGH_CLOUDFRONT


def throwaway_activity(stamp: str) -> dict[str, Any]:
    """Published (a claim needs it; taken off the catalogue again at the end), held two days ago
    (so ended, wherever the office's today is), a certificate of participation that any degree
    may claim, no evaluation."""
    held = (date.today() - timedelta(days=2)).isoformat()
    return {
        "title": f"Smoke check {stamp}: delete me",
        "description": 'Made by make smoke (SMOKE_CLAIM=1). Delete it: see docs/operations.md "`make smoke`".',
        "format": "live",
        "start_date": held,
        "end_date": held,
        "location": "",
        "credits": [{"type": "PARTICIPATION", "max": 0.25}],
        "claim_window_days": 30,
        "evaluation": [],
        "published": True,
    }


def coordinator_from_env() -> Coordinator | None:
    """SMOKE_CLAIM=1 with SMOKE_ADMIN_EMAIL and SMOKE_ADMIN_PASSWORD: the coordinator; None
    when SMOKE_CLAIM is off. Raises SystemExit (status 2) when one of the two is missing."""
    if os.environ.get(CLAIM_SWITCH, "") in ("", "0"):
        return None
    email, password = os.environ.get(ADMIN_EMAIL, ""), os.environ.get(ADMIN_PASSWORD, "")
    if not email or not password:
        raise SystemExit(
            f"{CLAIM_SWITCH}=1 needs a coordinator: set {ADMIN_EMAIL} and {ADMIN_PASSWORD} (a confirmed "
            'account named in the AdminEmails parameter; docs/operations.md "`make smoke`")'
        )
    return Coordinator(email, password)


def check_site(walk: Walk) -> None:
    home = walk.step("GET", "/", 200, note="the home page, with the security headers")
    walk.check_headers(home, "the home page")
    missing = f"/smoke-no-such-page-{secrets.token_hex(3)}.html"
    page = walk.step("GET", missing, 404, note=f"a page that does not exist: {NOT_FOUND_PAGE}")
    title = not_found_title()
    walk.check(bool(title) and title in page.text(), f"the 404 answer is not {NOT_FOUND_PAGE} ({title!r})", page)
    walk.check_headers(page, f"the {NOT_FOUND_PAGE} answer")


def check_direct_api(walk: Walk, api_url: str) -> None:
    direct = Client(api_url)
    refused = walk.step("GET", "/api/activities", 403, client=direct, note="straight to the API's own address: refused")
    expected = {"code": "FORBIDDEN", "message": not_through_cloudfront()}
    walk.check(refused.json() == expected, f"the refusal is not {expected}", refused)


def claim_and_download(walk: Walk, base_url: str, admin: Coordinator) -> list[str]:
    """The claim path as a coordinator; what it leaves behind, one line each."""
    office = Client(base_url)
    credentials = {"email": admin.email, "password": admin.password}
    signed_in = walk.step(
        "POST", "/api/auth/sign-in", 200, body=credentials, client=office, note="the smoke coordinator"
    )
    learner_id = ((signed_in.json() or {}).get("learner") or {}).get("learner_id")
    stamp = f"{int(time.time())}-{secrets.token_hex(2)}"
    body = throwaway_activity(stamp)
    created = walk.step("POST", "/api/admin/activities", 201, body=body, client=office, note="a throwaway activity")
    activity_id = ((created.json() or {}).get("activity") or {}).get("activity_id")
    walk.check(isinstance(activity_id, str), "no activity_id for the new activity", created)
    roster = {"rows": [{"email": admin.email, "first_name": "Smoke", "last_name": "Check"}]}
    path = f"/api/admin/activities/{activity_id}/attendance"
    added = walk.step("POST", path, 200, body=roster, client=office, note="the coordinator on its roster")
    walk.check((added.json() or {}).get("added") == 1, "the roster did not take the coordinator", added)
    claim_body: dict[str, Any] = {
        "activity_id": activity_id,
        "credit_type": "PARTICIPATION",
        "credits": 0.25,
        "evaluation": {},
        "attestation": True,
    }
    claimed = walk.step("POST", "/api/me/claims", 201, body=claim_body, client=office, note="a claim")
    claim = (claimed.json() or {}).get("claim") or {}
    claim_id = claim.get("claim_id")
    walk.check(isinstance(claim_id, str), "no claim_id for the claim", claimed)
    path = f"/api/me/claims/{claim_id}/certificate"
    link = walk.step("GET", path, 200, client=office, note="the certificate's link")
    url = (link.json() or {}).get("url")
    walk.check(isinstance(url, str) and url.startswith(("https://", "http://")), "no certificate link", link)
    pdf = walk.step("GET", "(certificate link)", 200, client=office, url=url, note="the certificate")
    walk.check(pdf.body.startswith(b"%PDF-"), "the certificate is not a PDF", pdf)
    body["published"] = False
    path = f"/api/admin/activities/{activity_id}"
    walk.step("PUT", path, 200, body=body, client=office, note="the activity off the catalogue")
    walk.step("POST", "/api/auth/sign-out", 204, client=office, note="Sign Out (coordinator)")
    return [
        f"the activity {activity_id} ({body['title']!r}, unpublished) with {admin.email} on its roster",
        f"the claim {claim_id} of {admin.email} (learner_id {learner_id}) on it, and its certificate "
        f"{claim.get('certificate_code')} (certificates/{learner_id}/{claim_id}.pdf in the documents bucket)",
    ]


def run(
    base_url: str,
    api_url: str | None = None,
    admin: Coordinator | None = None,
) -> int:
    client = Client(base_url)
    walk = Walk(client)
    learner = throwaway_learner()
    email, password = learner["email"], learner["password"]
    print(f"Smoke test of {client.base_url} as {email}", flush=True)
    left = [f"the learner {email} (unverified)"]
    try:
        check_site(walk)
        catalogue = walk.step("GET", "/api/activities", 200, note="the public catalogue")
        activities = (catalogue.json() or {}).get("activities")
        walk.check(isinstance(activities, list), "the catalogue has no activities list", catalogue)
        walk.check_headers(catalogue, "the API's answer")

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
        if api_url:
            check_direct_api(walk, api_url)
        if admin is not None:
            left += claim_and_download(walk, base_url, admin)
    except SmokeFailure as failure:
        print(f"FAILED at step {walk.steps}: {failure}", file=sys.stderr, flush=True)
        return 1
    print(f"OK: {walk.steps} steps, {walk.total_ms:.0f} ms in all. Left behind: " + "; ".join(left) + ".")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.tools.smoke",
        description=(
            "The site (security headers, the 404 page) and the seed's path (catalogue, create account, my portal, "
            "sign out/in) with a throwaway learner; SMOKE_CLAIM=1 adds a claim and a certificate as a coordinator."
        ),
    )
    parser.add_argument("url", help="the site's address, e.g. https://d1234abcd.cloudfront.net (the SiteUrl output)")
    parser.add_argument(
        "--api-url",
        default="",
        help="the API's own address (the ApiUrl output): a request straight to it must be refused",
    )
    args = parser.parse_args(argv)
    for address in (args.url, args.api_url):
        if address and not address.startswith(("https://", "http://")):
            parser.error("an address starts with https:// (or http:// for the local stack)")
    return run(args.url, args.api_url or None, coordinator_from_env())


if __name__ == "__main__":
    sys.exit(main())
