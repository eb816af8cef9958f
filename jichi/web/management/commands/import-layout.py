"""``jichi import-layout FILE --layout electors|allowance --municipality CODE``: a
derived business's data from another vendor's standard-layout file, all or nothing."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from jichi.benefits.imports import IMPORTERS, import_file
from jichi.common.errors import RuleViolation
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor


class Command(BaseCommand):
    help = "Import a derived business's standard-layout file into an empty business."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--layout", required=True, choices=sorted(IMPORTERS))
        parser.add_argument("--municipality", required=True)
        parser.add_argument("--encoding", default="auto", choices=["auto", "utf-8", "cp932"])
        parser.add_argument("--language", default="ja", choices=["ja", "en"])

    def handle(self, *args, **options):
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"no municipality {options['municipality']}")
        try:
            with tenant_scope(municipality.code, "standard-layout import"):
                result = import_file(
                    municipality=municipality, actor=Actor.system("import-layout"),
                    path=options["file"], layout=options["layout"], encoding=options["encoding"],
                )  # fmt: skip
        except (OSError, RuleViolation) as exc:
            text = exc.as_text() if isinstance(exc, RuleViolation) else str(exc)
            raise CommandError(text) from exc
        if not result.report.ok:
            for line in result.report.lines(options["language"] == "en"):
                self.stdout.write(line)
            self.stderr.write(
                f"refused: {len(result.report.violations)} problems; nothing imported"
            )
            sys.exit(1)
        self.stdout.write(f"imported {result.rows} rows of {options['layout']}")
