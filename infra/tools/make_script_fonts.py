"""How the Noto fonts for names in other scripts were made (run by hand; the results are committed).

    apt-get download fonts-noto-core fonts-noto-cjk        # Debian bookworm: 20201225-1, 1:20220127
    for deb in fonts-noto-*.deb; do dpkg-deb -x "$deb" /tmp/noto; done
    python -m infra.tools.make_script_fonts /tmp/noto      # ~5 min; the same bytes every run
    python -m infra.tools.make_script_fonts --manifest-only   # scripts.json from the committed fonts

Writes into layers/common/cme/records/pdf/fonts/:

- NotoSans{Arabic,Hebrew,Devanagari,Thai}-{Regular,Bold}.ttf: each cut to its script's letters
  (and the dotted circle HarfBuzz draws under a stray mark), with every OpenType layout feature
  kept: these scripts are shaped (joining, reordering, marks) by HarfBuzz when a PDF is made.
- cjk/NotoSansCJKsc-{Regular,Bold}-NN.otf: Noto Sans CJK SC (the Simplified Chinese face of the
  TTC) cut to Han (the unified block, Extension A, the Extension B-F characters the font has,
  compatibility ideographs), Kana, Hangul syllables and CJK punctuation, ~42,000 characters, then
  split into runs of 1,024 consecutive characters. A document loads only the pieces holding the
  characters it prints: fontTools subsets a piece in ~5 ms, the whole font in ~300 ms. CJK names
  can use any of ~20,000 Han characters, so every piece is kept. Charstrings are desubroutinized
  (smaller pieces, faster subsetting); hinting and the layout tables are dropped (not needed for
  CJK names).
- scripts.json: for each font (DejaVu's subsets included) the characters it prints, as ranges.
  ``cme.platform.writing`` reads it to choose a document's fonts and to accept a name at profile save
  without opening a font; tests/unit/test_certificate_scripts.py checks it against the fonts.

Licence: SIL Open Font License 1.1, layers/common/cme/records/pdf/fonts/LICENSE-Noto.txt.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parents[2] / "layers" / "common" / "cme" / "records" / "pdf" / "fonts"
MANIFEST = FONTS / "scripts.json"
CHUNK = 1024
DOTTED_CIRCLE = 0x25CC

DEJAVU = ("dejavu", "Latin, Greek, Cyrillic", {"": "DejaVuSans-Latin.ttf", "B": "DejaVuSans-Latin-Bold.ttf"})

SCRIPTS: dict[str, tuple[str, list[tuple[int, int]]]] = {
    "Arabic": (
        "noto-arabic",
        [(0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x089F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)],
    ),
    "Hebrew": ("noto-hebrew", [(0x0590, 0x05FF), (0xFB1D, 0xFB4F)]),
    "Devanagari": ("noto-devanagari", [(0x0900, 0x097F), (0xA8E0, 0xA8FF), (0x1CD0, 0x1CFF)]),
    "Thai": ("noto-thai", [(0x0E00, 0x0E7F)]),
}

CJK_RANGES = [
    (0x3000, 0x303F),  # CJK symbols and punctuation: 々 〆 、 。
    (0x3040, 0x309F),  # Hiragana
    (0x30A0, 0x30FF),  # Katakana (with ・ and ー)
    (0x3130, 0x318F),  # Hangul compatibility jamo
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xAC00, 0xD7A3),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF00, 0xFFEF),  # half- and full-width forms
    (0x20000, 0x2FA1F),  # Extensions B-F, compatibility supplement (the ones the font has)
]
CJK_FACE = 2  # NotoSansCJK-*.ttc: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK
NAME_IDS = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # copyright, names, version, licence and its URL


def _expand(ranges: list[tuple[int, int]]) -> set[int]:
    return {c for low, high in ranges for c in range(low, high + 1)}


def _ranges(codepoints: set[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for c in sorted(codepoints):
        if out and out[-1][1] == c - 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return out


def _options(layout: bool) -> subset.Options:
    options = subset.Options()
    options.layout_features = ["*"] if layout else []
    options.layout_scripts = ["*"]
    options.name_IDs = NAME_IDS
    options.name_languages = [0x409]
    options.notdef_outline = True
    options.hinting = False
    options.glyph_names = True  # stored, not rebuilt from the cmap each time a document loads the font
    options.desubroutinize = True
    options.drop_tables += ["FFTM", "VORG", "vhea", "vmtx", "BASE", "meta"]
    if not layout:
        options.drop_tables += ["GSUB", "GPOS", "GDEF"]
    return options


def cmap_of(path: Path) -> set[int]:
    return set(TTFont(path, lazy=True).getBestCmap())


def _cut(font: TTFont, codepoints: set[int], layout: bool, target: Path) -> None:
    subsetter = subset.Subsetter(_options(layout))
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(target)


def make_scripts(source: Path) -> None:
    noto = source / "usr" / "share" / "fonts" / "truetype" / "noto"
    for script, (_, ranges) in SCRIPTS.items():
        wanted = _expand(ranges) | {DOTTED_CIRCLE}
        for style in ("Regular", "Bold"):
            font = TTFont(noto / f"NotoSans{script}-{style}.ttf", recalcTimestamp=False)
            _cut(font, wanted, True, FONTS / f"NotoSans{script}-{style}.ttf")


def make_cjk(source: Path) -> None:
    ttc = source / "usr" / "share" / "fonts" / "opentype" / "noto"
    wanted = _expand(CJK_RANGES)
    whole: dict[str, bytes] = {}
    covered: set[int] | None = None
    for style in ("Regular", "Bold"):
        font = TTFont(ttc / f"NotoSansCJK-{style}.ttc", fontNumber=CJK_FACE, recalcTimestamp=False)
        have = set(font.getBestCmap()) & wanted
        covered = have if covered is None else covered & have
        buffer = io.BytesIO()
        subsetter = subset.Subsetter(_options(False))
        subsetter.populate(unicodes=sorted(have))
        subsetter.subset(font)
        font.save(buffer)
        whole[style] = buffer.getvalue()
    assert covered is not None
    ordered = sorted(covered)
    for old in (FONTS / "cjk").glob("NotoSansCJKsc-*.otf"):
        old.unlink()
    for number, start in enumerate(range(0, len(ordered), CHUNK)):
        piece = set(ordered[start : start + CHUNK])
        for style, data in whole.items():
            font = TTFont(io.BytesIO(data), recalcTimestamp=False)
            _cut(font, piece, False, FONTS / "cjk" / f"NotoSansCJKsc-{style}-{number:02d}.otf")


def manifest() -> dict[str, object]:
    """The characters each font prints (regular and bold both), from the committed fonts."""
    fonts: list[dict[str, object]] = []

    def entry(family: str, script: str, files: dict[str, str], allowed: set[int] | None) -> None:
        covered = cmap_of(FONTS / files[""]) & cmap_of(FONTS / files["B"])
        if allowed is not None:
            covered &= allowed
        fonts.append({"family": family, "script": script, "files": files, "ranges": _ranges(covered)})

    entry(*DEJAVU, None)
    for script, (family, ranges) in SCRIPTS.items():
        files = {"": f"NotoSans{script}-Regular.ttf", "B": f"NotoSans{script}-Bold.ttf"}
        entry(family, script, files, _expand(ranges))
    for regular in sorted((FONTS / "cjk").glob("NotoSansCJKsc-Regular-*.otf")):
        number = regular.stem.rsplit("-", 1)[1]
        files = {"": f"cjk/{regular.name}", "B": f"cjk/NotoSansCJKsc-Bold-{number}.otf"}
        entry(f"noto-cjk-{number}", "Chinese, Japanese, Korean", files, _expand(CJK_RANGES))
    return {"generated_by": "infra/tools/make_script_fonts.py", "fonts": fonts}


def write_manifest() -> None:
    MANIFEST.write_text(json.dumps(manifest(), separators=(",", ":")) + "\n", encoding="utf-8")


def main(argv: list[str]) -> None:
    if argv and argv[0] != "--manifest-only":
        source = Path(argv[0])
        make_scripts(source)
        make_cjk(source)
    write_manifest()


if __name__ == "__main__":
    main(sys.argv[1:])
