from django.core.management.base import BaseCommand

from jichi.audit.selectors import chains
from jichi.audit.services import checkpoint


class Command(BaseCommand):
    help = (
        "Sign the head of every audit chain with the platform key (run daily). Prints each "
        "checkpoint: keep that output outside the database too."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality")

    def handle(self, *args, **options):
        codes = [options["municipality"]] if options["municipality"] else chains()
        for code in codes:
            cp = checkpoint(code)
            if cp is not None:
                self.stdout.write(f"{code} #{cp.seq} {cp.entry_hash} {cp.key_id} {cp.signature}")
