"""The fonts: DejaVu Sans for Latin, Greek and Cyrillic, parsed once per process and embedded
with its glyph ids kept; Noto Sans for Chinese, Japanese, Korean, Arabic, Hebrew, Devanagari and Thai, loaded
only for a document whose text needs them.

fpdf2 parses a TTF again for every document (``add_font``), then subsets it with fontTools
when it writes the file: about 125 ms a certificate with the full DejaVu Sans. Here:

- the DejaVu fonts are already small subsets (Latin with Vietnamese, Greek, Cyrillic: see
  infra/tools/make_font_subset.py), parsed once per process; a document gets a cheap copy of the
  parsed font (fpdf2's own ``__deepcopy__``, which shares the parsed tables);
- its text is written in glyph ids (``_IdentitySubset``: character code = CID = glyph id), so the
  font's CIDToGIDMap is the name ``/Identity``, not a 128 KB table built in Python and compressed
  for each font of each document;
- the font file written keeps every glyph id but only the outlines the document uses (and their
  components): ``_Outlines.strip`` slices the file's glyf table in about half a millisecond, where
  fontTools' subsetter parses and rebuilds every table (~20 KB a font in the PDF, not ~95 KB).
  ``Producer``, a small subclass of fpdf2's OutputProducer, writes these fonts; fpdf2 writes every
  other font (the Noto fonts, subset per document) as usual. See ``Producer`` for the change we
  would propose to fpdf2 instead.

Other scripts (see cme/platform/writing.py and infra/tools/make_script_fonts.py):

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
import struct
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import Glyph, SubsetMap, TTFFont
from fpdf.output import CIDSystemInfo, OutputProducer, PDFFont, PDFFontStream, _build_cmap_blocks, _tt_font_widths
from fpdf.syntax import Name, PDFArray, PDFContentStream
from fpdf.util import escape_parens

from cme.platform import writing
from cme.platform.errors import InvalidInput

FONTS = Path(__file__).parent / "fonts"
FAMILY = "dejavu"
FILES = {"": FONTS / "DejaVuSans-Latin.ttf", "B": FONTS / "DejaVuSans-Latin-Bold.ttf"}
# Stands in fpdf2's list of fallback fonts while a text that needs them is drawn: fpdf2 looks for
# fallbacks only when the list is not empty, and Document.get_fallback_font adds the real ones.
_ON = "cme-scripts"


class _SharedFont(ttLib.TTFont):
    """DejaVu parsed once per process and shared by every document: never subset in place (the
    PDF gets ``_Outlines.strip`` of the file it was read from, ``raw``)."""

    raw: bytes = b""


def _tune_compression() -> None:
    """zlib level 1 for every stream (pages, the fonts' files): compressed in a third of the time
    of the default level 6, for files a little larger."""
    PDFContentStream._COMPRESSION_LEVEL = 1


class _IdentitySubset(SubsetMap):
    """fpdf2's SubsetMap for a font whose glyph ids the PDF keeps: a glyph's code is its id.

    fpdf2 numbers the glyphs a document uses 1, 2, 3, ... (skipping 0 and 32) for the subset it
    makes, and writes a CIDToGIDMap from those numbers to the glyph ids. ``_Outlines.strip``
    keeps the glyph ids, so codes can be the ids themselves and the map the name /Identity."""

    def __init__(self, font: TTFFont) -> None:  # no reserved codes (fpdf2 keeps 0 and 32): ids are codes
        self.font = font
        self._next = 0
        self._reserved = []
        self._char_id_per_glyph: dict[Glyph | None, int] = {}
        self._by_id: dict[int, Glyph] = {}
        self._codes: dict[str, str] = {}  # a character: its glyph id as one character ("": none)

    def pick_glyph(self, glyph: Glyph | None) -> int | None:
        if glyph is None:
            return None
        if glyph.glyph_id not in self._by_id:  # the first text that used the glyph names it in ToUnicode
            self._by_id[glyph.glyph_id] = glyph
            self._char_id_per_glyph[glyph] = glyph.glyph_id
        return int(glyph.glyph_id)

    def codes(self, text: str) -> str:
        """``text`` as the string of its characters' codes, as fpdf2's ``encode_text`` makes it
        (a character no glyph prints is left out), from a table of the characters seen."""
        known = self._codes
        for char in text:
            if char not in known:
                code = self.pick(ord(char))
                known[char] = "" if code is None else chr(code)
        return "".join([known[char] for char in text])


class _Font(TTFFont):
    """fpdf2's TTFFont for DejaVu, encoding a ``text()`` through ``_IdentitySubset.codes``:
    fpdf2's ``encode_text`` goes through a functools cache and string concatenation for each
    character, a third of a 300-row transcript's time."""

    __slots__ = ()

    def encode_text(self, text: str) -> str:
        subset: Any = self.subset  # an _IdentitySubset (_attach)
        return f"({escape_parens(subset.codes(text).encode('utf-16-be').decode('latin-1'))}) Tj"


def _checksum(data: bytes) -> int:
    """An OpenType table checksum: the sum of its big-endian 32-bit words, modulo 2**32."""
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


class _Outlines:
    """A TrueType file split into its tables once, to write copies holding some glyphs' outlines.

    ``strip(used)`` is the file with every table as it is but four: glyf holds the outlines of the
    glyphs used, of the glyphs their composites are made of, and of .notdef (every other glyph is
    empty, so each keeps its id); loca is rebuilt (long offsets, head.indexToLocFormat 1); post
    drops the glyph names (format 3: a PDF finds glyphs by id). Checksums are recomputed
    (OpenType, "Font file": the table directory's, and head.checksumAdjustment)."""

    CHANGED = (b"glyf", b"loca", b"head", b"post")

    def __init__(self, raw: bytes) -> None:
        self.sfnt_version = raw[:4]
        (count,) = struct.unpack_from(">H", raw, 4)
        self.tables: dict[bytes, bytes] = {}
        self.checksums: dict[bytes, int] = {}
        for n in range(count):
            tag, checksum, offset, length = struct.unpack_from(">4sIII", raw, 12 + 16 * n)
            self.tables[tag] = raw[offset : offset + length]
            self.checksums[tag] = checksum
        (long_offsets,) = struct.unpack_from(">h", self.tables[b"head"], 50)
        (self.glyphs,) = struct.unpack_from(">H", self.tables[b"maxp"], 4)
        loca, n = self.tables[b"loca"], self.glyphs + 1
        if long_offsets:
            self.loca: tuple[int, ...] = struct.unpack(f">{n}I", loca[: 4 * n])
        else:
            self.loca = tuple(2 * offset for offset in struct.unpack(f">{n}H", loca[: 2 * n]))
        self.glyf = self.tables[b"glyf"]

    def outline(self, glyph: int) -> bytes:
        return self.glyf[self.loca[glyph] : self.loca[glyph + 1]]

    def components(self, glyph: int) -> list[int]:
        """The glyphs a composite glyph is made of (none for a simple or an empty glyph)."""
        data = self.outline(glyph)
        if len(data) < 10 or struct.unpack_from(">h", data, 0)[0] >= 0:
            return []
        found, at = [], 10
        while True:  # OpenType glyf, composite glyph records: flags, glyph index, arguments, scale
            flags, component = struct.unpack_from(">HH", data, at)
            found.append(component)
            at += 4 + (4 if flags & 0x0001 else 2)  # ARG_1_AND_2_ARE_WORDS
            at += 2 if flags & 0x0008 else 4 if flags & 0x0040 else 8 if flags & 0x0080 else 0
            if not flags & 0x0020:  # MORE_COMPONENTS
                return found

    def strip(self, used: Iterable[int]) -> bytes:
        keep, pending = {0}, list(used)
        while pending:
            glyph = pending.pop()
            if glyph not in keep and 0 <= glyph < self.glyphs:
                keep.add(glyph)
                pending.extend(self.components(glyph))
        glyf, offsets = bytearray(), []
        for glyph in range(self.glyphs):
            offsets.append(len(glyf))
            if glyph in keep:
                glyf += self.outline(glyph)
                glyf += b"\0" * (-len(glyf) % 4)
        offsets.append(len(glyf))
        head = bytearray(self.tables[b"head"])
        struct.pack_into(">I", head, 8, 0)  # checksumAdjustment: 0 while the checksums are summed
        struct.pack_into(">h", head, 50, 1)  # indexToLocFormat: long offsets
        tables = {
            **self.tables,
            b"glyf": bytes(glyf),
            b"loca": struct.pack(f">{len(offsets)}I", *offsets),
            b"head": bytes(head),
        }
        if b"post" in tables:
            tables[b"post"] = b"\x00\x03\x00\x00" + self.tables[b"post"][4:32]
        count = len(tables)
        power = 1 << (count.bit_length() - 1)
        font = bytearray(self.sfnt_version)
        font += struct.pack(">HHHH", count, power * 16, power.bit_length() - 1, (count - power) * 16)
        body, head_at, start = bytearray(), 0, 12 + 16 * count
        for tag in sorted(tables):
            data = tables[tag]
            checksum = _checksum(data) if tag in self.CHANGED else self.checksums[tag]
            if tag == b"head":
                head_at = start + len(body)
            font += struct.pack(">4sIII", tag, checksum, start + len(body), len(data))
            body += data + b"\0" * (-len(data) % 4)
        font += body
        struct.pack_into(">I", font, head_at + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
        return bytes(font)


@cache
def _outlines(style: str) -> _Outlines:
    """DejaVu's tables, split once per process."""
    return _Outlines(_template(style).ttfont.raw)


class Producer(OutputProducer):
    """fpdf2's OutputProducer, writing the DejaVu fonts (``_SharedFont``) itself.

    For these fpdf2's ``_add_fonts`` would run fontTools' subsetter on the parsed font (which
    every document shares), save it again, build a 131,072-byte CIDToGIDMap in Python and
    compress it: about 8 ms of a 16 ms certificate. Here: the same Type0 / CIDFontType2 objects,
    with the text's codes being glyph ids (``_IdentitySubset``), ``/CIDToGIDMap /Identity``
    (PDF 32000-1, 9.7.4.2) and the font file from ``_Outlines.strip``: every glyph id kept, only
    the outlines used. The ToUnicode CMap and the widths (W) are fpdf2's, from the glyphs used.

    The change we would propose to fpdf2 (py-pdf/fpdf2), which would make this class unneeded:
    an option of ``add_font`` to keep glyph ids (fontTools' ``Options(retain_gids=True)``, the
    text's codes = glyph ids, ``/CIDToGIDMap /Identity``); for subset fonts, the CIDToGIDMap
    built with a ``bytearray`` up to the highest code used (today a 64K-entry Python list of
    one-character strings per font, joined and compressed); and subsetting a copy of the parsed
    font, not the font itself, so that a parsed font can serve many documents.
    """

    def _add_fonts(self, *args: Any, **kwargs: Any) -> Any:
        registry = self.fpdf.fonts  # fpdf2's own dict: fpdf2 writes what is left in it
        every = dict(registry)
        shared = [f for f in every.values() if isinstance(f, TTFFont) and isinstance(f.ttfont, _SharedFont)]
        for font in shared:
            del registry[font.fontkey]
        try:
            objects = super()._add_fonts(*args, **kwargs)
        finally:
            registry.clear()
            registry.update(every)
        for font in shared:
            objects[font.i] = self._add_shared_font(font)
        # as fpdf2 does after each font it writes: its caches of glyph lookups (functools caches of
        # SubsetMap methods, shared by every document) would otherwise keep every document's fonts
        SubsetMap.pick.cache_clear()
        SubsetMap.get_glyph.cache_clear()
        return objects

    def _add_shared_font(self, font: Any) -> PDFFont:
        fontname = f"MPDFAA+{font.name}"
        composite = PDFFont(subtype="Type0", base_font=fontname, encoding="Identity-H")
        self._add_pdf_obj(composite, "fonts")
        cid_font = PDFFont(
            subtype="CIDFontType2", base_font=fontname, d_w=font.desc.missing_width, w=_tt_font_widths(font)
        )
        self._add_pdf_obj(cid_font, "fonts")
        composite.descendant_fonts = PDFArray([cid_font])
        bfchar = [
            f"<{code:04X}> <{''.join(_utf16_hex(u) for u in glyph.unicode)}>\n"
            for glyph, code in font.subset.items()
            if glyph is not None and isinstance(glyph.unicode, tuple) and glyph.unicode
        ]
        to_unicode = PDFContentStream(
            (
                "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n"
                "<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
                "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
                f"{_build_cmap_blocks(bfchar, 'bfchar')}"
                "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
            ).encode("latin-1")
        )
        self._add_pdf_obj(to_unicode, "fonts")
        composite.to_unicode = to_unicode
        system_info = CIDSystemInfo()
        self._add_pdf_obj(system_info, "fonts")
        cid_font.c_i_d_system_info = system_info
        descriptor = copy.copy(font.desc)  # the template's, shared by every document: not changed here
        descriptor.font_name = Name(fontname)
        self._add_pdf_obj(descriptor, "fonts")
        cid_font.font_descriptor = descriptor
        cid_font.c_i_d_to_g_i_d_map = Name("Identity")  # type: ignore[assignment]
        used = [code for glyph, code in font.subset.items() if glyph is not None]
        stream = PDFFontStream(_outlines(font.fontkey.removeprefix(FAMILY)).strip(used))
        self._add_pdf_obj(stream, "fonts")
        descriptor.font_file2 = stream
        return composite


def _utf16_hex(code: int) -> str:
    """A code point as ToUnicode writes it: UTF-16BE, in hex."""
    return chr(code).encode("utf-16-be").hex().upper()


@cache
def _template(style: str) -> Any:
    """fpdf2's parsed font, made once; its fontTools font is a _SharedFont."""
    _tune_compression()
    path = FILES[style]
    scratch = FPDF()
    scratch.add_font(FAMILY, style, str(path))
    template: Any = next(iter(scratch.fonts.values()))
    template.__class__ = _Font  # the same slots: only encode_text differs
    raw = path.read_bytes()
    shared = _SharedFont(io.BytesIO(raw), recalcTimestamp=False)
    shared.raw = raw
    shared.getGlyphOrder()  # parse what fpdf2 reads when it shapes text, once
    shared["hmtx"]
    template.ttfont = shared
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
    font.subset = _IdentitySubset(font) if isinstance(font.ttfont, _SharedFont) else SubsetMap(font)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    pdf.fonts[font.fontkey] = font
    return font


def warm() -> None:
    """Do once what every document needs: parse DejaVu (and its HarfBuzz face) and compress its
    file streams. For a before-snapshot hook (SnapStart) or a first request; idempotent."""
    for style in FILES:
        _shaping_template(style)
        _outlines(style)


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


def _add_script_font(pdf: FPDF, font: writing.ScriptFont, style: str) -> str:
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
    """An FPDF whose texts may be in any script cme.platform.writing supports."""

    scripts_on = False  # some text of this document needs a font other than DejaVu

    def output(self, *args: Any, **kwargs: Any) -> Any:
        """fpdf2's ``output``, with ``Producer`` writing the file (DejaVu: glyph ids kept)."""
        kwargs.setdefault("output_producer_class", Producer)
        return super().output(*args, **kwargs)

    def prepare(self, texts: Iterable[str]) -> None:
        """Add DejaVu, and note whether any of ``texts`` (every text the document prints that
        does not come from the code) needs another font."""
        self.scripts_on = not all(dejavu_has(text) for text in texts)
        self._cme_fallbacks: list[str] = [_ON]
        for style in FILES:
            _attach(self, _shaping_template(style) if self.scripts_on else _template(style))

    def get_fallback_font(self, char: str, style: str = "") -> str | None:
        font = writing.font_for(ord(char))
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
    return list(dict.fromkeys(char for char in text if not writing.printable(char)))


def printable(text: str) -> str:
    """``text`` (composed) with what no font prints taken out: a letter or digit becomes "?", so
    a title is never printed blank; anything else (an emoji, a stray control character) is dropped."""
    text = unicodedata.normalize("NFC", text)
    if not unprintable(text):
        return text
    kept = (char if writing.printable(char) else "?" if unicodedata.category(char)[0] in "LN" else "" for char in text)
    return " ".join("".join(kept).split())


def require_printable(name: str) -> str:
    """The learner's name, as typed, if every character can be printed. A name is never printed
    with letters missing: a name saved before the rule (cme.platform.normalize.check_name_scripts) that a
    font cannot print stops the document with a request to correct it."""
    name = unicodedata.normalize("NFC", name)
    bad = [char for char in unprintable(name) if not char.isspace()]
    if bad or not name.strip():
        raise InvalidInput(
            "NAME_UNPRINTABLE",
            f"Your name has characters a certificate cannot print. Names can be written in {writing.SUPPORTED} "
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
