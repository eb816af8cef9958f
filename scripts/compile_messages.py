"""Compile the translation catalogs (``.po`` → ``.mo``) without GNU gettext.

Every ``jichi/locale/<lang>/LC_MESSAGES/*.po`` is compiled with ``polib``
next to itself, so a machine without ``msgfmt`` can regenerate the committed
``.mo`` files (``make messages``). The result has the same translations as
``jichi compilemessages`` (msgfmt) gives; the bytes differ only in that
msgfmt also writes a hash table, which readers do not need.

Like ``msgfmt --check-format`` (what ``compilemessages`` runs), a catalog is
refused when a translation's ``%(name)s`` placeholders do not match its
msgid's, or when it has the wrong number of plural forms. Fuzzy and
untranslated entries are left out of the ``.mo`` (msgfmt does the same), with
a warning.

Usage::

    python scripts/compile_messages.py            # compile what changed
    python scripts/compile_messages.py --check    # exit 1 if a .mo is stale
    python scripts/compile_messages.py path/to/locale ...
"""

from __future__ import annotations

import argparse
import gettext
import io
import re
import sys
from collections import Counter
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LOCALE_DIRS = [ROOT / "jichi" / "locale"]

# A printf-style conversion as Python's % operator reads it (``%%`` included,
# so that it is skipped rather than taken for a placeholder).
_FORMAT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0+ -]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[a-zA-Z%])"
)
_NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")


class CatalogError(Exception):
    """A catalog that must not be compiled as it stands."""


def _placeholders(text: str | None) -> Counter:
    """``(name, conversion)`` → count; ``name`` is None for positional ones."""
    found: Counter = Counter()
    for match in _FORMAT.finditer(text or ""):
        if match["conv"] != "%":
            found[(match["name"], match["conv"])] += 1
    return found


def _format_problems(entry: polib.POEntry) -> list[str]:
    """What ``msgfmt --check-format`` rejects in a python-format entry.

    A translation may leave a named placeholder out, but may not bring one
    (or a conversion) the msgid lacks; positional placeholders must match in
    number.
    """
    if "python-format" not in entry.flags:
        return []
    problems = []
    source = _placeholders(entry.msgid) + _placeholders(entry.msgid_plural)
    named = {key for key in source if key[0] is not None}
    positional = sum(n for key, n in _placeholders(entry.msgid).items() if key[0] is None)
    translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
    for text in filter(None, translations):
        used = _placeholders(text)
        extra = sorted(
            f"%({name}){conv}"
            for name, conv in used
            if name is not None and (name, conv) not in named
        )
        if extra:
            problems.append(
                f"{entry.msgid!r}: placeholder(s) not in the msgid: " + ", ".join(extra)
            )
        count = sum(n for key, n in used.items() if key[0] is None)
        if count != positional and not entry.msgid_plural:
            problems.append(
                f"{entry.msgid!r}: {count} positional placeholder(s), the msgid has {positional}"
            )
    return problems


def load(po_path: Path) -> polib.POFile:
    """Read and check a ``.po`` file; raise :class:`CatalogError` when it is broken."""
    try:
        po = polib.pofile(str(po_path), encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise CatalogError(f"{po_path}: {exc}") from exc
    problems = []
    if po.metadata_is_fuzzy:
        problems.append("the header is marked fuzzy")
    charset = po.metadata.get("Content-Type", "").partition("charset=")[2].strip().lower()
    if charset not in {"utf-8", "utf8"}:
        problems.append(f"the header must declare charset=UTF-8 (found {charset or 'none'})")
    match = _NPLURALS.search(po.metadata.get("Plural-Forms", ""))
    nplurals = int(match[1]) if match else None
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            if nplurals is None:
                problems.append("plural entries but no Plural-Forms in the header")
                nplurals = -1
            elif nplurals > 0 and sorted(entry.msgstr_plural) != list(range(nplurals)):
                problems.append(
                    f"{entry.msgid!r}: {len(entry.msgstr_plural)} plural form(s), "
                    f"the header says nplurals={nplurals}"
                )
        problems.extend(_format_problems(entry))
    if problems:
        raise CatalogError(f"{po_path}:\n  " + "\n  ".join(problems))
    return po


def to_mo(po: polib.POFile) -> bytes:
    """The ``.mo`` bytes of a catalog (translated, non-fuzzy entries only).

    Like msgfmt, the header leaves out ``POT-Creation-Date``: it changes on
    every ``makemessages`` run while the translations do not.
    """
    po.metadata.pop("POT-Creation-Date", None)
    return po.to_binary()


def compile_po(po_path: Path) -> bytes:
    """The ``.mo`` bytes of one ``.po`` file."""
    return to_mo(load(po_path))


def catalog(mo_bytes: bytes) -> dict:
    """The translations a ``.mo`` holds, as Python's gettext reads them."""
    return dict(gettext.GNUTranslations(io.BytesIO(mo_bytes))._catalog)


def find_po_files(locale_dirs: list[Path]) -> list[Path]:
    files: list[Path] = []
    for locale_dir in locale_dirs:
        files.extend(sorted(locale_dir.glob("*/LC_MESSAGES/*.po")))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "locale_dirs",
        nargs="*",
        type=Path,
        default=DEFAULT_LOCALE_DIRS,
        help="locale directories (default: jichi/locale)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a .mo is missing or out of date",
    )
    args = parser.parse_args(argv)

    po_files = find_po_files(args.locale_dirs)
    if not po_files:
        print("no .po files found in " + ", ".join(map(str, args.locale_dirs)), file=sys.stderr)
        return 1
    failed = stale = 0
    for po_path in po_files:
        mo_path = po_path.with_suffix(".mo")
        try:
            po = load(po_path)
        except CatalogError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
            continue
        left_out = [e for e in po if not e.obsolete and not e.translated()]
        if left_out:
            print(
                f"warning: {po_path}: {len(left_out)} fuzzy or untranslated message(s) left out",
                file=sys.stderr,
            )
        data = to_mo(po)
        current = mo_path.read_bytes() if mo_path.exists() else None
        if current is not None and (current == data or catalog(current) == catalog(data)):
            print(f"up to date: {mo_path}")
            continue
        if args.check:
            print(f"out of date: {mo_path}", file=sys.stderr)
            stale += 1
            continue
        mo_path.write_bytes(data)
        print(f"compiled {len(po.translated_entries())} message(s): {mo_path}")
    return 1 if failed or stale else 0


if __name__ == "__main__":
    sys.exit(main())
