"""Line breaking for both PDFs (the certificate and the transcript): one greedy word wrap that
measures with the width the documents draw with, and never lets a line run past its width.

- Words break at spaces. Chinese, Japanese and Korean text may also break between any two of its
  characters (no line starts with a closing mark such as 。 or 」, none ends with an opening one).
- A word longer than the line (a URL, a Thai title without spaces) is cut between characters,
  preferably just after one of "/-?&=_.#~" in its last half; never before a
  combining mark or a joiner.
- Text that needs the Noto fonts (cme.records.pdf.fonts) is measured by fpdf2 with those fonts and text
  shaping on, as it is drawn; DejaVu-only text is measured from the font's width table.

Public: ``measure`` (one text), ``measurer`` (a measuring function for the pieces of one text),
``wrap`` (the lines of a text at a width).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from fpdf import FPDF
from fpdf.fonts import TTFFont

from cme.records.pdf import fonts

# no line starts with these (CJK and Latin closing punctuation) ...
_CLOSING = frozenset(
    "、。，．・：；？！゛゜ヽヾゝゞ々〻ー"  # Japanese punctuation and marks of repetition and length
    "ァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖ"  # small kana
    "’”）〕］｝〉》」』】〙〗〟｠»),.:;!?%"
)
# ... and none ends with these
_OPENING = frozenset("‘“（〔［｛〈《「『【〘〖〝｟«([{")
# a long word is best cut just after one of these (a URL's parts, a hyphenated word)
_SOFT = frozenset("/-?&=_.#~")


def measure(pdf: FPDF, text: str) -> float:
    """Width of ``text`` at the current font and size, in the document's unit.

    From the font's width table when the font prints every character (fpdf2's get_string_width
    does the same sum after preparing bidirectional text and styles, about 75 µs a call: too slow
    for every word of a 300-row transcript); otherwise fpdf2 measures it with the fallback fonts
    and text shaping, as ``fonts.shaped`` draws it.
    """
    font: Any = pdf.current_font
    if not isinstance(font, TTFFont):  # a core font (the benchmark's baseline): fpdf2 measures
        return float(pdf.get_string_width(text))
    if getattr(pdf, "scripts_on", False) and not all(ord(ch) in font.cmap for ch in text):
        with fonts.shaped(pdf, text):
            return float(pdf.get_string_width(text))
    widths = font.cw
    return float(sum(widths[ord(ch)] for ch in text)) * pdf.font_size_pt / 1000 / pdf.k


def measurer(pdf: FPDF, text: str) -> Callable[[str], float]:
    """``measure`` for the pieces of ``text`` at the current font, its checks made once."""
    font: Any = pdf.current_font
    if not isinstance(font, TTFFont) or (getattr(pdf, "scripts_on", False) and not fonts.dejavu_has(text)):
        cache: dict[str, float] = {}

        def slow(piece: str) -> float:
            if piece not in cache:
                cache[piece] = measure(pdf, piece)
            return cache[piece]

        return slow
    width, scale = font.cw.__getitem__, pdf.font_size_pt / 1000 / pdf.k
    return lambda piece: float(sum(map(width, map(ord, piece)))) * scale


def _cuts_before(char: str) -> bool:
    """Whether a line may end just before ``char``: never before a combining mark or a joiner."""
    return not unicodedata.combining(char) and unicodedata.category(char)[0] != "M" and char not in "\u200c\u200d"


def _wide(char: str) -> bool:
    """Chinese, Japanese and Korean characters (and full-width forms): a line may break around them."""
    return unicodedata.east_asian_width(char) in "WF"


def _units(word: str) -> list[str]:
    """``word`` (no spaces) in the pieces a line may break between: the whole word, unless it
    holds Chinese, Japanese or Korean characters."""
    units, start = [], 0
    for n in range(1, len(word)):
        before, char = word[n - 1], word[n]
        if (_wide(before) or _wide(char)) and char not in _CLOSING and before not in _OPENING and _cuts_before(char):
            units.append(word[start:n])
            start = n
    units.append(word[start:])
    return units


def _fitting(measured: Callable[[str], float], word: str, width: float) -> int:
    """How many leading characters of ``word`` fit in ``width`` (at least one)."""
    low, high = 1, len(word)  # word[:low] is taken whatever its width; word[:high + 1] is too wide
    while low < high:
        middle = (low + high + 1) // 2
        if measured(word[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _cut(measured: Callable[[str], float], word: str, width: float) -> list[str]:
    """A word wider than the line, as lines that each fit (the last may be short)."""
    pieces = []
    while len(word) > 1 and measured(word) > width:
        n = _fitting(measured, word, width)
        soft = [i + 1 for i in range(n // 2, n - 1) if word[i] in _SOFT and _cuts_before(word[i + 1])]
        if soft:
            n = soft[-1]
        else:
            while n > 1 and not _cuts_before(word[n]):
                n -= 1
        pieces.append(word[:n])
        word = word[n:]
    pieces.append(word)
    return pieces


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """The lines of ``text`` at the current font, none wider than ``width``: greedy, one
    measurement per word (fpdf2's multi_cell measures the growing line character by character,
    the bulk of a render)."""
    measured = measurer(pdf, text)
    words = text.split()
    if measured(text) <= width:  # most labels and many titles: one line, one measurement
        return [" ".join(words)] if words else [""]
    # Chinese, Japanese, Korean: more places to break (DejaVu has none of their characters)
    wide = not fonts.dejavu_has(text) and any(map(_wide, text))
    space = measured(" ")
    lines: list[str] = []
    line, used = "", 0.0
    for word in words:
        gap = space if line else 0.0
        for unit in _units(word) if wide else (word,):
            piece, size = unit, measured(unit)
            if line and used + gap + size > width:  # the line is full: this piece starts the next
                lines.append(line)
                line, used, gap = "", 0.0, 0.0
            if not line and size > width:  # longer than a line on its own: cut between characters
                *whole, piece = _cut(measured, piece, width)
                lines += whole
                size = measured(piece)
            line += (" " if gap else "") + piece
            used += gap + size
            gap = 0.0  # the pieces of a word follow each other without a space
    if line:
        lines.append(line)
    return lines or [""]
