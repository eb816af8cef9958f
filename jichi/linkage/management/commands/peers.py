"""``jichi peers``: the other deployments trusted with hand-overs (platform operators)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jichi.common import platform_key
from jichi.common.errors import RuleViolation
from jichi.linkage import peers
from jichi.linkage.models import Peer, Transfer, TransferStatus
from jichi.linkage.tasks import send_transfer
from jichi.tenancy.context import platform_scope


class Command(BaseCommand):
    help = "List, add or remove the peer deployments hand-overs go to and come from."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("self", help="print this deployment's key id and public key (PEM)")
        sub.add_parser("list", help="the peers, their key ids and municipalities")
        add = sub.add_parser("add", help="trust a peer (or update it)")
        add.add_argument("name")
        add.add_argument("--url", required=True, help="its base URL, e.g. https://jichi.example.jp")
        add.add_argument(
            "--key-file", required=True, help="its public key (PEM), from 'peers self'"
        )
        add.add_argument("--municipalities", required=True, help="comma-separated codes it hosts")
        remove = sub.add_parser("remove", help="stop trusting a peer")
        remove.add_argument("name")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "self":
            self.stdout.write(f"key id: {platform_key.key_id()}\n{peers.own_public_key()}")
        elif action == "list":
            for peer in Peer.objects.order_by("name"):
                codes = ",".join(peer.municipalities)
                self.stdout.write(f"{peer.name}\t{peer.url}\t{peer.key_id}\t{codes}")
        elif action == "add":
            self._add(options)
        else:
            deleted, _ = Peer.objects.filter(name=options["name"]).delete()
            if not deleted:
                raise CommandError(f"no peer named {options['name']!r}")
            self.stdout.write(f"removed {options['name']}")

    def _add(self, options) -> None:
        codes = [c.strip() for c in options["municipalities"].split(",") if c.strip()]
        try:
            pem = Path(options["key_file"]).read_text(encoding="ascii")
            peer = peers.add_peer(
                name=options["name"], url=options["url"], public_key=pem, municipalities=codes
            )
        except (OSError, UnicodeError) as exc:
            raise CommandError(f"cannot read {options['key_file']}: {exc}") from exc
        except RuleViolation as exc:
            raise CommandError(exc.as_text()) from exc
        # Hand-overs that had nowhere to go may have somewhere now.
        with platform_scope("peer added"):
            waiting = list(
                Transfer.objects.filter(
                    status=TransferStatus.UNROUTABLE, counterpart__in=codes
                ).values_list("municipality_id", "id")
            )
            Transfer.objects.filter(id__in=[pk for _, pk in waiting]).update(
                status=TransferStatus.PENDING
            )
        for code, pk in waiting:
            send_transfer.enqueue(code, str(pk))
        self.stdout.write(f"trusted {peer.name} (key {peer.key_id}) for {', '.join(codes)}")
