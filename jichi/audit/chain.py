"""The canonical form of an audit entry and of a checkpoint, and their hashes.

The canonical JSON has sorted keys, no spaces, UTF-8, times in UTC with
microseconds: the same entry gives the same bytes on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

GENESIS = "0" * 64


def canonical_json(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def entry_content(entry) -> dict:
    """What the hash of an entry covers: everything it says, and its place."""
    return {
        "municipality": entry.municipality_id,
        "seq": entry.seq,
        "prev_hash": entry.prev_hash,
        "time": _time(entry.occurred_at),
        "actor": {"kind": entry.actor_kind, "id": entry.actor_id, "label": entry.actor_label},
        "action": entry.action,
        "object": {"type": entry.object_type, "id": entry.object_id},
        "purpose": entry.purpose,
        "outcome": entry.outcome,
        "request_id": entry.request_id,
        "details": entry.details,
    }


def entry_hash(entry) -> str:
    return hashlib.sha256(canonical_json(entry_content(entry))).hexdigest()


def checkpoint_message(checkpoint) -> bytes:
    return canonical_json(
        {
            "municipality": checkpoint.municipality_id,
            "seq": checkpoint.seq,
            "entry_hash": checkpoint.entry_hash,
            "time": _time(checkpoint.created_at),
        }
    )
