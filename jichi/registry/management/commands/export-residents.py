"""``jichi export-residents``: the whole register as standard-layout CSV files (the
register file and its protections file)."""

import contextlib
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jichi.common.errors import RuleViolation
from jichi.registry.exchange import ENCODINGS, export_register, protections_path_for
from jichi.tenancy.principals import Actor


class Command(BaseCommand):
    help = (
        "Write the whole resident register of a municipality as CSV, one row per history "
        "row (docs/registry-csv.md), and its DV等支援措置 to a second file (--protections; "
        "by default FILE.protections.csv beside --output). The file holds 個人番号 in clear "
        "unless --omit-my-number: it is 特定個人情報; keep it encrypted and delete it after "
        "use."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="全国地方公共団体コード")
        parser.add_argument(
            "--output", help="file to write (created 0600; default: standard output)"
        )
        parser.add_argument(
            "--omit-my-number", action="store_true", help="leave the 個人番号 column out"
        )
        parser.add_argument("--encoding", choices=ENCODINGS, default="utf-8")
        parser.add_argument(
            "--protections",
            help="file for the DV等支援措置 (created 0600; default: FILE.protections.csv beside "
            "--output; with standard output, only when given)",
        )

    def handle(self, *args, **options):
        actor = Actor.system("export-residents")
        output = Path(options["output"]) if options["output"] else None
        protections = options["protections"] or (output and protections_path_for(output))
        try:
            with _private(output) as stream, _private(protections) as extra:
                result = export_register(
                    options["municipality"],
                    stream or sys.stdout.buffer,
                    protections=extra,
                    omit_my_number=options["omit_my_number"],
                    encoding=options["encoding"],
                    actor=actor,
                )
        except RuleViolation as exc:
            raise CommandError(exc.as_text()) from exc
        self.stderr.write(
            f"exported {result.rows} rows of {result.persons} persons "
            f"({'without' if result.omit_my_number else 'with'} 個人番号)"
        )
        if protections:
            self.stderr.write(f"exported {result.protections} protections to {protections}")
        else:
            self.stderr.write("支援措置 not exported: give --protections FILE to export them")


@contextlib.contextmanager
def _private(path: Path | str | None):
    """A binary file written next to ``path`` (mode 0600) and renamed to it at the end:
    never a half file under its name. None: no file."""
    if path is None:
        yield None
        return
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with open(fd, "wb") as handle:
            yield handle
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
