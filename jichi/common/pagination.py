"""Cursor pagination: stable under inserts, O(limit) at any depth.

A page answer is ``{"items": [...], "next_cursor": "..." | null}``; the
client passes ``?cursor=<next_cursor>`` for the next page and stops when it
is null. The cursor is opaque (URL-safe base64 of the last key seen).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from jichi.common.errors import RuleViolation

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None


def encode_cursor(value: Any) -> str:
    raw = json.dumps({"k": value}, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def _invalid_cursor() -> RuleViolation:
    return RuleViolation(
        "cursor.invalid",
        "カーソルの値が正しくありません。前の応答の next_cursor をそのまま指定してください。",
        "The cursor is not valid: pass next_cursor from the previous answer unchanged.",
        "cursor",
    )


def decode_cursor(cursor: str) -> Any:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))["k"]
    except (ValueError, KeyError, TypeError, UnicodeError) as exc:
        raise _invalid_cursor() from exc


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise RuleViolation(
            "limit.range",
            f"limit は1から{MAX_LIMIT}までの整数で指定してください。",
            f"limit must be an integer from 1 to {MAX_LIMIT}.",
            "limit",
        )
    return limit


def paginate(
    queryset,
    *,
    key: str | tuple[str, ...],
    cursor: str | None,
    limit: int = DEFAULT_LIMIT,
    descending: bool = False,
    to_key=str,
) -> Page:
    """One page of ``queryset`` ordered by ``key``: a unique field, or a tuple of fields
    whose values together are unique (``("name_key", "person_id")``: by reading, then
    by person).

    ``to_key`` turns a row's key value (each value, for a tuple) into the JSON value
    kept in the cursor (``str`` for UUIDs and codes, ``int`` for sequences).
    """
    limit = check_limit(limit)
    keys = (key,) if isinstance(key, str) else tuple(key)
    ordered = queryset.order_by(*(f"-{k}" if descending else k for k in keys))
    if cursor:
        last = decode_cursor(cursor)
        last = [last] if isinstance(key, str) else last
        if not isinstance(last, list) or len(last) != len(keys):
            raise _invalid_cursor()
        ordered = ordered.filter(_after(keys, last, descending))
    rows = list(ordered[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more:
        values = [to_key(getattr(rows[-1], k)) for k in keys]
        next_cursor = encode_cursor(values[0] if isinstance(key, str) else values)
    return Page(rows, next_cursor)


def _after(keys: tuple[str, ...], last: list, descending: bool) -> Q:
    """Rows after ``last`` in the order of ``keys`` (a row comparison written out, so
    every database and every index understands it)."""
    beyond = "lt" if descending else "gt"
    condition = Q()
    for i, k in enumerate(keys):
        step = Q(**{f"{k}__{beyond}": last[i]}, **{keys[j]: last[j] for j in range(i)})
        condition |= step
    return condition
