"""How DejaVuSans-Latin*.ttf were made (run by hand; the results are committed).

    python infra/tools/make_font_subset.py /usr/share/fonts/truetype/dejavu   # fonts-dejavu-core

They keep DejaVu Sans's Latin (with Vietnamese), Greek and Cyrillic letters, combining marks
and punctuation: every name a clinician is likely to have, in about 230 KB instead of 740 KB.
Being small, they are embedded whole (see cme/records/pdf/fonts.py).
Licence: layers/common/cme/records/pdf/fonts/LICENSE-DejaVu.txt.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

RANGES = [
    (0x20, 0x7E), (0xA0, 0x2FF), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x1E00, 0x1EFF),
    (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x214F), (0xFB00, 0xFB06),
]  # fmt: skip


def main(source: Path) -> None:
    here = Path(__file__).resolve().parents[2] / "layers" / "common" / "cme" / "records" / "pdf" / "fonts"
    for name, target in (
        ("DejaVuSans.ttf", "DejaVuSans-Latin.ttf"),
        ("DejaVuSans-Bold.ttf", "DejaVuSans-Latin-Bold.ttf"),
    ):
        options = subset.Options()
        options.layout_features = []
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.glyph_names = True
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
        font = TTFont(source / name)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[c for low, high in RANGES for c in range(low, high + 1)])
        subsetter.subset(font)
        font.save(here / target)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
