"""The QR code (segno) to the public verify page, drawn as vector rectangles."""

from __future__ import annotations

from functools import lru_cache

import segno

from jichi.certificates.pdf.ops import BLACK, Box, Op


def _row_runs(row) -> list[tuple[int, int]]:
    """(first column, length) of each dark run of one row."""
    runs, c = [], 0
    while c < len(row):
        if row[c]:
            start = c
            while c < len(row) and row[c]:
                c += 1
            runs.append((start, c - start))
        else:
            c += 1
    return runs


@lru_cache(maxsize=64)
def rectangles(data: str) -> tuple[int, tuple[tuple[int, int, int, int], ...]]:
    """Module count and the dark rectangles (row, column, width, height) of the symbol:
    horizontal runs, merged downwards while the next row repeats them."""
    matrix = segno.make(data, error="m", micro=False).matrix
    open_runs: dict[tuple[int, int], int] = {}  # (column, width) → first row
    rects = []
    for r, row in enumerate([*matrix, bytearray(len(matrix))]):
        runs = set(_row_runs(row))
        for run in [k for k in open_runs if k not in runs]:
            start = open_runs.pop(run)
            rects.append((start, run[0], run[1], r - start))
        for run in runs:
            open_runs.setdefault(run, r)
    return len(matrix), tuple(rects)


def qr_ops(data: str, x: float, y: float, side: float) -> list[Op]:
    """The symbol (without its quiet zone: leave 4 modules free around it), `side` mm."""
    n, rects = rectangles(data)
    m = side / n
    return [
        Box(x + c * m, y + r * m, w * m, h * m, fill=BLACK, stroke=None) for r, c, w, h in rects
    ]
