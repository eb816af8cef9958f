"""Areas drawn from 町字 (投票区, 通学区域): each town known and in one area of a kind."""

from __future__ import annotations

from jichi.common.errors import ErrorCollector
from jichi.registry.towns import towns_of


class TownAreas:
    """Checks the town lists of a set of areas, gathering the problems in ``errors``."""

    def __init__(self, municipality_code: str, errors: ErrorCollector) -> None:
        self.known = {town.code for town in towns_of(municipality_code)}
        self.errors = errors
        self.taken: dict[tuple[str, str], str] = {}  # (kind, town) -> area code

    def check(
        self, towns: list[str], field: str, area: str, *, kind: str = "", what_ja: str, what_en: str
    ) -> None:
        """``towns`` of the area ``area`` (of ``kind``), named ``what`` in the messages."""
        for town in towns:
            if town not in self.known:
                self.errors.add(
                    "towns.unknown",
                    f"町字コード {town} はこの団体にありません。",
                    f"The town code {town} is not one of this municipality's.",
                    field,
                )
            elif (kind, town) in self.taken:
                self.errors.add(
                    "towns.twice",
                    f"町字コード {town} が二つの{what_ja}にあります。",
                    f"The town code {town} is in two {what_en}.",
                    field,
                )
            else:
                self.taken[(kind, town)] = area

    def area_of(self, kind: str = "") -> dict[str, str]:
        """Town -> area code, for the areas of ``kind``."""
        return {town: area for (k, town), area in self.taken.items() if k == kind}
