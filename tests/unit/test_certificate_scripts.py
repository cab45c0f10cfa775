"""Names (and titles) print in the scripts clinicians use (issue 12, part 8).

How a name is shown to be printed, character by character: fpdf2 writes a ToUnicode map for
every glyph it draws, and pypdf reads the page's text back through it. A character no font has
is not drawn at all (fpdf2 drops it: with a "missing glyphs" warning when text is not shaped,
silently when HarfBuzz shapes it), so it is missing from the extracted text. The assertions:

- every word of the name is in the extracted text. pypdf gives right-to-left words in logical
  order today; a word read back in visual order (reversed) is accepted too. Control characters
  pypdf emits for glyphs without a Unicode value of their own (Devanagari half forms, the codes
  of CID-keyed CJK fonts) are removed first;
- no font of the document recorded a missing glyph;
- each character outside DejaVu was drawn with the Noto font that cme/platform/writing.py names for it.
"""

from __future__ import annotations

import dataclasses
import io
import json
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from cme.records.pdf.certificate import render
from cme.records.pdf.transcript import Row, TranscriptData
from cme.records.pdf.transcript import render as render_transcript
from tests.support.certificates import certificate

SAMPLES = {
    "Han, simplified": "小明 王",
    "Han": "王小明",
    "Han, traditional": "陳大文",
    "Kana and Han": "さくら 山田",
    "Hangul": "김민준",
    "Arabic": "محمد العلي",
    "Hebrew": "דוד כהן",
    "Devanagari": "अमित शर्मा",
    "Thai": "สมชาย ใจดี",
    "Greek": "Αθηνά Παπαδοπούλου",
    "Cyrillic": "Дмитрий Иванов",
    "Latin": "Seán Ó Briain",
}

DATA = certificate(activity_title="Medicine Grand Rounds: Sepsis — Early Recognition")


def _rendered(monkeypatch: pytest.MonkeyPatch, make: Callable[[], bytes]) -> tuple[str, Any]:
    """The text of every page of the PDF ``make`` returns, and the FPDF document that wrote it."""
    documents: list[Any] = []
    output = FPDF.output

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        documents.append(self)
        return output(self, *args, **kwargs)

    monkeypatch.setattr(FPDF, "output", spy)
    data = make()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc"), documents[-1]


def _assert_printed(name: str, text: str, document: Any) -> None:
    for word in name.split():
        assert word in text or word[::-1] in text, f"{word!r} not printed in {text!r}"
    missing = {key: font.missing_glyphs for key, font in document.fonts.items() if font.missing_glyphs}
    assert not missing, f"glyphs missing: {missing}"
    from cme.platform import writing

    for char in name.replace(" ", ""):
        font = writing.font_for(ord(char))
        assert font is not None, char
        if font.family != "dejavu":
            assert {font.family, font.family + "B"} & set(document.fonts), f"{char!r} not drawn in {font.family}"


