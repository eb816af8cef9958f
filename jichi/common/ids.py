"""Identifiers: UUIDv7 (time-ordered, RFC 9562) for rows without a standard number."""

from __future__ import annotations

import uuid

import uuid6


def new_id() -> uuid.UUID:
    """A UUIDv7: sorts by creation time, so indexes stay append-mostly."""
    return uuid.UUID(int=uuid6.uuid7().int)
