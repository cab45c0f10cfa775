"""QR codes drawn as vector rectangles (one per run of dark modules): sharp at any size."""

from __future__ import annotations

import segno
from fpdf import FPDF


def draw(pdf: FPDF, data: str, x: float, y: float, size: float) -> None:
    # A fixed mask pattern (any of the 8 is valid): skips scoring all eight, ~5 ms a code.
    code = segno.make(data, error="m", mask=4)
    matrix = [list(row) for row in code.matrix]
    border = 2
    count = len(matrix) + 2 * border
    module = size / count
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(
                    x + (start + border) * module, y + (r + border) * module, (c - start) * module, module, style="F"
                )
            else:
                c += 1
