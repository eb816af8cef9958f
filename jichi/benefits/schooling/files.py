"""就学通知 as a standard-layout file (``school-notices``)."""

from __future__ import annotations

import csv

from jichi.benefits.schooling.models import EntryNotice
from jichi.linkage.layouts import SCHOOL_NOTICES


def export_notices(code: str, stream) -> int:
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(SCHOOL_NOTICES.header)
    rows = 0
    for n in EntryNotice.objects.select_related("school").order_by("entry_year", "number"):
        writer.writerow([
            code, n.number, n.entry_year, n.school.code, n.child_name, n.guardian_name,
            n.birth_date.isoformat(), n.status,
        ])  # fmt: skip
        rows += 1
    return rows
