"""``jichi webhook-receiver``: the reference receiver on this machine, printing each event.

To try a subscription: run it, subscribe ``http://127.0.0.1:PORT/hooks`` (the demo has a
paused subscription to port 8001), give its secret with ``--secret`` so signatures are
checked, and watch the events arrive.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jichi.linkage.receiver import Receiver


class Command(BaseCommand):
    help = "Run the reference webhook receiver on 127.0.0.1 and print the events it applies."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument(
            "--secret", help="the subscription's whsec_… secret (checks signatures)"
        )

    def handle(self, *args, **options):
        out = self.stdout

        def answer(events):
            for event in events:
                out.write(f"{event['jichisequence']:>8}  {event['type']}  {event['subject']}")
            return 200

        receiver = Receiver(options["secret"], answer=answer, port=options["port"])
        out.write(f"receiving at {receiver.url} (Ctrl-C stops)")
        try:
            receiver.serve_forever()
        except KeyboardInterrupt:
            pass
