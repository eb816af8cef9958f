"""和暦 (Japanese era dates) ⇄ ISO dates.

Dates are stored as ISO dates and shown as 和暦 where forms expect it
(``domain.md``, "Codes and numbers"). The era boundaries are exact days:
the day before an era starts belongs to the previous era, so ``昭和64年1月7日``
exists and ``昭和64年1月8日`` does not (it is ``平成元年1月8日``).

明治 starts on 1868-01-25 as the project's domain document fixes it. Years
are counted from the era's first Gregorian year (明治元年 = 1868) on the
proleptic Gregorian calendar; Japan used the lunisolar calendar until
明治5年12月2日 (1872-12-31), and this module does not convert such dates.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from typing import Literal

from jichi.common.errors import RuleViolation

# The era table: (name, letter, first day). Later eras after earlier ones.
_ERA_TABLE: tuple[tuple[str, str, datetime.date], ...] = (
    ("明治", "M", datetime.date(1868, 1, 25)),
    ("大正", "T", datetime.date(1912, 7, 30)),
    ("昭和", "S", datetime.date(1926, 12, 25)),
    ("平成", "H", datetime.date(1989, 1, 8)),
    ("令和", "R", datetime.date(2019, 5, 1)),
)


@dataclass(frozen=True)
class Era:
    """One era (元号): its name, its letter, its first and last day (``None``: current)."""

    name: str
    letter: str
    start: datetime.date
    end: datetime.date | None

    def contains(self, d: datetime.date) -> bool:
        return self.start <= d and (self.end is None or d <= self.end)


def _build_eras() -> tuple[Era, ...]:
    eras = []
    for i, (name, letter, start) in enumerate(_ERA_TABLE):
        following = _ERA_TABLE[i + 1][2] if i + 1 < len(_ERA_TABLE) else None
        end = following - datetime.timedelta(days=1) if following else None
        eras.append(Era(name, letter, start, end))
    return tuple(eras)


ERAS: tuple[Era, ...] = _build_eras()
_ERA_STARTS = [era.start for era in ERAS]
# Every spelling of an era a form may send: the name, its first kanji, its letter.
_ERA_BY_SPELLING: dict[str, Era] = {
    spelling: era for era in ERAS for spelling in (era.name, era.name[0], era.letter)
}


@dataclass(frozen=True)
class Wareki:
    """A date in 和暦: era name and letter, year of the era (1 = 元年), month, day."""

    era: str
    letter: str
    year: int
    month: int
    day: int

    @property
    def year_label(self) -> str:
        """The year as written in long form: ``元`` for the first year."""
        return "元" if self.year == 1 else str(self.year)


def era_of(d: datetime.date, field: str = "date") -> Era:
    """The era `d` belongs to; dates before 明治 are refused."""
    i = bisect_right(_ERA_STARTS, _as_date(d)) - 1
    if i < 0:
        first = ERAS[0]
        raise RuleViolation(
            f"{field}.wareki_before_meiji",
            f"{_ja(first.start)}より前の日付は和暦で表せません。",
            f"Dates before {first.start.isoformat()} (start of Meiji) have no era.",
            field,
        )
    return ERAS[i]


def to_wareki(d: datetime.date, field: str = "date") -> Wareki:
    """`d` in 和暦 (``date(2025, 4, 1)`` → 令和 7年 4月 1日)."""
    d = _as_date(d)
    era = era_of(d, field)
    return Wareki(era.name, era.letter, d.year - era.start.year + 1, d.month, d.day)


FormatStyle = Literal["long", "short", "long_year_month"]


def format_wareki(d: datetime.date, style: FormatStyle = "long") -> str:
    """`d` written in 和暦.

    ``long``: ``令和7年4月1日`` (first year as ``元年``); ``short``: ``R7.4.1``;
    ``long_year_month``: ``令和7年4月``.
    """
    w = to_wareki(d)
    if style == "long":
        return f"{w.era}{w.year_label}年{w.month}月{w.day}日"
    if style == "short":
        return f"{w.letter}{w.year}.{w.month}.{w.day}"
    if style == "long_year_month":
        return f"{w.era}{w.year_label}年{w.month}月"
    raise ValueError(f"unknown wareki style {style!r}")


_ERA_PATTERN = "|".join(re.escape(s) for s in sorted(_ERA_BY_SPELLING, key=len, reverse=True))
_WAREKI_RE = re.compile(
    rf"(?P<era>{_ERA_PATTERN}|[^0-9元]{{1,10}}?)(?P<year>[0-9]{{1,3}}|元)"
    r"(?:年(?P<km>[0-9]{1,2})月(?P<kd>[0-9]{1,2})日?"
    r"|(?P<sep>[./-])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2}))",
    re.IGNORECASE,
)
_GREGORIAN_RE = re.compile(
    r"(?P<year>[0-9]{4})(?:年(?P<km>[0-9]{1,2})月(?P<kd>[0-9]{1,2})日?"
    r"|(?P<sep>[./-])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2}))"
)


def parse_wareki(text: str, field: str = "date") -> datetime.date:
    """The date written in `text`, in 和暦 or (for convenience) Gregorian.

    Accepts ``令和7年4月1日``, ``令和元年5月1日``, ``R7.4.1``, ``R07.04.01``,
    ``r7/4/1``, ``昭64.1.7``, full-width digits and spaces anywhere, and
    ``2025-04-01`` / ``2025/4/1`` / ``2025年4月1日``. A 和暦 date must lie inside
    its era (``平成31年5月1日`` is refused: that day is 令和元年5月1日).
    """
    cleaned = _clean(text)
    if match := _GREGORIAN_RE.fullmatch(cleaned):
        return _calendar_date(int(match["year"]), *_month_day(match), field)
    if match := _WAREKI_RE.fullmatch(cleaned):
        return _wareki_date(match, field)
    raise RuleViolation(
        f"{field}.wareki_format",
        "日付の形式が正しくありません（例: 令和7年4月1日、R7.4.1、2025-04-01）。",
        "The date is not in a known form (e.g. 令和7年4月1日, R7.4.1, 2025-04-01).",
        field,
    )


def _wareki_date(match: re.Match[str], field: str) -> datetime.date:
    era = _ERA_BY_SPELLING.get(match["era"].upper())
    if era is None:
        raise RuleViolation(
            f"{field}.wareki_unknown_era",
            f"元号「{match['era']}」は使えません（明治・大正・昭和・平成・令和）。",
            f"Unknown era {match['era']!r}; use Meiji, Taisho, Showa, Heisei or Reiwa "
            "(M, T, S, H, R).",
            field,
        )
    year = 1 if match["year"] == "元" else int(match["year"])
    if year == 0:
        raise RuleViolation(
            f"{field}.wareki_year_zero",
            "和暦の年は1（元年）から始まります。0年はありません。",
            "An era year starts at 1 (元年); there is no year 0.",
            field,
        )
    d = _calendar_date(era.start.year + year - 1, *_month_day(match), field)
    if not era.contains(d):
        span_ja = f"{_ja(era.start)}から" + (f"{_ja(era.end)}まで" if era.end else "")
        span_en = f"from {era.start.isoformat()}" + (
            f" to {era.end.isoformat()}" if era.end else ""
        )
        raise RuleViolation(
            f"{field}.wareki_era_range",
            f"{_ja(d)}は{era.name}の期間外です。{era.name}は{span_ja}です。",
            f"{d.isoformat()} is outside {era.name}, which runs {span_en}.",
            field,
        )
    return d


def _calendar_date(year: int, month: int, day: int, field: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise RuleViolation(
            f"{field}.wareki_calendar_date",
            "存在しない日付です（月日を確認してください）。",
            "That day does not exist in the calendar (check month and day).",
            field,
        ) from None


def _month_day(match: re.Match[str]) -> tuple[int, int]:
    if match["sep"]:
        return int(match["m"]), int(match["d"])
    return int(match["km"]), int(match["kd"])


def _clean(text: object) -> str:
    """NFKC (full-width digits and signs, ㋿ → 令和), without any whitespace."""
    if not isinstance(text, str):
        return ""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _as_date(d: datetime.date) -> datetime.date:
    """A plain date (a ``datetime`` is a ``date`` too; its time is dropped)."""
    if isinstance(d, datetime.datetime):
        return d.date()
    return d


def _ja(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
