from datetime import date

from django.core.management.base import BaseCommand, CommandError

from jichi.counter.services import rebuild_rollup
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = (
        "Recount the counter dashboards' roll-up from the visits (after an upgrade, or after "
        "visits were loaded in bulk). Idempotent: running it again gives the same rows. "
        "Visits closed meanwhile wait for it and are counted once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--municipality",
            action="append",
            help="a municipality code (default: every active one)",
        )
        parser.add_argument("--from", dest="date_from", type=_day, help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", type=_day, help="last day (YYYY-MM-DD)")

    def handle(self, *args, **options):
        codes = options["municipality"] or list(
            Municipality.objects.filter(is_active=True).values_list("code", flat=True)
        )
        actor = Actor.system("rebuild-counter-rollup")
        for code in codes:
            municipality = Municipality.objects.filter(code=code, is_active=True).first()
            if municipality is None:
                raise CommandError(f"{code}: not an active municipality of this deployment")
            with tenant_scope(code, "rebuild the counter roll-up"):
                result = rebuild_rollup(
                    municipality=municipality,
                    actor=actor,
                    date_from=options["date_from"],
                    date_to=options["date_to"],
                )
            self.stdout.write(
                f"{code}: {result['visits']} visits in {result['rows']} day × procedure rows"
            )
