"""The edge in front of the API: only requests that came through the portal's CloudFront are
served, and the client is the viewer CloudFront names, not the address the API sees.

In AWS the API's ``requestContext.http.sourceIp`` is a CloudFront edge server, shared by
every viewer that edge serves. CloudFront forwards the viewer's own address in the
``CloudFront-Viewer-Address`` header (``198.51.100.10:46532``; IPv6 ``2001:db8::1:46532``:
the address, the last colon, the port), and adds the secret ``X-Origin-Verify`` header of the
distribution's origin settings (template parameter ``OriginSecret``). CloudFront overwrites
both when a viewer sends them itself, so through CloudFront neither can be forged; a request
made straight to the API's own address carries no valid secret.

The functions read the secret from Secrets Manager (``cme.platform.secrets``; the secret the env's
``ORIGIN_SECRET_ID`` names), which during a rotation holds the previous value too: both pass,
so no request is refused while CloudFront's new value reaches every edge.

Light on purpose (no Powertools event handler): the authorizer imports it too.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping

from cme.platform import secrets
from cme.platform.settings import get_settings

ORIGIN_VERIFY_HEADER = "x-origin-verify"
VIEWER_ADDRESS_HEADER = "cloudfront-viewer-address"
NOT_THROUGH_CLOUDFRONT = "This address answers only requests made through the portal's own site."
MAX_VIEWER_ADDRESS = 64  # the longest IPv6 text form, a colon and a port fit well within


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """A request header by name, whatever its case (API Gateway lower-cases them; tests may not)."""
    if not headers:
        return None
    if name in headers:
        return headers[name]
    return next((value for key, value in headers.items() if key.lower() == name), None)


def came_through_cloudfront(headers: Mapping[str, str] | None) -> bool:
    """Whether the request carries the origin secret CloudFront adds: its current value or,
    during a rotation, the previous one. A value that matches neither of those held makes one
    new read of the secret (a rotation this process has not seen yet; bounded, cme.platform.secrets).
    Fails closed: with no secret configured, nothing passes. Every accepted value is compared,
    each in the same time wherever it differs. Raises ``secrets.Unavailable`` when the secret
    cannot be read at all."""
    given = header(headers, ORIGIN_VERIFY_HEADER)
    secret_id = get_settings().origin_secret_id
    if not given or not secret_id:
        return False
    sent = given.encode("utf-8", "replace")
    if _matches(sent, secrets.get(secret_id)):
        return True
    again = secrets.refreshed(secret_id)
    return again is not None and _matches(sent, again)


def _matches(sent: bytes, secret: secrets.Rotating) -> bool:
    checks = [hmac.compare_digest(sent, value.encode("utf-8", "replace")) for value in secret.accepted()]
    return any(checks)


def viewer_address(value: str | None) -> str | None:
    """The viewer's IP address in ``CloudFront-Viewer-Address`` (port stripped, canonical
    form; an IPv4-mapped IPv6 address as the IPv4 address), or None when absent or garbled."""
    if not value or len(value) > MAX_VIEWER_ADDRESS:
        return None
    host, colon, port = value.strip().rpartition(":")
    if not colon or not host or not (port.isascii() and port.isdigit()) or int(port) > 65535:
        return None
    if host.startswith("[") and host.endswith("]"):  # bracketed IPv6, should it ever come so
        host = host[1:-1]
    if "%" in host:  # a zone id names a link on the viewer's side, not a viewer
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)
