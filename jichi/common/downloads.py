"""Files answered by the API and the pages: CSV as UTF-8 with a BOM (Excel opens it right)."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse


def csv_response(rows: list[dict], columns: list[str], filename: str) -> HttpResponse:
    """``rows`` (dicts, keys among ``columns``) as a CSV attachment named ``filename``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
