"""``jichi export-layout --layout NAME --municipality CODE --output FILE``: a derived
business's data as its standard layout (UTF-8 with BOM, CRLF), for moving between vendors.
The register itself has ``jichi export-residents``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jichi.benefits.allowance.files import export_recipients
from jichi.benefits.elections.files import export_electors
from jichi.benefits.schooling.files import export_notices
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.models import Municipality

EXPORTERS = {
    "electors": export_electors,
    "allowance": export_recipients,
    "school-notices": export_notices,
}


class Command(BaseCommand):
    help = "Write a derived business's data in its standard layout (see docs/layouts.md)."

    def add_arguments(self, parser):
        parser.add_argument("--layout", required=True, choices=sorted(EXPORTERS))
        parser.add_argument("--municipality", required=True)
        parser.add_argument("--output", required=True)

    def handle(self, *args, **options):
        code = options["municipality"]
        if not Municipality.objects.filter(code=code).exists():
            raise CommandError(f"no municipality {code}")
        path = Path(options["output"])
        partial = path.with_name(path.name + ".partial")
        with tenant_scope(code, "standard-layout export"):
            with partial.open("w", encoding="utf-8-sig", newline="") as stream:
                rows = EXPORTERS[options["layout"]](code, stream)
        partial.replace(path)  # the file appears whole or not at all
        self.stdout.write(f"wrote {rows} rows of {options['layout']} to {path}")
