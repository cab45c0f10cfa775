"""Installable on a phone, without a browser: the committed icons are what infra/tools/make_icons.py
draws from favicon.svg, every page links the manifest, the manifest's names and colours are the
portal's, the service worker pre-caches files that exist (and everything My Portal loads) and keeps
nothing under /api/, and the CSP, CloudFront and the local server let the worker and the manifest in."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image

from infra.local import cfn
from infra.tools import make_icons

WEB = cfn.ROOT / "web"
PAGES = sorted(WEB.glob("*.html"))
MANIFEST = json.loads((WEB / "manifest.webmanifest").read_text(encoding="utf-8"))
SW = (WEB / "sw.js").read_text(encoding="utf-8")
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
# the pages a learner opens first: sw.js must pre-cache them and everything they load
LEARNER_PAGES = ["/index.html", "/sign-in.html", "/portal.html", "/transcript.html"]


def css_variable(name: str) -> str:
    found = re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}});", (WEB / "styles.css").read_text(encoding="utf-8"))
    assert found, name
    return found.group(1).lower()


def precache() -> list[str]:
    block = re.search(r"const PRECACHE = \[(.*?)\];", SW, re.S)
    assert block
    return re.findall(r"'([^']+)'", block.group(1))


def shell_path() -> re.Pattern[str]:
    found = re.search(r"const SHELL_PATH = /(.+)/;", SW)
    assert found
    return re.compile(found.group(1).replace(r"\/", "/"))


def loads(page: str) -> set[str]:
    """What a page loads from the site: its scripts, stylesheets, icons and manifest, then every module they import."""
    html = (WEB / page.lstrip("/")).read_text(encoding="utf-8")
    head = html.split("</head>", 1)[0]
    todo = re.findall(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="(/[^"]+)"', head)
    seen: set[str] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        if path.endswith(".js"):
            source = (WEB / path.lstrip("/")).read_text(encoding="utf-8")
            for relative in re.findall(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)['"]\./([^'"]+)['"]""", source):
                todo.append(f"/js/{relative}")
    return seen


def test_the_committed_icons_are_what_the_script_draws(tmp_path: Path) -> None:
    assert make_icons.differences() == []  # pixels: the PNGs in web/icons are the favicon's
    first, second = tmp_path / "a", tmp_path / "b"
    make_icons.write(first)
    make_icons.write(second)
    for name in make_icons.OUTPUTS:  # the same bytes, run after run
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert sorted(p.name for p in (WEB / "icons").iterdir()) == sorted(make_icons.OUTPUTS)


def test_the_icons_are_drawn_from_the_favicon() -> None:
    drawing = make_icons.read_favicon()
    assert (drawing.width, drawing.height, drawing.background, drawing.radius) == (40, 40, "#0b7a75", 9)
    (fill, cross), *_ = drawing.shapes
    assert fill == "#ffffff" and len(cross) == 12 and cross[0] == (16, 8) and (32, 16) in cross
    icons = make_icons.icons()
    plain, maskable = icons["icon-512.png"], icons["icon-maskable-512.png"]
    teal, white = (0x0B, 0x7A, 0x75, 255), (255, 255, 255, 255)
    assert plain.getpixel((0, 0))[3] == 0 and plain.getpixel((40, 256)) == teal  # rounded corners
    assert maskable.getpixel((0, 0)) == teal and maskable.getpixel((256, 256)) == white  # full bleed
    # the maskable mark stays inside the safe zone (the centre circle of 40% radius)
    for x, y in [(x, y) for x in range(0, 512, 4) for y in range(0, 512, 4)]:
        if maskable.getpixel((x, y)) == white:
            assert (x - 256) ** 2 + (y - 256) ** 2 <= (0.4 * 512) ** 2


def test_the_favicon_reader_refuses_what_it_cannot_draw(tmp_path: Path) -> None:
    assert make_icons.path_polygons("m1 1 l2 0 v2 h-2z") == [[(1, 1), (3, 1), (3, 3), (1, 3)]]
    with pytest.raises(ValueError, match="path command 'C'"):
        make_icons.path_polygons("M0 0C1 1 2 2 3 3z")
    svg = tmp_path / "favicon.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><circle r="3"/></svg>')
    with pytest.raises(ValueError, match="<circle>"):
        make_icons.read_favicon(svg)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_page_links_the_manifest_and_the_theme_colour(page: Path) -> None:
    head = page.read_text(encoding="utf-8").split("</head>", 1)[0]
    assert '<link rel="manifest" href="/manifest.webmanifest">' in head
    assert f'<meta name="theme-color" content="{MANIFEST["theme_color"]}">' in head


