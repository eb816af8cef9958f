"""``jichi business``: business accounts (GビズID-like) from the command line."""

import sys

from django.core.management.base import BaseCommand, CommandError

from jichi.common.checkdigits import normalize_digits
from jichi.common.errors import RuleViolation
from jichi.identity.business import audit, selectors, services
from jichi.tenancy.principals import Actor

ACTOR = Actor.system("cli")


class Command(BaseCommand):
    help = (
        "Business accounts keyed by 法人番号: register (an account and its first "
        "administrator), suspend, reactivate, verify-audit (the business audit chain)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        register = actions.add_parser("register", help="register a verified corporation")
        register.add_argument("--corporate-number", required=True, help="法人番号 (13 digits)")
        register.add_argument("--name", required=True, help="商号又は名称")
        register.add_argument("--address", required=True, help="本店所在地")
        register.add_argument("--administrator-name", required=True)
        register.add_argument("--administrator-email", required=True)
        register.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the administrator's password from standard input "
            "(default: print a one-time password to change at first login)",
        )
        suspend = actions.add_parser("suspend", help="suspend an account (利用停止)")
        suspend.add_argument("--corporate-number", required=True)
        suspend.add_argument("--reason", required=True)
        reactivate = actions.add_parser("reactivate", help="end an account's suspension")
        reactivate.add_argument("--corporate-number", required=True)
        actions.add_parser("verify-audit", help="verify the business audit chain")

    def handle(self, *args, **options):
        handler = {
            "register": self._register,
            "suspend": self._suspend,
            "reactivate": self._reactivate,
            "verify-audit": self._verify,
        }[options["action"]]
        try:
            handler(options)
        except RuleViolation as exc:
            raise CommandError(exc.as_text()) from exc

    def _register(self, options):
        password = sys.stdin.readline().rstrip("\n") if options["password_stdin"] else None
        credentials = services.register_account(
            actor=ACTOR,
            corporate_number=normalize_digits(options["corporate_number"]),
            name=options["name"],
            head_office_address=options["address"],
            administrator_name=options["administrator_name"],
            administrator_email=options["administrator_email"],
            administrator_password=password,
        )
        account = credentials.member.account
        done = f"registered {account.corporate_number} ({account.id})"
        self.stdout.write(self.style.SUCCESS(done))
        if credentials.initial_password:
            # Printed once for the operator to hand over (no name or address beside it).
            self.stdout.write(f"one-time password: {credentials.initial_password}")

    def _account(self, options):
        return selectors.account_of_number(normalize_digits(options["corporate_number"]))

    def _suspend(self, options):
        account = services.suspend_account(
            actor=ACTOR, account=self._account(options), reason=options["reason"]
        )
        self.stdout.write(self.style.SUCCESS(f"{account.corporate_number}: suspended"))

    def _reactivate(self, options):
        account = services.reactivate_account(actor=ACTOR, account=self._account(options))
        self.stdout.write(self.style.SUCCESS(f"{account.corporate_number}: active"))

    def _verify(self, options):
        report = audit.verify_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"business: ok ({report.entries} entries)"))
            return
        problem = report.problem
        self.stdout.write(
            self.style.ERROR(
                f"business: BAD at entry #{problem.seq} ({problem.kind}): {problem.message}"
            )
        )
        sys.exit(1)
