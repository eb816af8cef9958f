"""``jichi export-residents``: the whole register as one standard-layout CSV file."""

import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jichi.common.errors import RuleViolation
from jichi.registry.exchange import ENCODINGS, export_register
from jichi.tenancy.principals import Actor


class Command(BaseCommand):
    help = (
        "Write the whole resident register of a municipality as CSV, one row per history "
        "row (docs/registry-csv.md). The file holds 個人番号 in clear unless "
        "--omit-my-number: it is 特定個人情報; keep it encrypted and delete it after use."
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

    def handle(self, *args, **options):
        actor = Actor.system("export-residents")
        try:
            if options["output"]:
                result = _to_file(Path(options["output"]), options, actor)
            else:
                result = export_register(
                    options["municipality"],
                    sys.stdout.buffer,
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


def _to_file(path: Path, options: dict, actor: Actor):
    """Write next to the target and rename at the end: never a half file under its name."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with open(fd, "wb") as handle:
            result = export_register(
                options["municipality"],
                handle,
                omit_my_number=options["omit_my_number"],
                encoding=options["encoding"],
                actor=actor,
            )
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return result