@pytest.mark.parametrize("name", SAMPLES.values(), ids=SAMPLES.keys())
def test_certificate_prints_the_name_and_title_in_its_script(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    data = dataclasses.replace(DATA, learner_name=name, activity_title=f"Grand Rounds: {name}")
    text, document = _rendered(monkeypatch, lambda: render(data))
    assert len(text.split()) > 20  # the rest of the certificate is there too
    _assert_printed(name, text, document)
    last = name.rsplit(maxsplit=1)[-1]
    assert text.count(last) >= 2 or text.count(last[::-1]) >= 2  # the name and the title


@pytest.mark.parametrize("name", SAMPLES.values(), ids=SAMPLES.keys())
def test_transcript_prints_the_name_and_row_titles_in_their_script(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    rows = [
        Row(date(2026, 1, 1) + timedelta(days=n), f"{name}: case {n}", "AMA PRA Category 1 Credit™", 1.0)
        for n in range(60)
    ]
    data = TranscriptData(
        "St. Elsewhere CME", name, "MD", None, "January 1 – December 31, 2026", date(2026, 12, 31), rows, [("x", 60.0)]
    )
    text, document = _rendered(monkeypatch, lambda: render_transcript(data))
    _assert_printed(name, text, document)
    assert "continued" in text  # the second page's header names the learner too
    last = name.rsplit(maxsplit=1)[-1]
    assert text.count(last) + text.count(last[::-1]) >= 60 + 2  # every row, the header, the continued header


def test_a_latin_certificate_loads_no_other_font(monkeypatch: pytest.MonkeyPatch) -> None:
    from cme.records.pdf import fonts

    def refuse(*args: Any) -> Any:
        raise AssertionError(f"a Noto font was loaded: {args}")

    monkeypatch.setattr(fonts, "_script_template", refuse)
    text, document = _rendered(monkeypatch, lambda: render(DATA))
    assert "Zoë Łukasiewicz-Müller, MD" in text
    assert set(document.fonts) == {"dejavu", "dejavuB"}
    assert document.text_shaping is None and not document._fallback_font_ids  # fpdf2's fast path, unchanged


def test_a_name_loads_only_the_pieces_it_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    from cme.platform import writing

    name = "王小明"
    text, document = _rendered(monkeypatch, lambda: render(dataclasses.replace(DATA, learner_name=name)))
    needed = {writing.font_for(ord(char)).family + "B" for char in name}  # type: ignore[union-attr]
    assert len(needed) == 3 and set(document.fonts) == {"dejavu", "dejavuB", *needed}  # bold only: the name's style
    assert f"{name}, MD" in text


def test_mixed_scripts_and_name_punctuation(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "José 王 O’Brien-Ó d'Arc Jr. محمد"
    text, document = _rendered(monkeypatch, lambda: render(dataclasses.replace(DATA, learner_name=name)))
    _assert_printed(name, text, document)


def test_a_long_title_without_spaces_wraps_and_stays_on_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    title = "敗血症の早期認識と一時間バンドルに関する多職種連携研修会" * 4
    text, _ = _rendered(monkeypatch, lambda: render(dataclasses.replace(DATA, activity_title=title)))
    assert len(PdfReader(io.BytesIO(render(dataclasses.replace(DATA, activity_title=title)))).pages) == 1
    assert "".join(text.split()).count("敗血症の早期認識") == 4


def test_a_name_no_font_prints_is_refused_never_printed_blank() -> None:
    from cme.platform.errors import InvalidInput

    for name in ("ᏣᎳᎩ", "José ᏣᎳᎩ", "🙂", " "):
        with pytest.raises(InvalidInput) as caught:
            render(dataclasses.replace(DATA, learner_name=name))
        assert caught.value.code == "NAME_UNPRINTABLE"
        assert "Names can be written in Latin, Greek, Cyrillic, Chinese, Japanese" in caught.value.message


def test_other_texts_lose_only_what_no_font_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    data = dataclasses.replace(DATA, activity_title="Sepsis 🚑 update", location="ᏣᎳᎩ")
    text, document = _rendered(monkeypatch, lambda: render(data))
    assert "Sepsis update" in text and "Live activity, March 3, 2026, ???" in text
    assert not any(font.missing_glyphs for font in document.fonts.values())


def test_the_manifest_matches_the_fonts() -> None:
    """cme/records/pdf/fonts/scripts.json is what infra/tools/make_script_fonts.py makes from the fonts."""
    from cme.platform import writing
    from infra.tools import make_script_fonts

    assert json.loads(writing.MANIFEST.read_text(encoding="utf-8")) == make_script_fonts.manifest()
    table = writing._table()
    assert all(table.ends[i] < table.starts[i + 1] for i in range(len(table.starts) - 1))  # one font a character
    for font in writing.fonts():
        assert (make_script_fonts.FONTS / font.regular).is_file() and (make_script_fonts.FONTS / font.bold).is_file()
    licences = {path.name for path in make_script_fonts.FONTS.glob("LICENSE-*")}
    assert licences == {"LICENSE-DejaVu.txt", "LICENSE-Noto.txt"}


def test_every_han_character_of_the_unified_block_is_printable() -> None:
    """Names use any of ~20,000 Han characters: the CJK pieces keep them all (and every Hangul
    syllable, and Kana)."""
    from cme.platform import writing

    missing = [
        hex(c) for block in ((0x4E00, 0x9FEF), (0xAC00, 0xD7A3), (0x3041, 0x3096), (0x30A1, 0x30FA))
        for c in range(block[0], block[1] + 1) if not writing.printable(chr(c))
    ]  # fmt: skip
    assert missing == []


@pytest.mark.parametrize(
    "name",
    [
        *SAMPLES.values(),
        "José 王",
        "佐々木 ナカムラ・ジョン",
        "Mary-Kate O’Brien-d'Arc Jr.",
        "میرزا\u200cعلی",
        "Zoe\u0308",
    ],
)
def test_the_name_rule_accepts_what_certificates_print(name: str) -> None:
    from cme.platform import normalize

    assert normalize.name_problems(name) == []
    normalize.check_name_scripts({"first_name": name, "last_name": name})


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("ᏣᎳᎩ", ["Ꮳ", "Ꮃ", "Ꭹ"]),
        ("አበበ", ["አ", "በ"]),
        ("Zoë 🙂", ["🙂"]),
        ("Zoë\u202eevil", ["\u202e"]),
        ("A\u200bB", ["\u200b"]),
    ],
)
def test_the_name_rule_refuses_other_scripts_and_invisible_characters(name: str, bad: list[str]) -> None:
    from cme.platform import normalize
    from cme.platform.errors import InvalidInput

    assert normalize.name_problems(name) == bad
    with pytest.raises(InvalidInput) as caught:
        normalize.check_name_scripts({"first_name": "Zoë", "last_name": name})
    assert caught.value.code == "NAME_SCRIPT_UNSUPPORTED"
    assert caught.value.message.startswith("Names can be written in Latin, Greek, Cyrillic, Chinese, Japanese, Korean,")
    assert caught.value.message.endswith("Please check your last name.")
    assert [d["field"] for d in caught.value.details or []] == ["last_name"]
