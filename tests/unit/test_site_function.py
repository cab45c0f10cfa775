"""The site's 404 at the edge: the CloudFront Function (infra/cloudfront/site.js) run under node
with CloudFront's events, the template that deploys it (the same code, on the site's behaviour
only), and the SiteFiles parameter make deploy writes (infra/tools/site.py)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra.local import cfn
from infra.tools import site

# Runs CloudFront's handler the way CloudFront Functions does: the code as deployed (the
# parameter written in), one event at a time, the returned request or response printed.
HARNESS = """
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const handler = new Function(input.code + '\\nreturn handler;')();
process.stdout.write(JSON.stringify(input.events.map((event) => handler(event))));
"""
FILES = ["404.html", "index.html", "portal.html", "js/api.js", "icons/icon-192.png", "sw.js", "docs/index.html"]


def _event(kind: str, uri: str, status: int = 200) -> dict[str, Any]:
    event: dict[str, Any] = {
        "version": "1.0",
        "context": {"eventType": kind, "distributionId": "EDFDVBD6EXAMPLE", "requestId": "r"},
        "viewer": {"ip": "198.51.100.11"},
        "request": {"method": "GET", "uri": uri, "querystring": {}, "headers": {}, "cookies": {}},
    }
    if kind == "viewer-response":
        event["response"] = {"statusCode": status, "statusDescription": "OK", "headers": {}, "cookies": {}}
    return event


def _run(value: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    assert node, "node is needed to run the CloudFront Function (apt-get install nodejs; make test installs it)"
    payload = json.dumps({"code": site.function_code(value), "events": events})
    done = subprocess.run([node, "-e", HARNESS], input=payload, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


def _edge(value: str, uris: list[str]) -> dict[str, tuple[str, int]]:
    """What CloudFront answers for each path: the object the request asks the bucket for (the
    viewer-request function's uri) and the status the viewer gets (the viewer-response function
    on the bucket's 200). The response event carries the path as the viewer sent it."""
    requests = _run(value, [_event("viewer-request", uri) for uri in uris])
    responses = _run(value, [_event("viewer-response", uri) for uri in uris])
    return {uri: (req["uri"], res["statusCode"]) for uri, req, res in zip(uris, requests, responses, strict=True)}


def test_a_known_file_passes_and_an_unknown_path_gets_the_404_page_with_404() -> None:
    value = site.site_files_parameter(FILES)
    answers = _edge(value, ["/js/api.js", "/", "/portal.html", "/docs/", "/nope.html", "/js/", "/js", "/js/../x"])
    assert answers["/js/api.js"] == ("/js/api.js", 200)
    assert answers["/portal.html"] == ("/portal.html", 200)
    assert answers["/"] == ("/index.html", 200)  # as DefaultRootObject does
    assert answers["/docs/"] == ("/docs/index.html", 200)  # a directory path: its index.html
    for unknown in ["/nope.html", "/js/", "/js", "/js/../x"]:
        assert answers[unknown] == ("/404.html", 404), unknown


def test_the_404_status_holds_whichever_path_the_response_event_carries() -> None:
    """The viewer-response event's request may hold the rewritten path (/404.html) or the one
    the viewer sent: both give 404. A 304 (the browser's copy is current) stays a 304, and the
    page asked for by name is a 404 too."""
    value = site.site_files_parameter(FILES)
    out = _run(
        value,
        [
            _event("viewer-response", "/404.html"),
            _event("viewer-response", "/no/such/page"),
            _event("viewer-response", "/no/such/page", status=304),
            _event("viewer-response", "/index.html"),
        ],
    )
    assert [(r["statusCode"], r.get("statusDescription")) for r in out] == [
        (404, "Not Found"),
        (404, "Not Found"),
        (304, "OK"),
        (200, "OK"),
    ]


def test_an_empty_file_list_leaves_every_path_as_asked() -> None:
    """make deploy-guided without SiteFiles: the bucket answers as before the function."""
    answers = _edge("", ["/js/api.js", "/anything.html", "/"])
    assert answers == {
        "/js/api.js": ("/js/api.js", 200),
        "/anything.html": ("/anything.html", 200),
        "/": ("/index.html", 200),
    }


def test_the_local_server_answers_every_path_as_the_edge_does() -> None:
    """infra.tools.site.serve (the local server) and the function agree, path by path."""
    value = site.site_files_parameter(FILES)
    paths = ["/", "/index.html", "/docs/", "/js/api.js", "/sw.js", "/404.html", "/nope", "/js/", "/icons/", "/a/b/c.js"]
    edge = _edge(value, paths)
    for path in paths:
        name, status = site.serve(path, FILES)
        assert (f"/{name}", status) == edge[path], path


def test_the_template_deploys_this_code_with_the_file_list_written_in() -> None:
    function = cfn.template()["Resources"][site.FUNCTION_RESOURCE]
    assert function["Type"] == "AWS::CloudFront::Function"
    props = function["Properties"]
    assert props["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0" and props["AutoPublish"] is True
    assert props["FunctionCode"] == {"Fn::Sub": site.function_source()}
    # Fn::Sub would fill any other ${...} too (and refuse an unknown name): the list is the only one
    assert re.findall(r"\$\{[^}]*\}", site.function_source()) == [site.PLACEHOLDER]
    assert site.PARAMETER in cfn.template()["Parameters"]


def test_the_function_is_on_the_site_behaviour_only() -> None:
    config = next(iter(cfn.resources("AWS::CloudFront::Distribution").values()))["Properties"]["DistributionConfig"]
    arn = {"Fn::GetAtt": [site.FUNCTION_RESOURCE, "FunctionARN"]}
    default = config["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == "web"
    assert sorted((a["EventType"], json.dumps(a["FunctionARN"])) for a in default["FunctionAssociations"]) == [
        ("viewer-request", json.dumps(arn)),
        ("viewer-response", json.dumps(arn)),
    ]
    # /api/* keeps the API's own 403 and 404 JSON: no function there, and no distribution-wide
    # error pages that would rewrite them
    for behaviour in config["CacheBehaviors"]:
        assert "FunctionAssociations" not in behaviour, behaviour["PathPattern"]
    assert "CustomErrorResponses" not in config


def test_the_parameter_lists_the_site_and_fits_the_template() -> None:
    files = site.site_files()
    assert {"404.html", "index.html", "sw.js", "js/api.js", "icons/icon-192.png"} <= set(files)
    value = site.site_files_parameter(files)
    assert value.split(",") == sorted(files)
    pattern = cfn.template()["Parameters"][site.PARAMETER]["AllowedPattern"]
    assert re.fullmatch(pattern, value) and re.fullmatch(pattern, "")
    assert len(value.encode()) <= site.MAX_PARAMETER_BYTES
    assert len(site.function_code(value).encode()) <= site.MAX_FUNCTION_BYTES


def test_site_files_are_the_files_under_web_less_hidden_ones(tmp_path: Path) -> None:
    for name in ["404.html", "js/app.js", "icons/a.png", ".DS_Store", ".git/config", "js/.cache"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert site.site_files(tmp_path) == ["404.html", "icons/a.png", "js/app.js"]


@pytest.mark.parametrize("name", ["a,b.html", "it's.html", "a b.html", "x/../y.js", "/abs.js", "ü.html", "a\\b.js"])
def test_a_name_the_function_cannot_hold_is_refused(name: str) -> None:
    with pytest.raises(site.SiteFilesError, match="may hold only"):
        site.site_files_parameter(["404.html", name])


def test_a_site_without_its_404_page_is_refused() -> None:
    with pytest.raises(site.SiteFilesError, match=r"no 404\.html"):
        site.site_files_parameter(["index.html"])


def test_a_list_past_cloudformations_limit_is_refused() -> None:
    many = ["404.html"] + [f"pages/page-{n:04d}.html" for n in range(200)]  # about 4.6 KB
    with pytest.raises(site.SiteFilesError, match="4096"):
        site.site_files_parameter(many)


def test_code_past_cloudfront_functions_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    padding = "// " + "x" * (site.MAX_FUNCTION_BYTES - 40) + "\n"
    monkeypatch.setattr(site, "function_source", lambda: padding + "var FILES = '" + site.PLACEHOLDER + "';")
    with pytest.raises(site.SiteFilesError, match="10240"):
        site.check_fits("404.html,index.html,portal.html,styles.css")
