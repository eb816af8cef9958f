"""Kana helpers: search keys, script and width conversion, the katakana name rule.

Stored names are never normalised: what the resident wrote is what the record
keeps. :func:`search_key` exists only to build the key a search compares, so
that ``やまだ　たろう``, ``ﾔﾏﾀﾞ ﾀﾛｳ`` and ``ヤマダ・タロウ`` find one another.
"""

from __future__ import annotations

import unicodedata

import jaconv

from jichi.common.errors import RuleViolation

# Small kana → large kana (拗音・促音 are not told apart in a search).
_SMALL_TO_LARGE = str.maketrans(
    "ァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ",
    "アイウエオツヤユヨワカケクシストヌハヒフヘホムラリルレロ",
)
# jaconv leaves the small hiragana ka/ke alone in hira2kata (but not in kata2hira).
_EXTRA_HIRA_TO_KATA = str.maketrans("ゕゖ", "ヵヶ")
_MIDDLE_DOTS = "・･"


def to_katakana(text: str) -> str:
    """Hiragana → katakana (``ゔぁ`` → ``ヴァ``); everything else unchanged."""
    return jaconv.hira2kata(text).translate(_EXTRA_HIRA_TO_KATA)


def to_hiragana(text: str) -> str:
    """Katakana → hiragana where a hiragana exists (``ヷ`` has none and stays)."""
    return jaconv.kata2hira(text)


def to_fullwidth(text: str) -> str:
    """Half-width kana, ASCII letters, digits and signs → full-width (``ｶﾞ`` → ``ガ``)."""
    return jaconv.h2z(text, kana=True, ascii=True, digit=True)


def to_halfwidth(text: str) -> str:
    """Full-width kana, letters, digits and signs → half-width (``ガ`` → ``ｶﾞ``)."""
    return jaconv.z2h(text, kana=True, ascii=True, digit=True)


def search_key(text: str) -> str:
    """The key a name search compares; never stored as the name.

    NFKC (half-width kana → full-width, full-width Latin and digits → ASCII),
    hiragana → katakana, whitespace (incl. U+3000) and middle dots removed,
    Latin letters upper-cased, small kana → large (``ッ`` → ``ツ``, ``ャ`` → ``ヤ``).
    ``ヴ`` stays ``ヴ`` and the long-vowel mark ``ー`` is kept. A final NFKC
    recomposes marks that removed spaces brought together, so the key is stable:
    ``search_key(search_key(x)) == search_key(x)``.
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if not ch.isspace() and ch not in _MIDDLE_DOTS)
    text = to_katakana(text).translate(_SMALL_TO_LARGE)
    text = "".join(_upper_latin(ch) for ch in text)
    return unicodedata.normalize("NFKC", text)


def is_kana_key(key: str) -> bool:
    """Is this search key all katakana (and ー)? Then it is a reading, not a written name."""
    return bool(key) and all("ァ" <= ch <= "ヺ" or ch == "ー" for ch in key)


def _upper_latin(ch: str) -> str:
    """Upper-case a Latin small letter when it has a one-letter capital; else keep it."""
    if unicodedata.name(ch, "").startswith("LATIN SMALL LETTER"):
        upper = ch.upper()
        if len(upper) == 1:
            return upper
    return ch


# --- The katakana name rule (氏名フリガナ) ---------------------------------------------

NAME_KANA_MAX_LENGTH = 100
_NAME_SPACES = " \u3000"


def _is_name_kana_char(ch: str) -> bool:
    """Full-width katakana ァ…ヺ (small kana and ヴ included), ・ and ー."""
    return "ァ" <= ch <= "ヺ" or ch in "・ー"


def validate_katakana_name(text: str, field: str = "name_kana") -> str:
    """A name in full-width katakana, parts separated by single spaces.

    Allowed: katakana ァ…ヺ, ``ー``, ``・``, and one space (U+0020 or U+3000)
    between parts; 1…100 characters. Half-width katakana (``ﾔﾏﾀﾞ``) is accepted
    and returned in full-width (``ヤマダ``) — the one change made, because the
    register keeps full-width kana and old systems and card readers still send
    half-width. Spaces are returned as given.
    """
    if not isinstance(text, str) or not text:
        raise RuleViolation(
            f"{field}.required",
            "フリガナを入力してください。",
            "The kana name is required.",
            field,
        )
    text = _halfwidth_kana_to_fullwidth(text)
    _check_name_kana_chars(text, field)
    _check_name_kana_spaces(text, field)
    if len(text) > NAME_KANA_MAX_LENGTH:
        raise RuleViolation(
            f"{field}.too_long",
            f"フリガナは{NAME_KANA_MAX_LENGTH}文字以内で入力してください（入力は{len(text)}文字）。",
            f"The kana name may be at most {NAME_KANA_MAX_LENGTH} characters (got {len(text)}).",
            field,
        )
    return text


def _halfwidth_kana_to_fullwidth(text: str) -> str:
    """Only half-width katakana, ｰ and ･ change (voiced marks are combined: ﾀﾞ → ダ)."""
    return jaconv.h2z(text, kana=True, ascii=False, digit=False)


def _check_name_kana_chars(text: str, field: str) -> None:
    for ch in text:
        if not (_is_name_kana_char(ch) or ch in _NAME_SPACES):
            raise RuleViolation(
                f"{field}.katakana_only",
                f"フリガナは全角カタカナで入力してください（使えない文字: 「{ch}」）。",
                f"The kana name may contain full-width katakana, ー, ・ and spaces only "
                f"(not {ch!r}).",
                field,
            )


def _check_name_kana_spaces(text: str, field: str) -> None:
    parts = text.replace("\u3000", " ").split(" ")
    if any(part == "" for part in parts):
        raise RuleViolation(
            f"{field}.spacing",
            "フリガナの空白は、姓と名など部分の間に1つだけ入れてください（先頭・末尾・連続は不可）。",
            "Spaces in the kana name go singly between parts (not at the start or end, "
            "not doubled).",
            field,
        )
