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


def decode_cursor(cursor: str) -> Any:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))["k"]
    except (ValueError, KeyError, TypeError, UnicodeError) as exc:
        raise RuleViolation(
            "cursor.invalid",
            "カーソルの値が正しくありません。前の応答の next_cursor をそのまま指定してください。",
            "The cursor is not valid: pass next_cursor from the previous answer unchanged.",
            "cursor",
        ) from exc


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
    key: str,
    cursor: str | None,
    limit: int = DEFAULT_LIMIT,
    descending: bool = False,
    to_key=str,
) -> Page:
    """One page of ``queryset`` ordered by the unique field ``key``.

    ``to_key`` turns a row's key into the JSON value kept in the cursor
    (``str`` for UUIDs and codes, ``int`` for sequences).
    """
    limit = check_limit(limit)
    ordered = queryset.order_by(f"-{key}" if descending else key)
    if cursor:
        last = decode_cursor(cursor)
        ordered = ordered.filter(**{f"{key}__{'lt' if descending else 'gt'}": last})
    rows = list(ordered[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(to_key(getattr(rows[-1], key))) if more else None
    return Page(rows, next_cursor)
