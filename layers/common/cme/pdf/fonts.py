"""The Unicode fonts, parsed once per process and embedded whole.

fpdf2 parses a TTF again for every document (``add_font``), then subsets it with fontTools
when it writes the file: about 125 ms a certificate with the full DejaVu Sans. Here:

- the fonts are already small subsets of DejaVu Sans (Latin with Vietnamese, Greek, Cyrillic:
  see infra/tools/make_font_subset.py), so they are embedded whole: their glyph ids are
  stable, and the bytes written are the file's own bytes;
- each font is parsed once per process; a document gets a cheap copy of the parsed font
  (fpdf2's own ``__deepcopy__``, which shares the parsed tables) and a ``_WholeFont`` that
  fontTools' subsetter leaves alone and that saves the cached file bytes.
"""

from __future__ import annotations

import copy
import io
from functools import cache
from pathlib import Path
from typing import Any

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap

FONTS = Path(__file__).parent / "fonts"
FAMILY = "dejavu"
FILES = {"": FONTS / "DejaVuSans-Latin.ttf", "B": FONTS / "DejaVuSans-Latin-Bold.ttf"}


class _WholeFont(ttLib.TTFont):
    """A font written to the PDF as the file it was read from."""

    raw: bytes = b""

    def save(self, file: Any, reorderTables: bool = True) -> None:
        file.write(self.raw)


def _tune_compression() -> None:
    """zlib level 1 for every stream: the whole fonts and their glyph maps (~0.5 MB a page) are
    compressed in a third of the time of the default level 6, for files about 10% larger."""
    from fpdf.syntax import PDFContentStream

    PDFContentStream._COMPRESSION_LEVEL = 1


def _install_subset_guard() -> None:
    original = ftsubset.Subsetter.subset
    if getattr(original, "_cme_guard", False):
        return

    def subset(self: Any, font: Any) -> Any:
        if isinstance(font, _WholeFont):
            return None  # embedded whole: keep every glyph and its id
        return original(self, font)

    subset._cme_guard = True  # type: ignore[attr-defined]
    ftsubset.Subsetter.subset = subset


@cache
def _template(style: str) -> Any:
    """fpdf2's parsed font, made once; its fontTools font is a shared, never-subset _WholeFont."""
    _install_subset_guard()
    _tune_compression()
    path = FILES[style]
    scratch = FPDF()
    scratch.add_font(FAMILY, style, str(path))
    template: Any = next(iter(scratch.fonts.values()))
    raw = path.read_bytes()
    whole = _WholeFont(io.BytesIO(raw), recalcTimestamp=False)
    whole.raw = raw
    whole.getGlyphOrder()  # parse what fpdf2 reads when it writes the file, once
    template.ttfont = whole
    return template


def add_fonts(pdf: FPDF) -> None:
    """Give ``pdf`` the regular and bold Unicode fonts without parsing them again.

    A shallow copy shares what never changes (the parsed font, widths, glyph ids); what a
    document changes gets its own: the glyphs used (``subset``), the sizes, missing glyphs.
    """
    for style in FILES:
        font = copy.copy(_template(style))
        font.i = len(pdf.fonts) + 1
        font.subset = SubsetMap(font)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        pdf.fonts[font.fontkey] = font
