"""Recipients and their children as a standard-layout file (``allowance``)."""

from __future__ import annotations

import csv

from jichi.benefits.allowance.models import AllowanceChild
from jichi.linkage.layouts import ALLOWANCE


def _day(value) -> str:
    return value.isoformat() if value else ""


def export_recipients(code: str, stream) -> int:
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(ALLOWANCE.header)
    rows = 0
    children = AllowanceChild.objects.select_related("recipient").order_by(
        "recipient__number", "recipient__start_month", "birth_date"
    )
    for child in children.iterator(chunk_size=10_000):
        r = child.recipient
        writer.writerow([
            code, r.number, r.name, _day(r.claimed_on), _day(r.start_month), _day(r.end_month),
            child.number, child.name, _day(child.birth_date), _day(child.from_month),
            _day(child.to_month),
        ])  # fmt: skip
        rows += 1
    return rows
