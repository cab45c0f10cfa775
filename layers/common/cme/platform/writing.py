"""The writing systems certificates and transcripts print, and which font prints each character.

One fact, two users: the PDF code (cme.records.pdf.fonts) loads a font only for the characters that need
it, and the profile rule (cme.platform.normalize.name_problems) accepts a name only if every character can
be printed. Both read cme/records/pdf/fonts/scripts.json, written by infra/tools/make_script_fonts.py from
the committed fonts (a unit test checks it still matches them). No font is opened here, and
nothing heavier than json is imported: the profile function uses this at every save.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MANIFEST = Path(__file__).parents[1] / "records" / "pdf" / "fonts" / "scripts.json"
SUPPORTED = "Latin, Greek, Cyrillic, Chinese, Japanese, Korean, Arabic, Hebrew, Devanagari or Thai"


@dataclass(frozen=True)
class ScriptFont:
    family: str  # the fpdf2 family name, e.g. "noto-arabic"
    script: str  # what it is for, e.g. "Arabic"
    regular: str  # file names, relative to cme/records/pdf/fonts
    bold: str


@dataclass(frozen=True)
class _Table:
    starts: list[int]
    ends: list[int]
    fonts: list[ScriptFont]  # the font of each range


@cache
def _table() -> _Table:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    rows: list[tuple[int, int, ScriptFont]] = []
    for entry in manifest["fonts"]:
        font = ScriptFont(entry["family"], entry["script"], entry["files"][""], entry["files"]["B"])
        rows += [(low, high, font) for low, high in entry["ranges"]]
    rows.sort(key=lambda row: row[0])
    return _Table([row[0] for row in rows], [row[1] for row in rows], [row[2] for row in rows])


def font_for(codepoint: int) -> ScriptFont | None:
    """The font that prints this character, or None when no font of the portal has it."""
    table = _table()
    index = bisect_right(table.starts, codepoint) - 1
    if index >= 0 and codepoint <= table.ends[index]:
        return table.fonts[index]
    return None


def printable(char: str) -> bool:
    return font_for(ord(char)) is not None


def fonts() -> list[ScriptFont]:
    """Every font in the manifest, DejaVu first."""
    return list(dict.fromkeys(_table().fonts))
