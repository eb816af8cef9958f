from django.core.management.base import BaseCommand, CommandError

from jichi.common.errors import RuleViolation
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor
from jichi.tenancy.roles import SCOPES
from jichi.tenancy.services import create_token


class Command(BaseCommand):
    help = "Create an API token for a system of a municipality; prints the secret once."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--scope", action="append", required=True, choices=sorted(SCOPES))
        parser.add_argument("--days", type=int, default=365)

    def handle(self, *args, **options):
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"unknown municipality {options['municipality']}")
        try:
            token, secret = create_token(
                actor=Actor.system("cli"),
                municipality=municipality,
                name=options["name"],
                scopes=options["scope"],
                days=options["days"],
            )
        except RuleViolation as exc:
            raise CommandError(exc.as_text()) from exc
        self.stdout.write(f"token {token.id} (shown once):\n{secret}")
