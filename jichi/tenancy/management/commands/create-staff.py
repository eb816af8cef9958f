import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from jichi.common.errors import RuleViolation
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor
from jichi.tenancy.roles import Role
from jichi.tenancy.services import create_staff


class Command(BaseCommand):
    help = "Create a staff account with roles in its municipality (or a platform operator)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--municipality", help="6-digit code of the staff's organization")
        parser.add_argument("--role", action="append", default=[], choices=Role.values)
        parser.add_argument("--platform-operator", action="store_true")
        parser.add_argument("--display-name", default="")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def handle(self, *args, **options):
        organization = None
        if options["municipality"]:
            organization = Municipality.objects.filter(code=options["municipality"]).first()
            if organization is None:
                raise CommandError(
                    f"unknown municipality {options['municipality']}; "
                    "run `jichi load-municipalities` first"
                )
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
        try:
            user = create_staff(
                actor=Actor.system("cli"),
                username=options["username"],
                password=password,
                organization=organization,
                display_name=options["display_name"],
                roles=options["role"],
                is_platform_operator=options["platform_operator"],
            )
        except RuleViolation as exc:
            raise CommandError(exc.as_text()) from exc
        self.stdout.write(self.style.SUCCESS(f"created staff {user.username}"))
