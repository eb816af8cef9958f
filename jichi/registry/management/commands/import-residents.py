"""``jichi import-residents``: load standard-layout CSV files into an empty register."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jichi.common.errors import RuleViolation
from jichi.registry.exchange import import_register, protections_path_for
from jichi.tenancy.principals import Actor


class Command(BaseCommand):
    help = (
        "Import a register file written by export-residents (docs/registry-csv.md) into "
        "an empty municipality. Every row is checked first; if any is invalid nothing is "
        "imported, the problems are written to the report and the command exits with "
        "status 1. Safe to run again after an interruption: what was imported is skipped. "
        "The DV等支援措置 come from the protections file (--protections, by default "
        "FILE.protections.csv beside FILE); without one the command refuses to run unless "
        "--without-protections says the register has none to carry over."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--municipality", required=True, help="全国地方公共団体コード")
        parser.add_argument("--encoding", choices=("auto", "utf-8", "cp932"), default="auto")
        parser.add_argument("--report", help="problem report (default: FILE.report.csv)")
        parser.add_argument(
            "--batch-rows", type=int, default=5000, help="rows per transaction (whole persons)"
        )
        parser.add_argument(
            "--allow-other-code",
            action="store_true",
            help="accept a file of another 全国地方公共団体コード and re-key its rows",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--protections", help="the protections file (支援措置)")
        parser.add_argument(
            "--without-protections",
            action="store_true",
            help="import without a protections file (the old register has no 支援措置)",
        )

    def handle(self, *args, **options):
        protections = _protections(options)
        try:
            result = import_register(
                options["municipality"],
                options["file"],
                protections_path=protections,
                encoding=options["encoding"],
                report_path=options["report"],
                batch_rows=options["batch_rows"],
                progress=not options["no_progress"],
                allow_other_code=options["allow_other_code"],
                actor=Actor.system("import-residents"),
            )
        except RuleViolation as exc:
            raise CommandError(exc.as_text()) from exc
        if not result.ok:
            raise CommandError(
                f"refused: {result.refused_rows} invalid rows ({result.problems} problems); "
                f"nothing was imported. Report: {result.report_path}",
                returncode=1,
            )
        rate = result.rows / result.seconds if result.seconds else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"imported {result.imported_persons} persons ({result.versions} history rows, "
                f"{result.movements} movements, {result.households} households); "
                f"{result.skipped_persons} already present; {result.rows} rows in "
                f"{result.seconds:.1f} s ({rate:,.0f} rows/s, {result.encoding}); "
                f"{result.protections} protections ({result.skipped_protections} already "
                "present)"
            )
        )


def _protections(options: dict) -> Path | None:
    """The protections file: given, or beside the register file; refused if missing
    unless the operator says there is none (a register moved without its 支援措置 would
    show protected persons' addresses)."""
    if options["without_protections"]:
        if options["protections"]:
            raise CommandError("--protections and --without-protections exclude each other")
        return None
    path = Path(options["protections"] or protections_path_for(options["file"]))
    if not path.is_file():
        raise CommandError(
            f"no protections file {path}: give --protections FILE, or --without-protections "
            "if the register has no 支援措置 to carry over"
        )
    return path
