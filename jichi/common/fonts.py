"""Japanese fonts installed from Debian (fonts-ipaexfont, fonts-ipamj-mincho)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jichi.common.errors import RuleViolation

SEARCH_DIRS = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts")]
GOTHIC = "ipaexg.ttf"  # IPAexゴシック
MINCHO = "ipaexm.ttf"  # IPAex明朝
MJ_MINCHO = "ipamjm.ttf"  # IPAmj明朝 (文字情報基盤の MJ 文字; optional, fonts-ipamj-mincho)


@cache
def find_font(filename: str) -> Path | None:
    """The path of an installed font file, or ``None`` (for optional fonts)."""
    for directory in SEARCH_DIRS:
        if directory.exists():
            for found in directory.rglob(filename):
                return found
    return None


def font_path(filename: str) -> Path:
    """The path of an installed font file, or a clear error naming the package."""
    found = find_font(filename)
    if found is not None:
        return found
    raise RuleViolation(
        "font.missing",
        f"日本語フォント {filename} がインストールされていません（fonts-ipaexfont）。",
        f"The Japanese font {filename} is not installed: install the Debian package "
        "fonts-ipaexfont (scripts/install-system-deps does).",
        status=503,
    )
