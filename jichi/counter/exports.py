"""The dashboard's edges: its query checked, and its figures as JSON and as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, fields

from django.http import HttpResponse

from jichi.common.errors import ErrorCollector
from jichi.counter import rules
from jichi.counter.dashboard import ALL, Dashboard, Query

MAX_DAYS = 366
WEEKDAYS = ("月", "火", "水", "木", "金", "土", "日")


def checked(query: Query) -> Query:
    """The query, if its period and procedure make sense."""
    errors = ErrorCollector()
    if query.date_from > query.date_to:
        errors.add(
            "date_to.before_from",
            "終了日は開始日以降にしてください。",
            "The end date must not be before the start date.",
            "date_to",
        )
    elif (query.date_to - query.date_from).days >= MAX_DAYS:
        errors.add(
            "date_to.too_far",
            f"集計期間は{MAX_DAYS}日以内にしてください。",
            f"The period is at most {MAX_DAYS} days.",
            "date_to",
        )
    if query.procedure_id:
        rules.check_procedure_id(errors, query.procedure_id)
    errors.raise_if_any()
    return query


def as_json(board: Dashboard) -> dict:
    # shallow: the figures are already plain lists and dicts (asdict would copy them deeply)
    data = {f.name: getattr(board, f.name) for f in fields(board)}
    data["query"] = asdict(board.query)
    data["waiting"] = {k or "all": v for k, v in board.waiting.items()}
    data["processing"] = {k or "all": v for k, v in board.processing.items()}
    return data


def rows(board: Dashboard):
    """The dashboard as CSV rows: one section after another, each with its header."""
    yield [
        "section",
        "day",
        "procedure_id",
        "visits",
        "served",
        "online",
        "counter",
        "online_rate",
    ]
    for r in board.volumes:
        yield [
            "volume",
            r["day"].isoformat(),
            r["procedure_id"],
            r["visits"],
            r["served"],
            r["online"],
            r["counter"],
            "" if r["online_rate"] is None else r["online_rate"],
        ]
    yield []
    yield ["section", "measure", "procedure_id", "count", "mean_s", "p50_s", "p90_s", "p95_s"]
    for measure, figures in (("waiting", board.waiting), ("processing", board.processing)):
        for procedure_id, f in sorted(figures.items()):
            yield [
                "distribution",
                measure,
                procedure_id or "all",
                f["count"],
                f["mean"],
                f["p50"],
                f["p90"],
                f["p95"],
            ]
    yield []
    yield ["section", "procedure_id", "measured", "breaches", "rate", "target_minutes"]
    for r in board.breaches:
        yield [
            "breach",
            r["procedure_id"],
            r["measured"],
            r["breaches"],
            r["rate"],
            board.query.target_minutes,
        ]
    yield []
    yield ["section", "weekday", *[f"{h:02d}" for h in range(24)]]
    for day, counts in zip(WEEKDAYS, board.busiest, strict=True):
        yield ["busiest", day, *counts]


def csv_text(board: Dashboard) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows(board))
    return buffer.getvalue()


def csv_response(board: Dashboard) -> HttpResponse:
    """UTF-8 with a BOM, so that spreadsheet software opens the Japanese correctly."""
    query = board.query
    response = HttpResponse("\ufeff" + csv_text(board), content_type="text/csv; charset=utf-8")
    name = f"counter-dashboard-{query.date_from}-{query.date_to}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


__all__ = ["ALL", "as_json", "checked", "csv_response", "csv_text", "rows"]
