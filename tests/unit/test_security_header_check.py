"""make smoke's header check (infra.tools.site.security_header_problems): the answer's security
headers against template.yaml's SecurityHeadersPolicy, the bucket origins only the deployed
stack knows matched as origins."""

from __future__ import annotations

from infra.tools.site import content_security_policy_template, security_header_problems, security_headers

BUCKET = "https://cme-docs-1a2b.s3.amazonaws.com"
REGIONAL = "https://cme-docs-1a2b.s3.us-east-1.amazonaws.com"


def _as_cloudfront_sends() -> dict[str, str]:
    """The policy as CloudFront sends it: the template's CSP with the two bucket origins filled
    in, header names lower-case."""
    csp = content_security_policy_template()
    csp = csp.replace("https://${DocumentsBucket.RegionalDomainName}", REGIONAL)
    csp = csp.replace("https://${DocumentsBucket.DomainName}", BUCKET)
    headers = {**security_headers(), "Content-Security-Policy": csp}
    return {name.lower(): value for name, value in headers.items()}


def test_the_policy_as_cloudfront_and_the_local_server_send_it_passes() -> None:
    assert security_header_problems(_as_cloudfront_sends()) == []
    assert security_header_problems(security_headers("http://127.0.0.1:5000")) == []
    hsts = {**_as_cloudfront_sends(), "strict-transport-security": "max-age=63072000; preload; includeSubdomains"}
    assert security_header_problems(hsts) == []  # directive order and case are free


def test_a_missing_or_weaker_header_is_named() -> None:
    sent = _as_cloudfront_sends()
    del sent["x-content-type-options"]
    sent["x-frame-options"] = "SAMEORIGIN"
    sent["strict-transport-security"] = "max-age=300"
    problems = sorted(security_header_problems(sent))
    assert len(problems) == 3
    assert problems[0].startswith("Strict-Transport-Security is 'max-age=300'")
    assert problems[1].startswith("X-Frame-Options is 'SAMEORIGIN'")
    assert problems[2].startswith("no X-Content-Type-Options header")


def test_a_looser_csp_is_named() -> None:
    sent = _as_cloudfront_sends()
    loose = sent["content-security-policy"].replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    assert security_header_problems({**sent, "content-security-policy": loose}) == [
        "the CSP's script-src is \"'self' 'unsafe-inline'\", expected \"'self'\""
    ]
    wider = sent["content-security-policy"].replace(f"{BUCKET};", f"{BUCKET} https://evil.example;", 1)
    (problem,) = security_header_problems({**sent, "content-security-policy": wider})
    assert problem.startswith("the CSP's connect-src allows") and "https://evil.example" in problem
    no_frame = sent["content-security-policy"].replace("frame-ancestors 'none';", "")
    (problem,) = security_header_problems({**sent, "content-security-policy": no_frame})
    assert "directives are" in problem
    del sent["content-security-policy"]
    assert security_header_problems(sent) == ["no Content-Security-Policy header"]
