"""``jichi demo``: a real municipality with staff for every role and a token, and on
request a synthetic population (``--residents N``, see :mod:`jichi.registry.demo`)."""

import argparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from jichi.benefits.demo import demo_businesses
from jichi.certificates import services as certificate_services
from jichi.common.checkdigits import local_government_code
from jichi.counter.demo import front_yard
from jichi.identity.business import selectors as business_selectors
from jichi.identity.business import services as business_services
from jichi.identity.services import issue_card, write_card
from jichi.linkage.demo import RECEIVER_URL, demo_linkage
from jichi.procedures.demo import demo_applications
from jichi.registry.codes import ResidentKind, ResidentStatus
from jichi.registry.demo import DemoError, generate_population
from jichi.registry.selectors import versions_on
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.models import ApiToken, Municipality, RoleGrant, StaffUser
from jichi.tenancy.principals import Actor
from jichi.tenancy.roles import SCOPES, Role
from jichi.tenancy.services import (
    activate_municipality,
    create_staff,
    create_token,
    grant_role,
    load_national_list,
    revoke_token,
)

DEMO_PASSWORD = "jichi-demo-2026!"
DEMO_TOKEN_NAME = "demo system"
DEMO_CORPORATE_NUMBER = "7000012050002"  # a well-formed 法人番号 (check digit valid)
DEMO_BUSINESS_EMAIL = "demo-business@example.jp"
ROLES = [
    ("counter", Role.COUNTER_CLERK),
    ("backoffice", Role.BACK_OFFICE_CLERK),
    ("admin", Role.MUNICIPAL_ADMIN),
    ("auditor", Role.AUDITOR),
]


