"""The static site as CloudFront serves it: its list of files, what an unknown path gets, and
the security headers every answer carries.

Unknown site paths get ``web/404.html`` with status 404, and the API's own replies stay as
they are. Distribution-wide ``CustomErrorResponses`` would rewrite the API's 403 and 404
JSON too, so a CloudFront Function on the site's behaviour only (``infra/cloudfront/site.js``,
template.yaml's ``SiteFunction``) does it: on the viewer request it asks the bucket for
404.html in place of a path that is no file of the site, and on the viewer response it sets
that answer's status to 404. The function learns the site's files from the template
parameter ``SiteFiles``, which ``make deploy`` writes with :func:`site_files_parameter`.

The local server (``infra/local/server.py``) answers the same way with :func:`serve` and the
same :func:`site_files`, and sends :func:`security_headers`, read from the template's
``SecurityHeadersPolicy``; ``make smoke`` checks a deployed site against the same policy.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from infra.local import cfn

WEB = cfn.ROOT / "web"
FUNCTION_SOURCE = cfn.ROOT / "infra" / "cloudfront" / "site.js"
FUNCTION_RESOURCE = "SiteFunction"
PARAMETER = "SiteFiles"
PLACEHOLDER = "${" + PARAMETER + "}"
NOT_FOUND_PAGE = "404.html"
INDEX_PAGE = "index.html"
# CloudFormation: "parameter value ... 4,096 bytes"; CloudFront Functions: "function size 10 KB".
MAX_PARAMETER_BYTES = 4096
MAX_FUNCTION_BYTES = 10 * 1024
# What a name may hold: the function keeps the list in a JavaScript string and splits it on
# commas, and the parameter's AllowedPattern says the same.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*")


class SiteFilesError(ValueError):
    """The site's files cannot be given to the function: a name it cannot hold, or too many."""


def site_files(web: Path = WEB) -> list[str]:
    """Every file of the site: the paths of the files under ``web`` relative to it, with ``/``
    between parts, sorted. Hidden files and folders (a name starting with ``.``) are left out:
    they are no part of the site, and ``make deploy`` uploads exactly this list."""
    names = []
    for path in web.rglob("*"):
        relative = path.relative_to(web)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            names.append(relative.as_posix())
    return sorted(names)


def site_files_parameter(files: Iterable[str]) -> str:
    """The value of the template parameter ``SiteFiles`` for the site's ``files`` (as
    :func:`site_files` gives them): the names joined by commas, sorted, without duplicates.

    Raises :class:`SiteFilesError` when a name holds a character the function cannot keep
    (anything but letters, digits, ``. _ -`` and ``/`` between parts), when 404.html is not
    among them, or when the value does not fit (:func:`check_fits`).

    ``make deploy`` passes it as ``--parameter-overrides SiteFiles=<value>``, e.g.
    ``site_files_parameter(site_files())``.
    """
    names = sorted(set(files))
    bad = [name for name in names if not NAME.fullmatch(name)]
    if bad:
        raise SiteFilesError(
            f"site file names may hold only letters, digits, '.', '_', '-' and '/' between parts: {bad[:5]}"
        )
    if NOT_FOUND_PAGE not in names:
        raise SiteFilesError(f"the site has no {NOT_FOUND_PAGE}: unknown paths would have no page to show")
    value = ",".join(names)
    check_fits(value)
    return value


def function_source() -> str:
    """The function's code as kept in ``infra/cloudfront/site.js`` (and in template.yaml)."""
    return FUNCTION_SOURCE.read_text(encoding="utf-8")


def function_code(value: str) -> str:
    """The function's code as CloudFront receives it: ``Fn::Sub`` puts ``value`` (the
    ``SiteFiles`` parameter) in place of its reference."""
    return function_source().replace(PLACEHOLDER, value)


def check_fits(value: str) -> None:
    """Raises :class:`SiteFilesError` unless ``value`` fits both limits: a CloudFormation
    parameter value (4,096 bytes) and the function's code with it (CloudFront Functions, 10 KB)."""
    size = len(value.encode("utf-8"))
    if size > MAX_PARAMETER_BYTES:
        raise SiteFilesError(
            f"the {PARAMETER} parameter would be {size} bytes; CloudFormation takes at most {MAX_PARAMETER_BYTES}"
        )
    code = len(function_code(value).encode("utf-8"))
    if code > MAX_FUNCTION_BYTES:
        raise SiteFilesError(f"the site function would be {code} bytes; CloudFront takes at most {MAX_FUNCTION_BYTES}")


