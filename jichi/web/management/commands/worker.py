"""``jichi worker``: run background tasks with the configured backend, and the sweep.

With ``JICHI_TASKS=database`` this is django-tasks-db's ``db_worker``; with
``JICHI_TASKS=rq`` it is an RQ worker with its scheduler (for retries at a
later time). Beside it, a thread runs :func:`jichi.linkage.tasks.sweep` every
``--sweep-every`` seconds, which queues again any delivery whose task was lost.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from jichi.linkage.tasks import sweep

logger = logging.getLogger("jichi.worker")


class Command(BaseCommand):
    help = "Run background tasks (event delivery and others) with the configured backend."

    def add_arguments(self, parser):
        parser.add_argument("--sweep-every", type=float, default=60.0, metavar="SECONDS")
        parser.add_argument(
            "--batch", action="store_true", help="run what is queued (after one sweep), then exit"
        )

    def handle(self, *args, **options):
        stop = threading.Event()
        if options["batch"]:
            sweep()
        else:
            threading.Thread(
                target=_sweep_forever, args=(options["sweep_every"], stop), daemon=True
            ).start()
        try:
            if settings.JICHI_TASKS == "rq":
                argv = [*settings.TASK_QUEUES, "--with-scheduler"]
                call_command("rqworker", *argv, *(["--burst"] if options["batch"] else []))
            else:
                extra = ["--batch"] if options["batch"] else []
                call_command(
                    "db_worker",
                    "--no-startup-delay",
                    "--no-reload",
                    "--interval",
                    "0.2",
                    "--queue-name",
                    "*",
                    *extra,
                )
        finally:
            stop.set()


def _sweep_forever(every: float, stop: threading.Event) -> None:
    while not stop.wait(every):
        try:
            queued = sweep()
            if queued:
                logger.info("sweep queued deliveries", extra={"queued": queued})
        except Exception:  # the sweep tries again next time; the worker goes on
            logger.exception("sweep failed")
        finally:
            close_old_connections()