class Command(BaseCommand):
    help = (
        "Create the demo municipality, staff users for each role and a system token, and "
        "print how to log in. Idempotent: running it again resets the demo passwords and "
        "rotates the demo token."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--municipality",
            default="141003",
            help="6-digit local government code (default 141003, 横浜市)",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="run even when JICHI_DEBUG is off (never on real data)",
        )
        parser.add_argument(
            "--residents",
            type=int,
            default=0,
            metavar="N",
            help="also give the municipality a synthetic population of N residents (default 0: "
            "none), with years of history and about 3%% 除票 on top. Idempotent: the same N and "
            "seed add nothing, a larger N tops up, an interrupted run resumes. About 1,000 "
            "persons a second on SQLite: 3,800,000 take about an hour. With a population comes "
            "the front yard: counters, reservation slots and reservations, weeks of past visits "
            "and applications in every state (a few seconds, added once).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="seed of the synthetic population (default 1): the same seed gives the same "
            "people; a population is always topped up with the seed it was made with",
        )
        parser.add_argument(
            "--with-my-number",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="give the residents a sealed 個人番号 (default on; sealing is a few per cent "
            "of the run's time, --no-with-my-number skips it)",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "the demo creates users with a published password; run it with "
                "JICHI_DEBUG=1 (or --allow-production on a throw-away system)"
            )
        load_national_list()
        code = options["municipality"]
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None or municipality.is_prefecture:
            raise CommandError(f"{code} is not a municipality of the national list")
        actor = Actor.system("demo")
        with transaction.atomic():
            activate_municipality(municipality=municipality, actor=actor)
            logins = self._staff(municipality, actor)
            secret = self._token(municipality, actor)
            self._issuer(municipality, actor)
            self._business(actor)
        self._print(municipality, logins, secret)
        if options["residents"] > 0:
            self._population(municipality, options)
            self._card(municipality, actor)
            self._front_yard(municipality)
            self._businesses(municipality, actor)
            self._linkage(municipality, actor)

    def _linkage(self, municipality, actor):
        """A paused webhook subscription; a family from 川崎市 with its hand-over."""
        made = demo_linkage(municipality, actor=actor)
        if made.secret:
            self.stdout.write(
                f"Webhooks: the subscription デモ受信システム to {RECEIVER_URL} is paused; run "
                f"`jichi webhook-receiver --secret {made.secret}` and resume it "
                f"(POST /api/v1/municipalities/{municipality.code}/subscriptions/<id>/resume)"
            )
        if made.handover:
            self.stdout.write(
                "Hand-over: a family of 川崎市 moving in waits at /transfers/ (the counter "
                "records the 転入 from it without retyping)"
            )

    def _businesses(self, municipality, actor):
        """The derived businesses: districts, schools, electors, the child allowance."""
        with tenant_scope(municipality.code, "demo"):
            made = demo_businesses(municipality, actor=actor)
        self.stdout.write(
            f"Businesses: {made.electors} electors registered, {made.recipients} child "
            f"allowance recipients, {made.payments} payments, {made.notices} 就学通知"
        )

    def _front_yard(self, municipality):
        """Counters, slots, past visits, reservations and applications in every state."""
        users = [
            StaffUser.objects.get(username=f"demo-{name}-{municipality.code}")
            for name in ("admin", "counter", "backoffice")
        ]
        admin, clerk, reviewer = (Actor("staff", str(u.id), u.username) for u in users)
        with tenant_scope(municipality.code, "demo"):
            counters = front_yard(municipality, admin=admin, clerk=clerk)
            applications = demo_applications(municipality, clerk=clerk, reviewer=reviewer)
        states = ", ".join(f"{s} {n}" for s, n in sorted(applications.states.items()))
        self.stdout.write(
            f"Front yard: added {counters.counters} counters, {counters.slots} reservation "
            f"slots, {counters.visits} past visits, {counters.reservations} reservations, "
            f"{applications.applications} applications" + (f" ({states})" if states else "")
        )

    def _issuer(self, municipality, actor):
        """The mayor printed on the demo's certificates (a sample name) and the usual fees."""
        with tenant_scope(municipality.code, "demo"):
            profile = certificate_services.profile_of(municipality)
            if profile.pk is None or not profile.mayor_name:
                certificate_services.update_profile(
                    municipality=municipality,
                    actor=actor,
                    mayor_title="",
                    mayor_name="見本　太郎",
                    fees={},
                )

    def _business(self, actor):
        """A demo business account (GビズID-like) with its administrator."""
        if business_selectors.account_by_corporate_number(DEMO_CORPORATE_NUMBER) is None:
            business_services.register_account(
                actor=actor,
                corporate_number=DEMO_CORPORATE_NUMBER,
                name="見本商事株式会社",
                head_office_address="神奈川県横浜市中区港町1丁目1番地",
                administrator_name="見本 花子",
                administrator_email=DEMO_BUSINESS_EMAIL,
                administrator_password=DEMO_PASSWORD,
            )
        self.stdout.write(
            f"Business login at http://127.0.0.1:8000/business/: {DEMO_BUSINESS_EMAIL} "
            f"(法人番号 {DEMO_CORPORATE_NUMBER}, same password)"
        )

    def _card(self, municipality, actor):
        """A demo card for the first household head: residents log in with it."""
        directory = settings.DATA_DIR / "demo-card"
        with tenant_scope(municipality.code, "demo"):
            head = (
                versions_on()
                .filter(status=ResidentStatus.RESIDENT, is_head=True, kind=ResidentKind.JAPANESE)
                .select_related("person")
                .order_by("person__number")
                .first()
            )
            if head is None:
                return
            issued = issue_card(
                municipality=municipality, actor=actor, person_number=head.person.number
            )
        write_card(issued, directory)
        self.stdout.write(
            f"Demo card of resident {head.person.number} in {directory}: log in at "
            "http://127.0.0.1:8000/resident/login/ by signing the code shown there:\n"
            f"  printf '%s' CODE | openssl dgst -sha256 -sign {directory}/auth-key.pem | base64 -w0"
        )

    def _user(self, username, actor, organization, *, operator=False):
        user = StaffUser.objects.filter(username=username).first()
        if user is None:
            user = create_staff(
                actor=actor,
                username=username,
                password=DEMO_PASSWORD,
                organization=organization,
                display_name=username,
                is_platform_operator=operator,
            )
        else:
            user.set_password(DEMO_PASSWORD)
            user.failed_login_count, user.locked_until, user.is_active = 0, None, True
            user.save()
        return user

    def _staff(self, municipality, actor):
        logins = []
        suffix = municipality.code
        for name, role in ROLES:
            user = self._user(f"demo-{name}-{suffix}", actor, municipality)
            if not RoleGrant.objects.filter(
                user=user, municipality=municipality, role=role
            ).exists():
                grant_role(actor=actor, user=user, municipality=municipality, role=role)
            logins.append((user.username, role.label))
        prefecture = Municipality.objects.get(
            code=local_government_code(municipality.prefecture_code + "000")
        )
        pref_user = self._user(f"demo-prefecture-{prefecture.prefecture_code}", actor, prefecture)
        if not RoleGrant.objects.filter(user=pref_user, municipality=municipality).exists():
            grant_role(
                actor=actor, user=pref_user, municipality=municipality, role=Role.PREFECTURE_STAFF
            )
        logins.append((pref_user.username, Role.PREFECTURE_STAFF.label))
        operator = self._user("demo-operator", actor, None, operator=True)
        logins.append((operator.username, "platform operator"))
        return logins

    def _token(self, municipality, actor):
        for old in ApiToken.objects.filter(
            municipality=municipality, name=DEMO_TOKEN_NAME, revoked_at__isnull=True
        ):
            revoke_token(actor=actor, token=old)
        _token, secret = create_token(
            actor=actor,
            municipality=municipality,
            name=DEMO_TOKEN_NAME,
            scopes=sorted(SCOPES),
            days=30,
        )
        return secret

    def _print(self, municipality, logins, secret):
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"\nDemo municipality: {municipality.prefecture_name} {municipality.display_name} "
                f"({municipality.code})"
            )
        )
        out.write(
            "Staff login at http://127.0.0.1:8000/login/ "
            f"(password for every demo user: {DEMO_PASSWORD})"
        )
        for username, role in logins:
            out.write(f"  {username:<32} {role}")
        out.write(f"API token (shown once, 30 days): {secret}")
        out.write(
            f"  curl -H 'Authorization: Bearer {secret}' "
            f"http://127.0.0.1:8000/api/v1/municipalities/{municipality.code}\n"
        )

    def _population(self, municipality, options):
        total = options["residents"]
        console = Console(file=getattr(self.stdout, "_out", self.stdout))
        columns = (
            "{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("residents", total=total)
            try:
                result = generate_population(
                    municipality.code,
                    total,
                    seed=options["seed"],
                    with_my_number=options["with_my_number"],
                    progress=lambda done, _total: bar.update(task, completed=done),
                )
            except DemoError as exc:
                raise CommandError(str(exc)) from exc
        out = self.stdout
        if not result.persons:
            out.write(
                f"Synthetic population: {result.residents:,} residents already there "
                f"(seed {result.seed}, reference day {result.reference_day}); nothing added."
            )
            return
        out.write(
            self.style.SUCCESS(
                f"Synthetic population: {result.residents:,} residents (seed {result.seed}, "
                f"reference day {result.reference_day}, 個人番号 "
                f"{'on' if result.with_my_number else 'off'})"
            )
        )
        out.write(
            f"  added {result.persons:,} persons ({result.removed:,} of them 除票), "
            f"{result.households:,} households, {result.versions:,} versions, "
            f"{result.movements:,} movements, {result.subjects:,} movement subjects"
        )
        out.write(
            f"  in {result.seconds:,.1f} s: {result.persons_per_second:,.0f} persons/s, "
            f"{result.rows_per_second:,.0f} rows/s"
        )
