"""Where text lies on the pages of a PDF, read back with pypdf (WeasyPrint's output).

Widths come from the PDF's own glyph widths (Type0 fonts with Identity-H encoding, as
WeasyPrint writes them), so a line that runs off the page is caught without rendering.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pypdf
from pypdf.generic import ContentStream, DictionaryObject

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
MM = 72 / 25.4


@dataclass(frozen=True)
class TextRun:
    """One shown string (TJ): its page (from 0), glyph count, left and right edges in pt."""

    page: int
    glyphs: int
    left: float
    right: float


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """The PDF matrix product m x n: apply m, then n."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (
        a * p + b * r,
        a * q + b * s,
        c * p + d * r,
        c * q + d * s,
        e * p + f * r + t,
        e * q + f * s + u,
    )


def matrix(operands: list[Any]) -> Matrix:
    """Six PDF numbers as a matrix."""
    a, b, c, d, e, f = (float(value) for value in operands)
    return (a, b, c, d, e, f)


@dataclass(frozen=True)
class FontWidths:
    """Glyph widths of a Type0 font by CID, in thousandths of the font size."""

    widths: dict[int, float]
    default: float

    @classmethod
    def of(cls, font: DictionaryObject) -> FontWidths:
        """Read the /W array (`c [w ...]` and `c_first c_last w` entries) and /DW."""
        descendant = font["/DescendantFonts"][0].get_object()
        entries = list(descendant.get("/W", []))
        widths: dict[int, float] = {}
        index = 0
        while index < len(entries):
            first, following = int(entries[index]), entries[index + 1]
            if isinstance(following, list):
                widths.update({first + n: float(width) for n, width in enumerate(following)})
                index += 2
            else:
                width = float(entries[index + 2])
                widths.update({cid: width for cid in range(first, int(following) + 1)})
                index += 3
        return cls(widths, float(descendant.get("/DW", 1000)))

    def advance(self, raw: bytes) -> float:
        """The advance of two-byte codes (CIDs), in thousandths of the font size."""
        return sum(
            self.widths.get(int.from_bytes(raw[i : i + 2], "big"), self.default)
            for i in range(0, len(raw), 2)
        )


def text_runs(reader: pypdf.PdfReader) -> Iterator[TextRun]:
    """Every string shown on the page content streams, with its horizontal extent."""
    for number, page in enumerate(reader.pages):
        fonts = page["/Resources"].get("/Font", {})
        ctm, stack, tm = IDENTITY, list[Matrix](), IDENTITY
        font, size = FontWidths({}, 0.0), 0.0
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"q":
                stack.append(ctm)
            elif operator == b"Q":
                ctm = stack.pop()
            elif operator == b"cm":
                ctm = multiply(matrix(operands), ctm)
            elif operator == b"Tm":
                tm = matrix(operands)
            elif operator == b"Tf":
                font, size = FontWidths.of(fonts[operands[0]].get_object()), float(operands[1])
            elif operator in (b"TJ", b"Tj"):
                yield _run(
                    number,
                    operands[0] if operator == b"TJ" else [operands[0]],
                    font,
                    size,
                    multiply(tm, ctm),
                )


def _run(page: int, parts: list[Any], font: FontWidths, size: float, to_page: Matrix) -> TextRun:
    advance, glyphs = 0.0, 0
    for part in parts:
        if isinstance(part, int | float):
            advance -= float(part)  # a TJ adjustment moves the next glyph left
            continue
        raw = part.original_bytes if hasattr(part, "original_bytes") else bytes(part)
        advance += font.advance(raw)
        glyphs += len(raw) // 2
    start = multiply(IDENTITY, to_page)[4]
    end = multiply((1.0, 0.0, 0.0, 1.0, advance / 1000 * size, 0.0), to_page)[4]
    return TextRun(page, glyphs, min(start, end), max(start, end))


def body_text(page: pypdf.PageObject, top: float, bottom: float) -> str:
    """The page's text without its margin boxes: `top` and `bottom` are those margins in pt."""
    height = float(page.mediabox.height)
    parts: list[str] = []

    def keep(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        y = height - multiply(matrix(tm), matrix(cm))[5]
        if top <= y <= height - bottom:
            parts.append(text)

    page.extract_text(visitor_text=keep)
    return "".join(parts)