def test_the_manifest_is_the_portals() -> None:
    shell = (WEB / "js" / "shell.js").read_text(encoding="utf-8")
    portal_name = re.search(r"export const PORTAL_NAME = '([^']+)'", shell)
    assert portal_name and MANIFEST["name"] == portal_name.group(1)
    assert 0 < len(MANIFEST["short_name"]) <= 12  # what a launcher shows under the icon
    assert (MANIFEST["start_url"], MANIFEST["scope"], MANIFEST["display"]) == ("/portal.html", "/", "standalone")
    assert MANIFEST["theme_color"] == css_variable("navy")  # the header's colour
    assert MANIFEST["background_color"] == css_variable("page")
    for icon in MANIFEST["icons"]:
        with Image.open(WEB / icon["src"].lstrip("/")) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"] and icon["type"] == "image/png"
    purposes = {(icon["purpose"], icon["sizes"]) for icon in MANIFEST["icons"]}
    assert {("any", "192x192"), ("any", "512x512"), ("maskable", "512x512")} <= purposes


def test_the_service_worker_precaches_the_learners_shell() -> None:
    listed = precache()
    assert len(listed) == len(set(listed))
    missing = [path for path in listed if not (WEB / path.lstrip("/")).is_file()]
    assert not missing, f"sw.js pre-caches files that do not exist (installing would fail): {missing}"
    needed = set().union(*(loads(page) for page in LEARNER_PAGES)) | set(LEARNER_PAGES)
    needed |= {icon["src"] for icon in MANIFEST["icons"]}
    assert needed <= set(listed), f"add to sw.js PRECACHE: {sorted(needed - set(listed))}"
    assert re.search(r"const CACHE = `cme-shell-\$\{VERSION\}`;", SW)


def test_the_service_worker_keeps_only_the_static_shell() -> None:
    pattern = shell_path()
    for path in precache():
        assert pattern.fullmatch(path), path
    for path in ["/portal.html", "/js/my-activities.js", "/icons/icon-192.png", "/styles.css"]:
        assert pattern.fullmatch(path)
    for path in ["/api/me", "/api/me/transcript", "/api/docs/docs.js", "/_local/outbox", "/sw.js", "/js/../api/me"]:
        assert not pattern.fullmatch(path), path
    # other origins (pre-signed S3 links) and anything but GET go to the network untouched
    assert "if (url.origin !== self.location.origin) return null;" in SW
    assert "if (request.method !== 'GET') return null;" in SW


def test_the_csp_lets_the_worker_and_the_manifest_in() -> None:
    from infra.local.server import security_headers

    directives = [part.split() for part in security_headers()["Content-Security-Policy"].split(";")]
    csp = {directive[0]: directive[1:] for directive in directives}
    assert csp["worker-src"] == ["'self'"] and csp["manifest-src"] == ["'self'"]


def test_cloudfront_never_keeps_the_service_worker() -> None:
    distribution = next(iter(cfn.resources("AWS::CloudFront::Distribution").values()))["Properties"]
    (behaviour,) = [b for b in distribution["DistributionConfig"]["CacheBehaviors"] if b["PathPattern"] == "/sw.js"]
    assert behaviour["TargetOriginId"] == "web" and behaviour["CachePolicyId"] == CACHING_DISABLED
    assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "SecurityHeadersPolicy"}
    from infra import web

    assert web.cache_control("sw.js") == "no-cache"  # how make deploy stores it (infra/tools/deploy.py)


def test_the_local_server_serves_the_manifest_and_the_worker_with_their_types() -> None:
    from infra.local.server import LocalStack

    stack = LocalStack(0)
    manifest = stack.static("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.mimetype == "application/manifest+json"
    worker = stack.static("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    icon = stack.static("/icons/icon-512.png")
    assert icon.status_code == 200 and icon.mimetype == "image/png"
