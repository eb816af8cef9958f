"""続柄 (relationship to the household head): the standard's vocabulary and member order.

The standard (``registry-standard.md`` §2.2, S1:j110) allows 世帯主; 夫, 妻, 夫（未届）,
妻（未届）, 子, 父, 母, 兄, 姉, 弟, 妹 and chains of them joined by 「の」 up to 4
generations, counted mechanically by links (子の子の子の子); 縁故者; 同居人. A relative 5
or more links away is a 縁故者. 祖父, 祖母, 孫, おじ, おば, 甥, 姪, 家事使用人 and 準世帯主 must
not be used: they are 父の父, 子の子, 父の兄 … or 同居人.

Decisions where the digest is silent:

- 世帯主, 縁故者 and 同居人 stand alone; they are never a link of a chain.
- （未届） qualifies 夫 or 妻 and only on the last link (妻（未届）, 子の妻（未届））:
  an unmarried partner is somebody's partner, but a chain does not go on through one.
- ``(未届)`` with ASCII parentheses and spaces anywhere are accepted and normalised.
- Choosing the highest of several true expressions (妻 rather than 父の兄の子) needs
  the family facts and is left to the clerk; :func:`validate_relationship` checks form.
"""

from __future__ import annotations

import datetime

from jichi.common.errors import RuleViolation

HEAD = "世帯主"
DISTANT_RELATIVE = "縁故者"
LODGER = "同居人"
STANDALONE_WORDS: tuple[str, ...] = (HEAD, DISTANT_RELATIVE, LODGER)
SPOUSE_WORDS: tuple[str, ...] = ("夫", "妻")
LINK_WORDS: tuple[str, ...] = ("夫", "妻", "子", "父", "母", "兄", "姉", "弟", "妹")
UNMARRIED = "（未届）"
MAX_LINKS = 4

_ALLOWED_JA = (
    "世帯主、夫、妻、夫（未届）、妻（未届）、子、父、母、兄、姉、弟、妹、"
    "これらを「の」でつないだもの（4つまで）、縁故者、同居人"
)
_ALLOWED_EN = (
    "世帯主, 夫, 妻, 夫（未届）, 妻（未届）, 子, 父, 母, 兄, 姉, 弟, 妹, chains of them "
    "joined by の (up to 4), 縁故者 or 同居人"
)


def validate_relationship(text: str, field: str = "relationship") -> str:
    """The 続柄 in its standard spelling, or a refusal naming the rule.

    Refused: a blank (``relationship.required``); a word outside the vocabulary, such as
    祖父 or 孫 (``relationship.vocabulary``); 世帯主, 縁故者 or 同居人 inside a chain
    (``relationship.standalone``); （未届） anywhere but after a final 夫 or 妻
    (``relationship.unmarried``); 5 links or more (``relationship.too_long``: such a
    relative is a 縁故者).
    """
    if not isinstance(text, str) or not text.strip():
        raise RuleViolation(
            f"{field}.required",
            "続柄を入力してください。",
            "The relationship to the household head is required.",
            field,
        )
    normalised = _normalise(text)
    if normalised in STANDALONE_WORDS:
        return normalised
    links = normalised.split("の")
    for i, link in enumerate(links):
        _check_link(link, last=i == len(links) - 1, chain=len(links) > 1, field=field)
    if len(links) > MAX_LINKS:
        raise RuleViolation(
            f"{field}.too_long",
            f"続柄「{normalised}」は{len(links)}世代です。5世代以上離れた親族は「縁故者」と"
            "記載します。",
            f"{normalised!r} spans {len(links)} generations; relatives 5 or more "
            "generations away are recorded as 縁故者.",
            field,
        )
    return normalised


def _normalise(text: str) -> str:
    text = "".join(text.split())
    return text.replace("(", "（").replace(")", "）")


def _check_link(link: str, *, last: bool, chain: bool, field: str) -> None:
    word = link.removesuffix(UNMARRIED)
    if link != word and (not last or word not in SPOUSE_WORDS):
        raise RuleViolation(
            f"{field}.unmarried",
            "（未届）は最後の「夫」または「妻」にだけ付けられます"
            "（例: 妻（未届）、子の妻（未届））。",
            "（未届） may only follow a final 夫 or 妻 (e.g. 妻（未届）, 子の妻（未届）).",
            field,
        )
    if word in STANDALONE_WORDS and chain:
        raise RuleViolation(
            f"{field}.standalone",
            f"「{word}」は単独で使い、「の」でつなげません。",
            f"{word!r} stands alone and is never part of a chain with の.",
            field,
        )
    if word not in LINK_WORDS:
        raise RuleViolation(
            f"{field}.vocabulary",
            f"続柄に「{link or 'の'}」は使えません。使える続柄: {_ALLOWED_JA}。",
            f"{link or 'の'!r} is not a relationship word; use {_ALLOWED_EN}.",
            field,
        )


