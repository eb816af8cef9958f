"""The roll as a standard-layout file (``electors``, see docs/layouts.md)."""

from __future__ import annotations

import csv

from jichi.benefits.elections.models import ElectorEntry
from jichi.benefits.elections.selectors import ON_ROLL
from jichi.linkage.layouts import ELECTORS


def export_electors(code: str, stream) -> int:
    """Write the electors on the roll (in the municipality's scope); how many."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(ELECTORS.header)
    rows = 0
    entries = ElectorEntry.objects.filter(status__in=ON_ROLL).order_by("district", "number")
    for entry in entries.iterator(chunk_size=10_000):
        writer.writerow([
            code, entry.number, entry.district, entry.sex, entry.registered_on.isoformat(),
            entry.status, entry.displayed_on.isoformat() if entry.displayed_on else "",
        ])  # fmt: skip
        rows += 1
    return rows
