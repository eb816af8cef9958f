"""Refuse text that no installed font can draw, before anything is drawn.

Every string of a :class:`~jichi.certificates.pdf.content.CertificateContent` (names,
addresses, the issuer, notes, 不詳 date texts …) is looked up, character by character,
in the character maps of the installed faces (:mod:`jichi.certificates.pdf.faces`). A
character none maps — an emoji, a control character, a private-use code point, an MJ
character when IPAmj明朝 is not installed — is refused with the field and the code
point, in Japanese and English (``<field>.undrawable_character``, status 422), so no
certificate is ever printed with a blank box or a substitute glyph.

Ideographic variation sequences (a kanji followed by a variation selector, U+E0100…)
are refused too (``<field>.variation_sequence``): the renderer draws one glyph per
code point and would drop the selector, printing the base form instead of the
registered one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from jichi.certificates.pdf import faces
from jichi.common.errors import ErrorCollector, RuleViolation


def _is_variation_selector(cp: int) -> bool:
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def strings_of(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, text) for every string inside `value` (dataclasses, tuples, lists)."""
    if isinstance(value, str):
        yield path, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from strings_of(getattr(value, f.name), f"{path}.{f.name}".lstrip("."))
    elif isinstance(value, tuple | list):
        for i, item in enumerate(value):
            yield from strings_of(item, f"{path}.{i}")


def _printable(ch: str) -> bool:
    return ch.isprintable() and not ch.isspace()


def undrawable(text: str) -> tuple[str, int] | None:
    """The first problem of `text`: (``undrawable_character`` | ``variation_sequence``, cp)."""
    for ch in text:
        cp = ord(ch)
        if _is_variation_selector(cp):
            return "variation_sequence", cp
        if faces.face_for(cp) is None:
            return "undrawable_character", cp
    return None


def _violation_of(field: str, text: str) -> RuleViolation | None:
    problem = undrawable(text)
    if problem is None:
        return None
    rule, cp = problem
    point = f"U+{cp:04X}"
    if rule == "variation_sequence":
        return RuleViolation(
            f"{field}.variation_sequence",
            f"異体字セレクタ（{point}）付きの文字は印字できません。登録された字形で印字できないため、"
            "交付できません。",
            f"The text holds an ideographic variation selector ({point}); the certificate "
            "cannot print the registered glyph variant, so it is not issued.",
            field,
            status=422,
        )
    ch = chr(cp)
    shown_ja, shown_en = (f"「{ch}」", f" ({ch})") if _printable(ch) else ("", "")
    return RuleViolation(
        f"{field}.undrawable_character",
        f"文字{shown_ja}（{point}）はインストールされたどの書体でも表示できないため、"
        "証明書に印字できません。",
        f"The character {point}{shown_en} cannot be drawn by any installed font; "
        "the certificate cannot print it.",
        field,
        status=422,
    )


def check_drawable(content: object) -> None:
    """Raise one :class:`RuleViolation` (422) naming every field with an undrawable
    character, or return when everything can be drawn."""
    errors = ErrorCollector()
    for field, text in strings_of(content):
        violation = _violation_of(field, text)
        if violation is not None:
            errors.check(violation)
    errors.raise_if_any(status=422)