# --- Household member order (S1:j1010, registry-standard.md §3.2) ---------------------

_HEAD_RANK = 0
_SPOUSE_RANK = 1
_DESCENDANT_BASE = 10  # 子 10, 子の配偶者 15, 子の子 20, 子の子の配偶者 25, …
_ASCENDANT_BASE = 50  # 父母 50, 兄弟姉妹 51, 祖父母 (父の父 …) 52
_ASCENDANT_OFFSETS = {"父": 0, "母": 0, "兄": 1, "姉": 1, "弟": 1, "妹": 1}
_OTHER_RELATIVE_RANK = 60
_SPOUSE_SIDE_BASE = 70  # the spouse's 父母 70, 兄弟姉妹 71, 祖父母 72, others 73
_DISTANT_RANK = 80
_LODGER_RANK = 90
_UNKNOWN_RANK = 99


def sort_key(
    relationship: str, birth_date: object, resident_number: str
) -> tuple[int, datetime.date, str]:
    """The key that puts household members in the standard's order (approximately).

    世帯主 → 配偶者 → 子 → 子の配偶者 → 子の子 (→ 子の子の配偶者 → …) → 父母 → 兄弟姉妹
    → 祖父母 (父の父 …) → other relatives of the head → the spouse's side (父母,
    兄弟姉妹, 祖父母, others) → 縁故者 → 同居人; within a rank by birth date (the
    internal date of an :class:`~jichi.registry.dates.UncertainDate`; none last), then
    宛名番号. A 続柄 that does not validate goes last.

    Simplifications: each child's family is not kept together (all 子, then all their
    spouses, then all 子の子), because a 続柄 does not say whose child somebody is; 父母
    are ordered by birth date, not 筆頭者 first; the mayor's manual order and "newcomers
    at the end" belong to the stored order, not to this key.
    """
    return (_rank(relationship), _birth_value(birth_date), resident_number or "")


def _rank(relationship: str) -> int:
    try:
        normalised = validate_relationship(relationship)
    except RuleViolation:
        return _UNKNOWN_RANK
    if normalised == HEAD:
        return _HEAD_RANK
    if normalised == DISTANT_RELATIVE:
        return _DISTANT_RANK
    if normalised == LODGER:
        return _LODGER_RANK
    links = [link.removesuffix(UNMARRIED) for link in normalised.split("の")]
    if links[0] in SPOUSE_WORDS:
        if len(links) == 1:
            return _SPOUSE_RANK
        offset = _ascendant_offset(links[1:])
        return _SPOUSE_SIDE_BASE + (3 if offset is None else offset)
    if links[0] == "子":
        return _descendant_rank(links) or _OTHER_RELATIVE_RANK
    offset = _ascendant_offset(links)
    return _OTHER_RELATIVE_RANK if offset is None else _ASCENDANT_BASE + offset


def _descendant_rank(links: list[str]) -> int | None:
    """子…子 (n links) → 10·n; 子…子 followed by 夫/妻 → 10·n + 5; anything else None."""
    children = len(links) - (links[-1] in SPOUSE_WORDS)
    if children < 1 or any(link != "子" for link in links[:children]):
        return None
    return _DESCENDANT_BASE * children + (5 if children < len(links) else 0)


def _ascendant_offset(links: list[str]) -> int | None:
    """父/母 → 0, 兄弟姉妹 → 1, a parent's parent → 2, anything else ``None``."""
    if len(links) == 1 and links[0] in _ASCENDANT_OFFSETS:
        return _ASCENDANT_OFFSETS[links[0]]
    if len(links) == 2 and all(link in ("父", "母") for link in links):
        return 2
    return None


def _birth_value(birth_date: object) -> datetime.date:
    if isinstance(birth_date, datetime.datetime):
        return birth_date.date()
    if isinstance(birth_date, datetime.date):
        return birth_date
    value = getattr(birth_date, "value", None)  # an UncertainDate
    return value if isinstance(value, datetime.date) else datetime.date.max
