"""Bordered tables of label/value cells, measured and drawn as operations.

A :class:`Row` is a line of the certificate's table: one or more cells, each a grey
label box and a value box. Widths are shared by weight after the labels take what
they need; a value too long for its box is first narrowed (down to 80 % horizontal
scale, as offices print long addresses), then wrapped over several lines, and the row
grows to hold it. Nothing is ever cut off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jichi.certificates.pdf.ops import PT, Box, Op, Text, text_width

LABEL_SIZE = 8.0
VALUE_SIZE = 10.0
KANA_SIZE = 7.0
ROW_HEIGHT = 7.5
PAD = 1.5  # inner horizontal padding, mm
LINE = 1.4  # line height, em
LABEL_FILL = (236, 236, 236)
MIN_STRETCH = 80.0
# Characters that may not start a line (行頭禁則): kept on the line before.
_NO_LINE_START = frozenset("、。，．,.)）」』】〕・ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ")


@dataclass(frozen=True)
class Cell:
    label: str
    value: str
    weight: float = 1.0
    size: float = VALUE_SIZE
    kana: str = ""  # a small reading above the value (氏名 フリガナ)


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    min_height: float = ROW_HEIGHT


@dataclass
class Fitted:
    """A value as it will be drawn: its lines, size and horizontal scale."""

    lines: list[str]
    size: float
    stretch: float = 100.0


@dataclass
class PlacedCell:
    cell: Cell
    x: float
    label_w: float
    value_w: float
    fitted: Fitted


@dataclass
class MeasuredRow:
    cells: list[PlacedCell] = field(default_factory=list)
    height: float = ROW_HEIGHT


def wrap(text: str, width: float, size: float) -> list[str]:
    """`text` broken into lines no wider than `width` mm (by character, with 行頭禁則);
    a line feed (put there by the layout, never by content) always breaks."""
    if "\n" in text:
        return [line for part in text.split("\n") for line in wrap(part, width, size)]
    lines: list[str] = []
    current, used = "", 0.0
    for ch in text:
        w = text_width(ch, size)
        if current and used + w > width and ch not in _NO_LINE_START:
            lines.append(current)
            current, used = "", 0.0
        current += ch
        used += w
    return [*lines, current]


def fit(text: str, width: float, size: float) -> Fitted:
    """How `text` is drawn in a box `width` mm wide at `size` points."""
    avail = width - 2 * PAD
    if "\n" in text:
        return Fitted(wrap(text, avail, size), size)
    natural = text_width(text, size)
    if natural <= avail:
        return Fitted([text], size)
    if natural * MIN_STRETCH / 100 <= avail:
        return Fitted([text], size, 100 * avail / natural)
    return Fitted(wrap(text, avail, size), size)


def label_width(label: str) -> float:
    return max(16.0, text_width(label, LABEL_SIZE) + 2 * PAD + 1)


def measure(row: Row, x: float, width: float) -> MeasuredRow:
    """Place the cells of `row` across `width` mm from `x` and compute its height."""
    label_ws = [label_width(c.label) for c in row.cells]
    share = (width - sum(label_ws)) / sum(c.weight for c in row.cells)
    measured = MeasuredRow(height=row.min_height)
    for cell, label_w in zip(row.cells, label_ws, strict=True):
        value_w = share * cell.weight
        fitted = fit(cell.value, value_w, cell.size)
        measured.cells.append(PlacedCell(cell, x, label_w, value_w, fitted))
        measured.height = max(measured.height, _content_height(cell, fitted) + 2.0)
        x += label_w + value_w
    return measured


def _content_height(cell: Cell, fitted: Fitted) -> float:
    kana = KANA_SIZE * PT * LINE if cell.kana else 0.0
    return kana + len(fitted.lines) * fitted.size * PT * LINE


def row_ops(row: MeasuredRow, y: float) -> list[Op]:
    """The boxes and texts of a measured row whose top is at `y`."""
    ops: list[Op] = []
    for placed in row.cells:
        ops += _cell_ops(placed, y, row.height)
    return ops


def _cell_ops(placed: PlacedCell, y: float, height: float) -> list[Op]:
    x, cell, fitted = placed.x, placed.cell, placed.fitted
    ops: list[Op] = [
        Box(x, y, placed.label_w, height, fill=LABEL_FILL),
        Box(x + placed.label_w, y, placed.value_w, height),
    ]
    if cell.label:
        label_w = text_width(cell.label, LABEL_SIZE)
        ops.append(
            Text(
                x + (placed.label_w - label_w) / 2,
                _baseline(y, height, LABEL_SIZE, 1),
                cell.label,
                LABEL_SIZE,
            )
        )
    vx = x + placed.label_w + PAD
    if cell.kana:
        kana_y = y + 1.0 + KANA_SIZE * PT * 1.05
        ops.append(Text(vx, kana_y, cell.kana, KANA_SIZE))
        top, box_h = kana_y, height - (kana_y - y)
    else:
        top, box_h = y, height
    lines = len(fitted.lines)
    first = _baseline(top, box_h, fitted.size, lines)
    for i, line in enumerate(fitted.lines):
        baseline = first + i * fitted.size * PT * LINE
        ops.append(Text(vx, baseline, line, fitted.size, stretch=fitted.stretch))
    return ops


def _baseline(top: float, height: float, size: float, lines: int) -> float:
    """The first baseline of `lines` lines centred in a box (IPAex: ascent .88, descent .12)."""
    block = (lines - 1) * size * PT * LINE + size * PT
    return top + (height - block) / 2 + 0.88 * size * PT
