"""What makes the Unicode certificate fast stays correct (issue 16): DejaVu's text in glyph ids
with /CIDToGIDMap /Identity, its file with every glyph id and only the outlines used
(cme.records.pdf.fonts.Producer); the Noto fonts still subset by fpdf2; and the shared layer's build
leaves out nothing a PDF or a phone number needs."""

from __future__ import annotations

import dataclasses
import importlib.util
import io
import json
import re
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import Any

from fontTools import ttLib
from pypdf import PdfReader

from cme.records.pdf import fonts
from cme.records.pdf.certificate import render
from cme.records.pdf.transcript import Row, TranscriptData
from cme.records.pdf.transcript import render as render_transcript
from tests.support.certificates import certificate

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "common"
DATA = certificate(learner_name="Zoë Łukasiewicz-Müller", director_name="Dr. Nguyễn Thị Minh Khai")


def _fonts(pdf: bytes) -> dict[str, Any]:
    """Every Type0 font of the first page, by its base font name."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    out = {}
    for ref in page["/Resources"]["/Font"].values():
        font = ref.get_object()
        out[str(font["/BaseFont"])] = font
    return out


def _to_unicode(font: Any) -> dict[int, str]:
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    entries = "".join(re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S))
    return {
        int(code, 16): bytes.fromhex(text).decode("utf-16-be")
        for code, text in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]+)>", entries)
    }


def test_dejavu_keeps_its_glyph_ids_with_only_the_outlines_used() -> None:
    found = _fonts(render(DATA))
    dejavu = {name: font for name, font in found.items() if "DejaVu" in name}
    assert len(dejavu) == 2  # regular and bold
    for name, font in dejavu.items():
        descendant = font["/DescendantFonts"][0].get_object()
        assert descendant["/CIDToGIDMap"] == "/Identity"
        file = fonts.FILES["B" if "Bold" in name else ""]
        data = descendant["/FontDescriptor"]["/FontFile2"].get_object().get_data()
        assert len(data) < file.stat().st_size / 3
        embedded, whole = ttLib.TTFont(io.BytesIO(data)), ttLib.TTFont(file)
        assert embedded["maxp"].numGlyphs == whole["maxp"].numGlyphs  # every glyph id kept
        mine, theirs = embedded.getGlyphOrder(), whole.getGlyphOrder()  # names by id (post format 3)
        used = set(_to_unicode(font))
        for glyph in used:  # the outlines used, as in the file (composites with their parts)
            a, b = embedded["glyf"][mine[glyph]], whole["glyf"][theirs[glyph]]
            assert a.compile(embedded["glyf"]) == b.compile(whole["glyf"])
            for part in a.getComponentNames(embedded["glyf"]) if a.isComposite() else []:
                assert embedded["glyf"][part].numberOfContours != 0
        unused = next(
            n for n in range(1, len(theirs)) if n not in used and whole["glyf"][theirs[n]].numberOfContours > 0
        )
        assert embedded["glyf"][mine[unused]].numberOfContours == 0  # left empty


def test_the_font_files_checksums_are_right() -> None:
    from fontTools.ttLib import sfnt

    pdf = render(DATA)
    for font in _fonts(pdf).values():
        data = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]["/FontFile2"].get_object().get_data()
        reader = sfnt.SFNTReader(io.BytesIO(data), checkChecksums=2)  # raises on a wrong table checksum
        for tag in list(reader.tables):
            reader[tag]
        total = sum(int.from_bytes(data[i : i + 4].ljust(4, b"\0"), "big") for i in range(0, len(data), 4))
        assert total % 2**32 == 0xB1B0AFBA  # head.checksumAdjustment makes the file's sum this


def test_the_codes_in_the_text_are_the_glyph_ids() -> None:
    bold = ttLib.TTFont(fonts.FILES["B"])  # the learner's name is set in bold
    cmap = bold.getBestCmap()
    font = next(font for name, font in _fonts(render(DATA)).items() if name.endswith("DejaVuSansBold"))
    unicode = _to_unicode(font)
    for char in "Zoë Łukasiewicz-Müller":
        if char != " ":
            assert unicode[bold.getGlyphID(cmap[ord(char)])] == char


def test_the_text_reads_back_in_every_script() -> None:
    for name in ("Zoë Łukasiewicz-Müller", "محمد العلي", "王小明", "Ελένη Παπαδοπούλου"):
        text = PdfReader(io.BytesIO(render(dataclasses.replace(DATA, learner_name=name)))).pages[0].extract_text()
        assert "Certificate" in text
        if name.isascii() or "Zo" in name or "Ελ" in name:
            assert name in text


def test_documents_share_no_glyphs_and_the_parsed_font_is_never_subset() -> None:
    render(dataclasses.replace(DATA, learner_name="Ωμέγα Жуков"))
    latin = _fonts(render(dataclasses.replace(DATA, learner_name="Ann Lee", director_name="Dr. Bo")))
    for font in latin.values():
        assert not any(0x370 <= ord(char) <= 0x4FF for char in "".join(_to_unicode(font).values()))  # Greek, Cyrillic
    whole = ttLib.TTFont(fonts.FILES[""])
    assert fonts._template("").ttfont.getGlyphOrder() == whole.getGlyphOrder()


def test_a_written_document_leaves_nothing_in_fpdf2s_glyph_caches() -> None:
    from fpdf.fonts import SubsetMap

    render(DATA)
    assert SubsetMap.pick.cache_info().currsize == 0
    assert SubsetMap.get_glyph.cache_info().currsize == 0


def test_the_noto_fonts_are_still_subset_by_fpdf2() -> None:
    found = _fonts(render(dataclasses.replace(DATA, learner_name="محمد العلي")))
    arabic = next(font for name, font in found.items() if "Arabic" in name)
    descendant = arabic["/DescendantFonts"][0].get_object()
    assert descendant["/CIDToGIDMap"] != "/Identity"  # a map from fpdf2's codes to the subset's glyphs
    embedded = descendant["/FontDescriptor"]["/FontFile2"].get_object().get_data()
    assert len(embedded) < (fonts.FONTS / "NotoSansArabic-Bold.ttf").stat().st_size / 2


def test_a_long_transcript_keeps_every_title_whole() -> None:
    from datetime import date, timedelta

    rows = [
        Row(date(2026, 1, 1) + timedelta(days=n), f"Grand Rounds {n}: Sepsis — the Hour-1 Bundle in the ED", "AMA", 1.0)
        for n in range(60)
    ]
    data = TranscriptData("P", "Zoë Müller", "MD", None, "2026", date(2026, 12, 31), rows, [("AMA", 60.0)])
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(render_transcript(data))).pages)
    flat = " ".join(text.split())
    for n in (0, 29, 59):
        assert f"Grand Rounds {n}: Sepsis — the Hour-1 Bundle in the ED" in flat


def _build_layer() -> Any:
    spec = importlib.util.spec_from_file_location("build_layer", LAYER / "build_layer.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Run in a fresh process: what this one has loaded depends on the tests run before (the icon
# script's tests load Pillow's FreeType module, which no certificate needs).
LOADS = """
import dataclasses, io, json, sys
from pathlib import Path
from PIL import Image
from cme.platform.normalize import normalize_phone
from cme.records.pdf.certificate import render
from tests.support.certificates import certificate
data = certificate(learner_name="Zoë Łukasiewicz-Müller", director_name="Dr. Nguyễn Thị Minh Khai")
png, jpeg = io.BytesIO(), io.BytesIO()
Image.new("RGBA", (40, 20), (0, 0, 0, 128)).save(png, "PNG")
Image.new("RGB", (40, 20)).save(jpeg, "JPEG")
for name, signature in (("王小明", png), ("हिन्दी नाम", jpeg), ("สมชาย ใจดี", png), ("שלום כהן", jpeg)):
    render(dataclasses.replace(data, learner_name=name, signature_image=signature.getvalue()))
