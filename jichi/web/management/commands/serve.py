"""``jichi serve``: the WSGI server (gunicorn) with static files (WhiteNoise)."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Jichi over HTTP with gunicorn (default http://127.0.0.1:8000)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, **options):
        if not (settings.DEBUG or settings.TESTING):
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            "gunicorn",
            "jichi.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
            "--access-logformat",
            '%(h)s "%(m)s %(U)s" %(s)s %(L)ss',
        ]
        sys.stdout.flush()
        os.execvp(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606
