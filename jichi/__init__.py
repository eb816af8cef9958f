"""Jichi (自治): an open core platform for Japanese municipalities."""

__version__ = "0.1.0"
