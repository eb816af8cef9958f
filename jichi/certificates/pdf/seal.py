"""The official seal (公印) of a municipality, drawn as vectors.

A red square with the seal's words (``横浜市長之印``) in columns read from the right,
top to bottom, as seals are cut; each glyph is stretched to fill its cell. The border
carries small gaps, like the wear of a real seal, placed from the SHA-256 of the
municipality code and the words: every municipality gets its own seal, and the same
one on every certificate (nothing random, nothing stored).
"""

from __future__ import annotations

import hashlib
import math

from jichi.certificates.pdf.faces import em_width
from jichi.certificates.pdf.ops import PT, Box, Color, Op, Text

RED: Color = (204, 32, 40)
OPACITY = 0.85  # the ink lets the name under the seal show through
_BORDER = 0.07  # border thickness, share of the side
_PADDING = 0.12  # from the outer edge to the characters
_ASCENT = 0.88  # IPAex明朝 ascent, em


def columns(words: str) -> list[str]:
    """The words split into columns, rightmost first (6 characters: 3 columns of 2)."""
    n = len(words)
    count = max(1, math.ceil(math.sqrt(n)))
    base, extra = divmod(n, count)
    out, start = [], 0
    for i in range(count):
        size = base + (1 if i < extra else 0)
        out.append(words[start : start + size])
        start += size
    return [c for c in out if c]


def seal_ops(words: str, key: str, x: float, y: float, side: float) -> list[Op]:
    """The seal as drawing operations, its top-left corner at (x, y), `side` mm wide."""
    return [*_border(key, words, x, y, side), *_characters(words, x, y, side)]


def _characters(words: str, x: float, y: float, side: float) -> list[Op]:
    cols = columns(words)
    inner = side * (1 - 2 * _PADDING)
    cell_w = inner / len(cols)
    ops: list[Op] = []
    for i, column in enumerate(cols):
        cell_h = inner / len(column)
        size = cell_h * 0.96 / PT
        left = x + side * _PADDING + inner - (i + 1) * cell_w
        for j, ch in enumerate(column):
            natural = em_width(ch) * size * PT
            stretch = 100 * cell_w * 0.96 / natural
            top = y + side * _PADDING + j * cell_h
            ops.append(
                Text(
                    left + cell_w * 0.02,
                    top + cell_h * 0.02 + _ASCENT * size * PT * 0.96,
                    ch,
                    size,
                    RED,
                    stretch=stretch,
                    opacity=OPACITY,
                    outline=size * 0.012,
                )
            )
    return ops


def _gaps(key: str, words: str) -> list[list[tuple[float, float]]]:
    """Per side (top, right, bottom, left): the worn intervals, as shares of the side."""
    digest = hashlib.sha256(f"{key}:{words}".encode()).digest()
    gaps: list[list[tuple[float, float]]] = [[], [], [], []]
    for i in range(0, 12, 2):
        side, at = digest[i] % 4, 0.15 + 0.7 * digest[i + 1] / 255
        gaps[side].append((at, at + 0.015 + 0.03 * (digest[i + 12] / 255)))
    return [sorted(g) for g in gaps]


def _segments(gaps: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out, start = [], 0.0
    for a, b in gaps:
        if a > start:
            out.append((start, a))
        start = max(start, b)
    out.append((start, 1.0))
    return out


def _border(key: str, words: str, x: float, y: float, side: float) -> list[Op]:
    t = side * _BORDER
    top, right, bottom, left = _gaps(key, words)
    ops: list[Op] = []
    for a, b in _segments(top):
        ops.append(Box(x + a * side, y, (b - a) * side, t, fill=RED, stroke=None, opacity=OPACITY))
    for a, b in _segments(bottom):
        ops.append(
            Box(
                x + a * side,
                y + side - t,
                (b - a) * side,
                t,
                fill=RED,
                stroke=None,
                opacity=OPACITY,
            )
        )
    span = side - 2 * t
    for a, b in _segments(left):
        ops.append(
            Box(x, y + t + a * span, t, (b - a) * span, fill=RED, stroke=None, opacity=OPACITY)
        )
    for a, b in _segments(right):
        ops.append(
            Box(
                x + side - t,
                y + t + a * span,
                t,
                (b - a) * span,
                fill=RED,
                stroke=None,
                opacity=OPACITY,
            )
        )
    return ops
