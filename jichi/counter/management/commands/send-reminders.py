from django.core.management.base import BaseCommand, CommandError

from jichi.counter.services import send_reminders
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor


class Command(BaseCommand):
    help = (
        "Mail tomorrow's visit reminders to reservations made with an e-mail address (run "
        "once a day, e.g. from cron at 17:00). Reservations with a phone number are left on "
        "the counter's reminder list for a call. A reminder is sent at least once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--municipality",
            action="append",
            help="a municipality code (default: every active one)",
        )

    def handle(self, *args, **options):
        codes = options["municipality"] or list(
            Municipality.objects.filter(is_active=True).values_list("code", flat=True)
        )
        actor = Actor.system("send-reminders")
        for code in codes:
            municipality = Municipality.objects.filter(code=code, is_active=True).first()
            if municipality is None:
                raise CommandError(f"{code}: not an active municipality of this deployment")
            with tenant_scope(code, "visit reminders"):
                result = send_reminders(municipality=municipality, actor=actor)
            if result["sent"] or result["to_call"]:
                self.stdout.write(
                    f"{code}: {result['sent']} reminders mailed, {result['to_call']} to call"
                )
