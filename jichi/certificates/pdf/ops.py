"""Drawing operations: what the layout decides and the renderer executes.

The layout (pure, no PDF library) turns a certificate into pages of these; the
renderer draws them with fpdf2. Coordinates are millimetres from the top-left corner
of an A4 page; text is placed by its baseline; sizes are in points.
"""

from __future__ import annotations

from dataclasses import dataclass

from jichi.certificates.pdf import faces

Color = tuple[int, int, int]
BLACK: Color = (0, 0, 0)
PT = 25.4 / 72  # millimetres per point


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float
    color: Color = BLACK
    stretch: float = 100.0  # horizontal scaling, per cent
    spacing: float = 0.0  # extra space after each character, points
    opacity: float = 1.0
    outline: float = 0.0  # > 0: glyphs also stroked this wide (mm), drawn bolder


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: Color | None = None
    stroke: Color | None = BLACK
    line: float = 0.2  # stroke width, mm
    opacity: float = 1.0


Op = Text | Box


def text_width(text: str, size: float, *, stretch: float = 100.0, spacing: float = 0.0) -> float:
    """The width of `text` in millimetres, each character in the face that draws it."""
    return faces.em_width(text) * size * PT * stretch / 100 + spacing * PT * len(text)
