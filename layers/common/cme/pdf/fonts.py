"""The fonts: DejaVu Sans for Latin, Greek and Cyrillic, parsed once per process and embedded
whole; Noto Sans for Chinese, Japanese, Korean, Arabic, Hebrew, Devanagari and Thai, loaded
only for a document whose text needs them.

fpdf2 parses a TTF again for every document (``add_font``), then subsets it with fontTools
when it writes the file: about 125 ms a certificate with the full DejaVu Sans. Here:

- the DejaVu fonts are already small subsets (Latin with Vietnamese, Greek, Cyrillic: see
  infra/tools/make_font_subset.py), so they are embedded whole: their glyph ids are stable, and
  the bytes written are the file's own bytes;
- each font is parsed once per process; a document gets a cheap copy of the parsed font
  (fpdf2's own ``__deepcopy__``, which shares the parsed tables) and a ``_WholeFont`` that
  fontTools' subsetter leaves alone and that saves the cached file bytes.

Other scripts (see cme/scripts.py and infra/tools/make_script_fonts.py):

- ``Document.prepare`` looks at the document's texts. When every character is DejaVu's (the
  common case), nothing else happens: no other font is opened, no text is shaped, and fpdf2
  keeps its fast path.
- Otherwise a text that needs another font is drawn inside ``shaped()``: fpdf2's fallback fonts
  are on, and its text shaping (HarfBuzz, through uharfbuzz) orders right-to-left runs, joins
  Arabic letters and places Devanagari and Thai marks. ``Document.get_fallback_font`` adds a
  Noto font, in the style asked for, the first time a character needs it; Chinese, Japanese and
  Korean come in pieces of 1,024 characters, so a name loads a few small fonts, not one of 9 MB.
  Those fonts are subset by fpdf2 when the file is written, as usual.
"""

from __future__ import annotations

import copy
import io
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap

from cme import scripts
from cme.errors import InvalidInput

FONTS = Path(__file__).parent / "fonts"
FAMILY = "dejavu"
FILES = {"": FONTS / "DejaVuSans-Latin.ttf", "B": FONTS / "DejaVuSans-Latin-Bold.ttf"}
# Stands in fpdf2's list of fallback fonts while a text that needs them is drawn: fpdf2 looks for
# fallbacks only when the list is not empty, and Document.get_fallback_font adds the real ones.
_ON = "cme-scripts"


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
    whole.getGlyphOrder()  # parse what fpdf2 reads when it writes the file, once,
    whole["hmtx"]  # and when it shapes text; a document closes the font after writing
    template.ttfont = whole
    return template


@cache
def _shaping_template(style: str) -> Any:
    """DejaVu with its HarfBuzz face made once, for documents that shape text."""
    template = copy.copy(_template(style))
    template.hbfont  # noqa: B018 - made here, shared by every copy (read-only)
    return template


def _attach(pdf: FPDF, template: Any) -> Any:
    """A document's own copy of a parsed font: shared widths and glyph ids, its own subset."""
    font = copy.copy(template)
    font.i = len(pdf.fonts) + 1
    font.subset = SubsetMap(font)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    pdf.fonts[font.fontkey] = font
    return font


def add_fonts(pdf: FPDF) -> None:
    """Give ``pdf`` the regular and bold Unicode fonts without parsing them again.

    A shallow copy shares what never changes (the parsed font, widths, glyph ids); what a
    document changes gets its own: the glyphs used (``subset``), the sizes, missing glyphs.
    """
    for style in FILES:
        _attach(pdf, _template(style))


@cache
def _script_template(family: str, style: str, file: str) -> tuple[Any, bytes]:
    """A Noto font parsed once per process (its character widths and glyph ids), and its bytes."""
    _tune_compression()
    path = FONTS / file
    scratch = FPDF()
    scratch.add_font(family, style, str(path))
    template: Any = scratch.fonts[f"{family}{style}"]
    template.hbfont  # noqa: B018 - HarfBuzz's face, made once and shared (read-only)
    template.ttfont.close()  # each document opens its own copy: fpdf2 subsets it in place
    return template, path.read_bytes()


