"""The ``jichi`` console script: Django's management commands and the project's own.

``jichi --help`` lists them all; ``jichi <command> --help`` explains one.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jichi.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "jichi"
    if len(argv) > 1 and argv[1] in {"--help", "-h"}:
        argv[1] = "help"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
