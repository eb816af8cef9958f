"""Process mining of applications in the JSON API (JSON, CSV of the variants, PNG chart).

Registered before the procedures router: ``procedures/process-mining`` would
otherwise be read as the procedure id of ``procedures/{procedure_id}``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.http import HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from jichi.common.api import ERRORS
from jichi.common.downloads import csv_response
from jichi.procedures import charts, mining
from jichi.tenancy.access import require

router = Router(tags=["procedures"])
PATH = "/municipalities/{code}/procedures/process-mining"
CSV_COLUMNS = [
    "rank",
    "variant",
    "variant_ja",
    "steps",
    "count",
    "share",
    "median_seconds",
    "p90_seconds",
]


class MiningParams(Schema):
    date_from: date | None = Field(
        None, alias="from", description="first day (default: 89 days before `to`)"
    )
    date_to: date | None = Field(None, alias="to", description="last day (default: today)")
    procedure: str = Field("", description="a catalog procedure id (all when empty)")
    format: Literal["json", "csv", "png"] = "json"


class Spread(Schema):
    count: int
    median_seconds: int | None
    p90_seconds: int | None


class VariantOut(Spread):
    states: list[str]
    share: float | None


class EdgeOut(Spread):
    from_state: str = Field(alias="from")
    to_state: str = Field(alias="to")


class StateOut(Spread):
    state: str


class ReworkCount(Schema):
    times: int
    applications: int


class ReworkOut(Schema):
    applications: int
    share: float | None
    requests: int
    per_application: list[ReworkCount]


class BreachOut(Schema):
    measured: int
    breached: int
    share: float | None


class MiningOut(Schema):
    date_from: date
    date_to: date
    procedure: str
    applications: int
    variants: list[VariantOut]
    edges: list[EdgeOut]
    states: list[StateOut]
    rework: ReworkOut
    breaches: BreachOut


def _query(params: MiningParams) -> mining.Query:
    default = mining.default_query(params.date_to, params.procedure)
    return mining.checked(
        mining.Query(params.date_from or default.date_from, default.date_to, params.procedure)
    )


def variant_rows(result: mining.Mining) -> list[dict]:
    return [
        {
            "rank": rank,
            "variant": " → ".join(v["states"]),
            "variant_ja": charts.variant_label(v["states"]),
            "steps": len(v["states"]),
            **{name: v[name] for name in ("count", "share", "median_seconds", "p90_seconds")},
        }
        for rank, v in enumerate(result.variants, start=1)
    ]


@router.get(PATH, response={200: MiningOut, **ERRORS}, by_alias=True)
def process_mining(request, code: str, params: Query[MiningParams]):
    """The paths of applications through the workflow submitted in the period, with their
    frequencies and durations (seconds): variants, directly-follows edges, time per state,
    rework (補正依頼) and due-date breaches. ``format=csv`` answers the variants as CSV
    (UTF-8 with BOM), ``format=png`` the most frequent variants as a bar chart."""
    require(request, "procedures:review")
    query = _query(params)
    result = mining.mine(query)
    if params.format == "csv":
        name = f"process-mining-{code}-{query.date_from}-{query.date_to}.csv"
        return csv_response(variant_rows(result), CSV_COLUMNS, name)
    if params.format == "png":
        return HttpResponse(charts.variants_png(result), content_type="image/png")
    return {
        "date_from": query.date_from,
        "date_to": query.date_to,
        "procedure": query.procedure_id,
        "applications": result.applications,
        "variants": result.variants,
        "edges": result.edges,
        "states": result.states,
        "rework": result.rework,
        "breaches": result.breaches,
    }
