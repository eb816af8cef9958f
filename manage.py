#!/usr/bin/env python
"""Django's manage.py, the same as the ``jichi`` console script."""

from jichi.cli import main

if __name__ == "__main__":
    main()