def _add_script_font(pdf: FPDF, font: scripts.ScriptFont, style: str) -> str:
    template, raw = _script_template(font.family, style, font.bold if style == "B" else font.regular)
    added = _attach(pdf, template)
    added.ttfont = ttLib.TTFont(io.BytesIO(raw), lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    for tag in ("GSUB", "GPOS", "GDEF"):  # HarfBuzz read them from the file; fpdf2 leaves them out of
        if tag in added.ttfont:  # the PDF, and fontTools would parse them first (~15 ms for Arabic)
            del added.ttfont[tag]
    if added.is_cff and added.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")  # as fpdf2's add_font does for CID-keyed CFF
    return str(added.fontkey)


@cache
def _dejavu_chars() -> frozenset[str]:
    return frozenset(map(chr, _template("").cmap))


def dejavu_has(text: str) -> bool:
    """Whether DejaVu (Latin, Greek, Cyrillic) prints every character of ``text``."""
    return _dejavu_chars().issuperset(text)


class Document(FPDF):
    """An FPDF whose texts may be in any script cme.scripts supports."""

    scripts_on = False  # some text of this document needs a font other than DejaVu

    def prepare(self, texts: Iterable[str]) -> None:
        """Add DejaVu, and note whether any of ``texts`` (every text the document prints that
        does not come from the code) needs another font."""
        self.scripts_on = not all(dejavu_has(text) for text in texts)
        self._cme_fallbacks: list[str] = [_ON]
        for style in FILES:
            _attach(self, _shaping_template(style) if self.scripts_on else _template(style))

    def get_fallback_font(self, char: str, style: str = "") -> str | None:
        font = scripts.font_for(ord(char))
        if font is None or font.family == FAMILY:
            return None  # printable() keeps such characters out of what is drawn
        style = "B" if "B" in style else ""
        key = f"{font.family}{style}"
        if key not in self.fonts:
            _add_script_font(self, font, style)
            self._cme_fallbacks.append(key)
        return key


@contextmanager
def shaped(pdf: FPDF, text: str) -> Iterator[None]:
    """Draw or measure ``text`` with fallback fonts and text shaping when it needs them."""
    if not getattr(pdf, "scripts_on", False) or dejavu_has(text):
        yield
        return
    fallbacks = pdf._fallback_font_ids
    pdf._fallback_font_ids = pdf._cme_fallbacks  # type: ignore[attr-defined]
    pdf.set_text_shaping(True, direction="ltr")  # an English document: names and titles are runs in it
    try:
        yield
    finally:
        pdf.set_text_shaping(False)
        pdf._fallback_font_ids = fallbacks


def unprintable(text: str) -> list[str]:
    """Characters of ``text`` that no font of the portal prints."""
    if dejavu_has(text):
        return []
    return list(dict.fromkeys(char for char in text if not scripts.printable(char)))


def printable(text: str) -> str:
    """``text`` (composed) with what no font prints taken out: a letter or digit becomes "?", so
    a title is never printed blank; anything else (an emoji, a stray control character) is dropped."""
    text = unicodedata.normalize("NFC", text)
    if not unprintable(text):
        return text
    kept = (char if scripts.printable(char) else "?" if unicodedata.category(char)[0] in "LN" else "" for char in text)
    return " ".join("".join(kept).split())


def require_printable(name: str) -> str:
    """The learner's name, as typed, if every character can be printed. A name is never printed
    with letters missing: a name saved before the rule (cme.identity.check_name_scripts) that a
    font cannot print stops the document with a request to correct it."""
    name = unicodedata.normalize("NFC", name)
    bad = [char for char in unprintable(name) if not char.isspace()]
    if bad or not name.strip():
        raise InvalidInput(
            "NAME_UNPRINTABLE",
            f"Your name has characters a certificate cannot print. Names can be written in {scripts.SUPPORTED} "
            "letters: please correct your name in your profile, then try again.",
            [{"field": "name", "message": f"These characters cannot be printed: {' '.join(bad)}" if bad else "Empty."}],
        )
    return name


def text(pdf: FPDF, x: float, y: float, line: str) -> None:
    """``pdf.text(x, y, line)`` (baseline at y), which knows one font and no shaping; a line that
    needs other fonts is drawn as a cell with the same baseline."""
    if not getattr(pdf, "scripts_on", False) or dejavu_has(line):
        pdf.text(x, y, line)
        return
    here = pdf.get_x(), pdf.get_y()
    pdf.set_xy(x - pdf.c_margin, y - 0.3 * pdf.font_size)  # a cell of height 0 sets its baseline 0.3 em down
    with shaped(pdf, line):
        pdf.cell(pdf.w - pdf.r_margin - pdf.get_x(), 0, line)
    pdf.set_xy(*here)
