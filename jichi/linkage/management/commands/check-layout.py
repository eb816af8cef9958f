"""``jichi check-layout FILE --layout NAME``: every violation of a standard layout."""

from __future__ import annotations

import csv
import sys

from django.core.management.base import BaseCommand, CommandError

from jichi.common.errors import RuleViolation
from jichi.linkage.layouts import LAYOUTS, check_file


class Command(BaseCommand):
    help = (
        "Check a CSV file against a standard layout; print every violation (line, column, "
        "rule) and exit 1 if there is one. Nothing is written to the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--layout", required=True, choices=sorted(LAYOUTS))
        parser.add_argument("--encoding", default="auto", choices=["auto", "utf-8", "cp932"])
        parser.add_argument("--language", default="ja", choices=["ja", "en"])
        parser.add_argument("--csv", action="store_true", help="the report as CSV")

    def handle(self, *args, **options):
        try:
            report = check_file(options["file"], options["layout"], encoding=options["encoding"])
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc}") from exc
        except RuleViolation as exc:
            raise CommandError(exc.as_text()) from exc
        english = options["language"] == "en"
        if options["csv"]:
            out = csv.writer(self.stdout)
            out.writerow(["line", "column", "rule", "message"])
        if options["csv"]:
            for v in report.violations:
                out.writerow([v.line, v.column, v.rule, v.message_en if english else v.message_ja])
        else:
            for line in report.lines(english):
                self.stdout.write(line)
        summary = (
            f"{options['file']}: {report.rows} rows, {len(report.violations)} violations "
            f"of the layout {report.layout}"
        )
        self.stderr.write(summary)
        if not report.ok:
            sys.exit(1)
