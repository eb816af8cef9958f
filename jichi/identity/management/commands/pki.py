from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jichi.common.errors import RuleViolation
from jichi.identity import services
from jichi.identity.models import AuthorityName, RevocationReason
from jichi.identity.services.authorities import certificate_of
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.principals import Actor
from jichi.tenancy.selectors import active_municipality

ACTOR = Actor.system("cli")


class Command(BaseCommand):
    help = (
        "The JPKI-shaped PKI: init (the CAs, idempotent), issue-card (a resident's card as "
        "PEM files), revoke (a certificate by serial), crl (publish new CRLs)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("init", help="create the root and intermediate CAs where missing")
        issue = actions.add_parser("issue-card", help="issue a card to a resident")
        issue.add_argument("--municipality", required=True, help="団体コード (6 digits)")
        issue.add_argument("--person", required=True, help="宛名番号 of the resident")
        issue.add_argument("--out", required=True, type=Path, help="directory for the PEM files")
        revoke = actions.add_parser("revoke", help="revoke a certificate")
        revoke.add_argument("--serial", required=True, help="serial number in hex")
        revoke.add_argument("--ca", choices=AuthorityName.values, help="its CA, if ambiguous")
        revoke.add_argument(
            "--reason", default=RevocationReason.KEY_COMPROMISE, choices=RevocationReason.values
        )
        crl = actions.add_parser("crl", help="publish a new CRL of each CA (or of those named)")
        crl.add_argument("--ca", action="append", choices=AuthorityName.values)
        crl.add_argument("--out", type=Path, help="also write <ca>.crl files here")

    def handle(self, *args, **options):
        handler = {
            "init": self._init,
            "issue-card": self._issue_card,
            "revoke": self._revoke,
            "crl": self._crl,
        }[options["action"]]
        try:
            handler(options)
        except RuleViolation as exc:
            raise CommandError(exc.as_text()) from exc

    def _init(self, options):
        for name, authority in services.init_pki().items():
            subject = certificate_of(authority).subject.rfc4514_string()
            self.stdout.write(f"{name}: {subject}")
        self.stdout.write(self.style.SUCCESS("PKI ready; trust anchors at /pki/ca.pem"))

    def _issue_card(self, options):
        code = options["municipality"]
        municipality = active_municipality(code)
        if municipality is None:
            raise CommandError(f"unknown or inactive municipality {code}")
        with tenant_scope(code, "pki issue-card"):
            issued = services.issue_card(
                municipality=municipality, actor=ACTOR, person_number=options["person"]
            )
        for path in services.write_card(issued, options["out"]):
            self.stdout.write(str(path))
        card = issued.card
        self.stdout.write(
            self.style.SUCCESS(
                f"card {card.number}: signing {card.signing.serial}, "
                f"authentication {card.authentication.serial}"
            )
        )

    def _revoke(self, options):
        certificate = services.certificate_by_serial(options["serial"], options["ca"])
        if certificate.revoked_at is not None:
            raise CommandError(f"certificate {certificate.serial} is already revoked")
        with tenant_scope(certificate.municipality_id, "pki revoke"):
            services.revoke_certificate(
                certificate=certificate, actor=ACTOR, reason=options["reason"], cause="cli"
            )
        services.publish_crl(certificate.authority.name)
        self.stdout.write(self.style.SUCCESS(f"revoked {certificate.serial} ({options['reason']})"))

    def _crl(self, options):
        services.init_pki()
        for name in options["ca"] or AuthorityName.values:
            der = services.publish_crl(name)
            if options["out"]:
                options["out"].mkdir(parents=True, exist_ok=True)
                (options["out"] / f"{name}.crl").write_bytes(der)
            self.stdout.write(f"{name}: {len(der)} bytes")
