"""Japanese fonts installed from Debian (fonts-ipaexfont, fonts-ipamj-mincho)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jichi.common.errors import RuleViolation

SEARCH_DIRS = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts")]
GOTHIC = "ipaexg.ttf"  # IPAexゴシック
MINCHO = "ipaexm.ttf"  # IPAex明朝


@cache
def font_path(filename: str) -> Path:
    """The path of an installed font file, or a clear error naming the package."""
    for directory in SEARCH_DIRS:
        if directory.exists():
            for found in directory.rglob(filename):
                return found
    raise RuleViolation(
        "font.missing",
        f"日本語フォント {filename} がインストールされていません（fonts-ipaexfont）。",
        f"The Japanese font {filename} is not installed: install the Debian package "
        "fonts-ipaexfont (scripts/install-system-deps does).",
        status=503,
    )
