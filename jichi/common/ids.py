"""Identifiers: UUIDv7 (time-ordered, RFC 9562) for rows without a standard number."""

from __future__ import annotations

import uuid

import uuid6

from jichi.common.errors import not_found


def new_id() -> uuid.UUID:
    """A UUIDv7: sorts by creation time, so indexes stay append-mostly."""
    return uuid.UUID(int=uuid6.uuid7().int)


def parse_id(value, what_en: str = "resource", what_ja: str = "対象") -> uuid.UUID:
    """An id from a path or a form; anything that is not a UUID is a 404 like an unknown one."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise not_found(what_en, what_ja) from None
