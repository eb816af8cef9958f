import sys

from django.core.management.base import BaseCommand

from jichi.audit.selectors import chains, verify_chain


class Command(BaseCommand):
    help = (
        "Verify the audit hash chains and their signed checkpoints. Exits 1 and names the "
        "first bad entry when an entry was edited, deleted, inserted or reordered, or the "
        "tail was cut."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="verify one municipality (default: all)")

    def handle(self, *args, **options):
        codes = [options["municipality"]] if options["municipality"] else chains()
        bad = 0
        for code in codes:
            report = verify_chain(code)
            if report.ok:
                self.stdout.write(
                    f"{code}: ok ({report.entries} entries, {report.checkpoints} checkpoints)"
                )
            else:
                bad += 1
                problem = report.problem
                self.stdout.write(
                    self.style.ERROR(
                        f"{code}: BAD at entry #{problem.seq} ({problem.kind}): {problem.message}"
                    )
                )
        if bad:
            self.stderr.write(f"{bad} chain(s) failed verification")
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(f"{len(codes)} chain(s) verified"))