def serve(path: str, files: Collection[str]) -> tuple[str, int]:
    """What the site answers for the request path ``path`` (no query string) given its
    ``files``: the file to send and the status, as the CloudFront function does. ``/`` and a
    directory path mean its index.html; a path that is no file, and 404.html itself, get
    404.html with 404."""
    wanted = path + INDEX_PAGE if path.endswith("/") else path
    name = wanted.removeprefix("/")
    if wanted.startswith("/") and name in files and name != NOT_FOUND_PAGE:
        return name, 200
    return NOT_FOUND_PAGE, 404


# ---------------------------------------------------------------- security headers


def _security_config() -> dict[str, Any]:
    policies = cfn.resources("AWS::CloudFront::ResponseHeadersPolicy")
    (policy,) = policies.values()
    config: dict[str, Any] = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    return config


def content_security_policy_template() -> str:
    """The template's CSP, whitespace as one space, its ``${...}`` references (the documents
    bucket's domain names) left in."""
    policy = _security_config()["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    text = policy.get("Fn::Sub", "") if isinstance(policy, dict) else str(policy)
    return " ".join(text.split())


def content_security_policy(documents_origin: str = "") -> str:
    """The template's CSP with the documents bucket's origins (the browser uploads
    outside-credit certificates there) made ``documents_origin`` (left out when empty)."""
    text = re.sub(r"https://\$\{DocumentsBucket\.[A-Za-z]+\}", documents_origin, content_security_policy_template())
    directives = []
    for directive in text.split(";"):
        words = list(dict.fromkeys(directive.split()))  # the two bucket names are one origin locally
        if words:
            directives.append(" ".join(words))
    return "; ".join(directives)


def strict_transport_security() -> str:
    hsts = _security_config()["StrictTransportSecurity"]
    value = f"max-age={hsts['AccessControlMaxAgeSec']}"
    if hsts.get("IncludeSubdomains") in (True, "true"):
        value += "; includeSubDomains"
    if hsts.get("Preload") in (True, "true"):
        value += "; preload"
    return value


def security_headers(documents_origin: str = "") -> dict[str, str]:
    """The CloudFront response headers policy of template.yaml, as plain headers."""
    config = _security_config()
    return {
        "Content-Security-Policy": content_security_policy(documents_origin),
        "Strict-Transport-Security": strict_transport_security(),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": config["FrameOptions"]["FrameOption"],
        "Referrer-Policy": config["ReferrerPolicy"]["ReferrerPolicy"],
    }


def security_header_problems(headers: dict[str, str]) -> list[str]:
    """How the answer's ``headers`` (names in any case) differ from the template's policy, one
    sentence each; empty when they match. The CSP's bucket origins, which only the deployed
    stack knows, match any one origin (``scheme://host``) each."""
    got = {name.lower(): value for name, value in headers.items()}
    problems = []
    for name, expected in security_headers().items():
        if name == "Content-Security-Policy":
            continue
        value = got.get(name.lower())
        if value is None:
            problems.append(f"no {name} header (expected {expected!r})")
        elif _normalised(value, name) != _normalised(expected, name):
            problems.append(f"{name} is {value!r}, expected {expected!r}")
    csp = got.get("content-security-policy")
    if csp is None:
        problems.append("no Content-Security-Policy header")
    else:
        problems.extend(_csp_problems(csp))
    return problems


def _normalised(value: str, name: str) -> Any:
    if name == "Strict-Transport-Security":  # directives in any order and case
        return sorted(part.strip().lower() for part in value.split(";") if part.strip())
    return value.strip().lower() if name in ("X-Content-Type-Options", "X-Frame-Options") else value.strip()


def _directives(text: str) -> dict[str, list[str]]:
    out = {}
    for directive in text.split(";"):
        words = directive.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def _csp_problems(served: str) -> list[str]:
    origin = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d+)?")
    expected, got = _directives(content_security_policy_template()), _directives(served)
    problems = []
    if set(expected) != set(got):
        problems.append(f"the CSP's directives are {sorted(got)}, expected {sorted(expected)}")
    for name in sorted(set(expected) & set(got)):
        literal = [w for w in expected[name] if "${" not in w]
        references = [w for w in expected[name] if "${" in w]
        extra = [w for w in got[name] if w not in literal]
        if any(w not in got[name] for w in literal) or (references and not extra) or (extra and not references):
            problems.append(f"the CSP's {name} is {' '.join(got[name])!r}, expected {' '.join(expected[name])!r}")
        elif any(not origin.fullmatch(w) for w in extra) or len(extra) > len(references):
            problems.append(f"the CSP's {name} allows {' '.join(extra)!r}, expected the documents bucket only")
    return problems
