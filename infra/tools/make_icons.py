"""The home-screen icons of web/manifest.webmanifest, drawn from web/favicon.svg (the results are committed).

    python -m infra.tools.make_icons            # writes web/icons/*.png
    python -m infra.tools.make_icons --check    # exit 1 when the committed icons differ from the favicon

Pillow cannot read SVG, and the favicon is one rounded square and one path of straight lines, so
this reads exactly that (a <rect> with rx and fill, and <path>s of M/L/H/V/Z commands, absolute
or relative) and draws it: at 4 times the size, then scaled down, for smooth edges. Anything else
in the favicon is refused, so a redrawn favicon cannot silently give stale icons.

The maskable icon fills its whole square with the favicon's background (the launcher cuts its own
shape) and keeps the mark inside the safe zone, the centre circle of 40% radius.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[2]
FAVICON = ROOT / "web" / "favicon.svg"
ICONS = ROOT / "web" / "icons"
SVG = "{http://www.w3.org/2000/svg}"
SUPERSAMPLE = 4
SAFE_ZONE_RADIUS = 0.4  # of the icon's size: what every launcher's mask keeps
# file name -> (size in pixels, maskable)
OUTPUTS: dict[str, tuple[int, bool]] = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "icon-maskable-512.png": (512, True),
}

Point = tuple[float, float]


@dataclass(frozen=True)
class Drawing:
    """The favicon: its view box, the rounded background square and the mark's polygons."""

    width: float
    height: float
    background: str
    radius: float
    shapes: list[tuple[str, list[Point]]]


def _number(value: str | None, what: str) -> float:
    if value is None:
        raise ValueError(f"favicon.svg: {what} is missing")
    return float(value)


def path_polygons(data: str) -> list[list[Point]]:
    """The polygons of an SVG path made of straight lines only (M, L, H, V, Z; upper or lower case)."""
    tokens = re.findall(r"[A-Za-z]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", data)
    polygons: list[list[Point]] = []
    current: list[Point] = []
    x = y = 0.0
    command = ""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.isalpha():
            command = token
            index += 1
            if command in "Zz":
                if current:
                    polygons.append(current)
                    x, y = current[0]
                current = []
            elif command not in "MmLlHhVv":
                raise ValueError(f"favicon.svg: path command {command!r} is not drawn by make_icons.py")
            continue
        if command in "Mm":
            dx, dy = float(tokens[index]), float(tokens[index + 1])
            index += 2
            if current:
                polygons.append(current)
            x, y = (x + dx, y + dy) if command == "m" else (dx, dy)
            current = [(x, y)]
            command = "l" if command == "m" else "L"  # further pairs are line-tos
        elif command in "Ll":
            dx, dy = float(tokens[index]), float(tokens[index + 1])
            index += 2
            x, y = (x + dx, y + dy) if command == "l" else (dx, dy)
            current.append((x, y))
        elif command in "Hh":
            value = float(tokens[index])
            index += 1
            x = x + value if command == "h" else value
            current.append((x, y))
        elif command in "Vv":
            value = float(tokens[index])
            index += 1
            y = y + value if command == "v" else value
            current.append((x, y))
        else:
            raise ValueError(f"favicon.svg: a number {token!r} before any path command")
    if current:
        polygons.append(current)
    return polygons


def read_favicon(source: Path = FAVICON) -> Drawing:
    root = ET.fromstring(source.read_text(encoding="utf-8"))  # noqa: S314 (the repository's own favicon)
    view_box = [float(part) for part in root.attrib["viewBox"].split()]
    if view_box[:2] != [0.0, 0.0]:
        raise ValueError("favicon.svg: the view box must start at 0 0")
    background = ""
    radius = 0.0
    shapes: list[tuple[str, list[Point]]] = []
    for element in root:
        tag = element.tag.removeprefix(SVG)
        if tag == "rect" and not background:
            if _number(element.get("width"), "rect width") != view_box[2] or element.get("x") or element.get("y"):
                raise ValueError("favicon.svg: the first rect must cover the whole view box")
            background = element.attrib["fill"]
            radius = float(element.get("rx", "0"))
        elif tag == "path":
            fill = element.attrib["fill"]
            shapes.extend((fill, polygon) for polygon in path_polygons(element.attrib["d"]))
        else:
            raise ValueError(f"favicon.svg: <{tag}> is not drawn by make_icons.py")
    if not background or not shapes:
        raise ValueError("favicon.svg: expected a background rect and at least one path")
    return Drawing(view_box[2], view_box[3], background, radius, shapes)


def render(drawing: Drawing, size: int, maskable: bool) -> Image.Image:
    """The icon at size x size pixels (RGBA; a maskable one is opaque to its edges)."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    scale = big / drawing.width
    offset = 0.0
    if maskable:
        draw.rectangle((0, 0, big, big), fill=drawing.background)
        # the mark's farthest point from the centre must sit inside the safe zone
        centre = drawing.width / 2
        reach = max(
            ((px - centre) ** 2 + (py - centre) ** 2) ** 0.5 for _, polygon in drawing.shapes for px, py in polygon
        )
        fit = min(1.0, SAFE_ZONE_RADIUS * drawing.width / reach)
        scale *= fit
        offset = big * (1 - fit) / 2
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=drawing.radius * scale, fill=drawing.background)
    for fill, polygon in drawing.shapes:
        draw.polygon([(offset + px * scale, offset + py * scale) for px, py in polygon], fill=fill)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def icons(source: Path = FAVICON) -> dict[str, Image.Image]:
    drawing = read_favicon(source)
    return {name: render(drawing, size, maskable) for name, (size, maskable) in OUTPUTS.items()}


def write(target: Path = ICONS) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, image in icons().items():
        path = target / name
        image.save(path, format="PNG", optimize=True)
        written.append(path)
    return written


def differences(target: Path = ICONS) -> list[str]:
    """The committed icons whose pixels differ from what the favicon draws (pixels, not bytes: zlib may vary)."""
    stale = []
    for name, image in icons().items():
        path = target / name
        if not path.is_file():
            stale.append(f"{name}: missing")
            continue
        with Image.open(path) as saved:
            if saved.size != image.size or saved.convert("RGBA").tobytes() != image.tobytes():
                stale.append(f"{name}: differs from favicon.svg")
    return stale


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        stale = differences()
        for line in stale:
            print(line, file=sys.stderr)
        return 1 if stale else 0
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    for path in write():
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
