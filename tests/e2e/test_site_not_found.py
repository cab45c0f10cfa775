"""Through the local stack's HTTP server, as CloudFront answers in AWS: a path that is no file of
the site gets web/404.html with status 404 and the security headers; the API's own 404 and 403
replies stay JSON; the API's own address (not through CloudFront) refuses."""

from __future__ import annotations

import pytest

from cme.runtime.cloudfront import NOT_THROUGH_CLOUDFRONT
from infra.local.seed import DEMO_PASSWORD
from infra.tools.site import WEB, security_header_problems
from tests.support.http import StackClient

pytestmark = pytest.mark.e2e

NOT_FOUND_PAGE = (WEB / "404.html").read_bytes()


@pytest.mark.parametrize("path", ["/no-such-page.html", "/deeper/missing/path", "/js/", "/js/nope.js", "/404.html"])
def test_a_path_that_is_no_file_of_the_site_gets_the_404_page_with_404(base_url: str, path: str) -> None:
    client = StackClient(base_url)
    status, body = client.call("GET", path)
    assert status == 404 and body == NOT_FOUND_PAGE
    assert client.last_headers["Content-Type"].startswith("text/html")
    assert security_header_problems(client.last_headers) == []


@pytest.mark.parametrize(("path", "file"), [("/", "index.html"), ("/portal.html", "portal.html"), ("/sw.js", "sw.js")])
def test_the_site_files_are_served(base_url: str, path: str, file: str) -> None:
    client = StackClient(base_url)
    status, body = client.call("GET", path)
    assert status == 200 and body == (WEB / file).read_bytes()
    assert security_header_problems(client.last_headers) == []


def test_the_apis_own_404s_stay_json(base_url: str) -> None:
    client = StackClient(base_url)
    # a path with no route: API Gateway's own answer, not the site's page
    status, body = client.call("GET", "/api/no-such-route")
    assert status == 404 and body == {"message": "Not Found"}
    assert client.last_headers["Content-Type"] == "application/json"
    # a route with nothing at its address: the API's {code, message}
    status, body = client.call("GET", "/api/activities/no-such-activity")
    assert status == 404 and body["code"] == "NOT_FOUND" and body["message"]
    assert security_header_problems(client.last_headers) == []


def test_the_apis_403_stays_json(base_url: str) -> None:
    learner = StackClient(base_url)
    learner.sign_in("learner@example.org", DEMO_PASSWORD)
    status, body = learner.call("GET", "/api/admin/activities")
    assert status == 403 and body["code"] == "FORBIDDEN" and body["message"]
    assert learner.last_headers["Content-Type"] == "application/json"


def test_the_apis_own_address_refuses_what_did_not_come_through_cloudfront(base_url: str) -> None:
    direct = StackClient(base_url + "/_local/execute-api")
    status, body = direct.call("GET", "/api/activities")
    assert status == 403 and body == {"code": "FORBIDDEN", "message": NOT_THROUGH_CLOUDFRONT}
    status, _ = StackClient(base_url).call("GET", "/api/activities")  # the same through "CloudFront"
    assert status == 200