assert normalize_phone("(480) 555-0142", "US") == "+14805550142"
site = Path(Image.__file__).resolve().parents[1]
loaded = [Path(m.__file__).resolve() for m in list(sys.modules.values()) if getattr(m, "__file__", None)]
print(json.dumps([path.relative_to(site).as_posix() for path in loaded if path.is_relative_to(site)]))
"""


def test_the_layer_keeps_every_module_a_pdf_or_a_phone_number_loads() -> None:
    rules = _build_layer()
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path[:0] = [{str(LAYER)!r}, {str(ROOT)!r}]\n" + LOADS],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    inside = [PurePosixPath(path) for path in json.loads(done.stdout.strip().splitlines()[-1])]
    assert any(str(path).startswith("fontTools/subset") for path in inside)
    assert [path for path in inside if rules.drop(path)] == []
    assert rules.drop(PurePosixPath("fontTools/cu2qu/cu2qu.py"))
    assert rules.drop(PurePosixPath("PIL/_webp.cpython-312-x86_64-linux-gnu.so"))
    assert not rules.drop(PurePosixPath("cme/records/pdf/fonts/DejaVuSans-Latin.ttf"))


def test_the_layer_takes_the_aws_sdk_from_the_runtime_and_phonenumberslite() -> None:
    names = {name for name, _ in _build_layer().requirements()}
    assert "phonenumberslite" in names
    assert "phonenumbers" not in names
    assert not names & {"boto3", "botocore", "s3transfer"}
    assert {"pynamodb", "fpdf2", "fonttools", "pillow", "uharfbuzz"} <= names
