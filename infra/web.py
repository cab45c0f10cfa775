"""How the static site's files (web/) are served: their content type, the same from the local
server and from S3 (``make deploy`` stores it with each object), and the ``Cache-Control`` that
``make deploy`` stores with each object.

Pages, scripts, styles, the manifest and the service worker are revalidated at every load
(``no-cache``: a browser or CloudFront may keep a copy, but asks S3 whether it changed), so a
redeploy is seen at the next page load: their names carry no content hash, and a page and the
ES modules it imports must come from one deploy. Images and icons change rarely and may be kept
for a day (``make deploy`` also invalidates CloudFront's copies at every deploy).
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

# The types the site's files need whatever the machine's mime.types says (a module script
# served as anything but JavaScript is refused by the browser).
_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain",
}
# text a browser decodes: stored in S3 with its charset (the site is UTF-8 throughout)
_TEXT = ("text/", "application/json", "application/manifest+json", "image/svg+xml")

REVALIDATE = "no-cache"
KEEP_A_DAY = "public, max-age=86400"
# only these may be kept without asking: anything else (a new kind of file) is revalidated
_KEPT_SUFFIXES = frozenset({".png", ".svg", ".ico", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".woff2", ".woff"})


def content_type(name: str) -> str:
    """A file's media type, without parameters (``text/javascript``)."""
    suffix = PurePosixPath(name).suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def stored_content_type(name: str) -> str:
    """The ``Content-Type`` stored with the file in S3: text with ``charset=utf-8``."""
    kind = content_type(name)
    return f"{kind}; charset=utf-8" if kind.startswith(_TEXT) else kind


def cache_control(name: str) -> str:
    """The ``Cache-Control`` stored with the file: images and fonts a day, the rest revalidated."""
    return KEEP_A_DAY if PurePosixPath(name).suffix.lower() in _KEPT_SUFFIXES else REVALIDATE
