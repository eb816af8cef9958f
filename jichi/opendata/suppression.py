"""Small counts about people kept out of published tables (秘匿処理), so that no resident
can be singled out — neither by a small cell nor by subtracting from a total.

The rule (docs/opendata.md, "Suppression"):

1. **Primary**: a count of persons or households from 1 to ``THRESHOLD - 1`` (1 or 2)
   is suppressed. Zero is shown.
2. **Secondary**: a table declares its *groups*, each a total and the cells that add
   up to it (the bands of one sex in one area, 男性 + 女性 = 総人口, one band over
   every area = the municipality's row). While the total of a group is shown and
   exactly one of its cells is suppressed, that cell is the total minus the
   others: the smallest other cell that is not zero is suppressed too (if every
   other cell is zero, the total is). Repeated until no group gives a cell away.

Suppression only adds, and the result does not depend on the order the groups are
given in: they are taken in the order of their keys, and each takes its smallest
cell, ties broken by the cells' keys.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

THRESHOLD = 3  # counts under this (and above zero) are not published


@dataclass(frozen=True)
class Group:
    """Cells ``parts`` that add up to the cell ``total``."""

    total: Hashable
    parts: tuple[Hashable, ...]


def suppress(counts: dict[Hashable, int], groups: Iterable[Group]) -> set[Hashable]:
    """The keys of ``counts`` not to publish (primary, then secondary suppression)."""
    hidden = {key for key, n in counts.items() if 0 < n < THRESHOLD}
    groups = sorted(groups, key=lambda g: (repr(g.total), repr(g.parts)))  # a fixed order
    changed = True
    while changed:
        changed = False
        for group in groups:
            if group.total in hidden:
                continue
            secret = [p for p in group.parts if p in hidden]
            if len(secret) != 1:
                continue
            others = sorted(
                (counts[p], repr(p), p) for p in group.parts if p not in hidden and counts[p] > 0
            )
            hidden.add(others[0][2] if others else group.total)
            changed = True
    return hidden


def table_groups(
    rows: list[Hashable], columns: list[Hashable], *, row_total: Hashable, total_row: Hashable
) -> list[Group]:
    """Groups of a table of ``rows`` × ``columns`` (keys ``(row, column)``) where each row
    adds up to its ``row_total`` column and each column to the ``total_row`` row."""
    groups = [Group((r, row_total), tuple((r, c) for c in columns)) for r in rows]
    groups += [
        Group((total_row, c), tuple((r, c) for r in rows if r != total_row))
        for c in [*columns, row_total]
    ]
    return groups
