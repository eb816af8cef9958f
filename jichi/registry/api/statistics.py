"""住基人口: population by 町字 × band × sex (JSON, CSV, chart), movements by month."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from ninja import Schema

from jichi.common.api import ERRORS
from jichi.common.downloads import csv_response
from jichi.common.errors import RuleViolation
from jichi.registry import selectors
from jichi.registry.api.common import BASE, router
from jichi.tenancy.access import require


class PopulationRow(Schema):
    town_code: str
    town_name: str
    band: str
    sex: str
    count: int


class TownRow(Schema):
    town_code: str
    town_name: str
    total: int
    male: int
    female: int
    japanese: int
    foreign: int
    households: int


class PopulationOut(Schema):
    on: date
    total: int
    japanese: int
    foreign: int
    households: int
    towns: list[TownRow]
    rows: list[PopulationRow]


CELL_COLUMNS = ["town_code", "town_name", "band", "sex", "count"]
TOWN_COLUMNS = list(TownRow.model_fields)


@router.get(BASE + "/statistics/population", response={200: PopulationOut, **ERRORS})
def population(
    request, code: str, on: date | None = None, format: str = "json", table: str = "cells"
):
    """住基人口 on a date: by 町字 × 5-year band × sex (``rows``) and per 町字 with
    Japanese/foreign and households (``towns``). ``format=csv`` answers one table as CSV
    (UTF-8 with BOM): ``table=cells`` (default) or ``table=towns``."""
    require(request, "statistics:read")
    stats = selectors.population(on or date.today())
    rows = [
        {"town_code": t, "town_name": n, "band": b, "sex": s, "count": c}
        for (t, n, b, s), c in sorted(stats["cells"].items())
    ]
    towns = selectors.population_by_town(stats)
    if format == "csv":
        if table not in {"cells", "towns"}:
            raise RuleViolation(
                "table.unknown",
                "表は cells または towns です。",
                "The table is cells or towns.",
                "table",
            )
        day = stats["on"].isoformat()
        if table == "towns":
            return csv_response(towns, TOWN_COLUMNS, f"population-towns-{code}-{day}.csv")
        return csv_response(rows, CELL_COLUMNS, f"population-{code}-{day}.csv")
    return {
        "on": stats["on"],
        "total": sum(r["count"] for r in rows),
        "japanese": stats["by_kind"].get("1", 0),
        "foreign": stats["by_kind"].get("2", 0),
        "households": sum(stats["households"].values()),
        "towns": towns,
        "rows": rows,
    }


@router.get(BASE + "/statistics/population.{fmt}", response={200: None, **ERRORS})
def population_chart(request, code: str, fmt: str, on: date | None = None):
    """The population pyramid on a date as ``png`` or ``svg`` (Japanese labels)."""
    from jichi.registry.charts import population_pyramid

    municipality = require(request, "statistics:read")
    if fmt not in {"png", "svg"}:
        raise RuleViolation(
            "format.unknown", "形式は png または svg です。", "The format is png or svg.", "fmt"
        )
    stats = selectors.population(on or date.today())
    title = f"{municipality.display_name} 人口ピラミッド（{stats['on'].isoformat()}）"
    content = population_pyramid(stats["cells"], title=title, fmt=fmt)
    return HttpResponse(content, content_type="image/png" if fmt == "png" else "image/svg+xml")


class MovementCountRow(Schema):
    month: int
    reason: str
    reason_label: str
    count: int


@router.get(BASE + "/statistics/movements", response={200: list[MovementCountRow], **ERRORS})
def movement_statistics(request, code: str, year: int, format: str = "json"):
    """Movements of a year by month of 異動日 and reason (``format=csv`` for CSV)."""
    from jichi.registry.codes import Reason

    require(request, "statistics:read")
    counts = selectors.movements_by_month(year)
    rows = [
        {"month": m, "reason": r, "reason_label": Reason(r).label, "count": n}
        for (m, r), n in sorted(counts.items())
    ]
    if format == "csv":
        return csv_response(
            rows, list(MovementCountRow.model_fields), f"movements-{code}-{year}.csv"
        )
    return rows
