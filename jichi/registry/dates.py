"""Dates with 不詳 parts: 生年月日 and the few dates the standard lets be uncertain.

The standard (``registry-standard.md`` §2.6) allows a 不詳 text such as 「年月日不詳」 or
「平成13年4月頃」 for 生年月日, 住民となった年月日, 住所を定めた年月日, 外国人住民となった年月日
and the dates of 出生, 死亡 and 失踪. It asks to keep an internal date besides that text
and forbids a みなし生年月日 (a made-up date shown as if it were known).

So an :class:`UncertainDate` holds three things, stored as three columns or one JSON
value (:meth:`UncertainDate.to_json`):

- ``value``: the internal date, used to sort and to compute ages. It is the **first day
  of the range** the text allows (「2001年 月日不詳」 → 2001-01-01, 「平成元年 月日不詳」 →
  1989-01-08, the first day of 平成), and ``date.min`` when nothing is known. It is
  never shown as if it were the date.
- ``precision``: the finest unit known for sure: ``day``, ``month``, ``year`` or
  ``unknown``.
- ``note``: the 不詳 text as written (trimmed), empty for a known date.

Display follows §4.3: 和暦 for Japanese residents, 西暦 for foreign residents, never
both; an uncertain date shows its note.

Not supported: non-calendar dates (2月29日 in a common year, which the standard allows in
these fields, are refused as ``<field>.invalid``; write them as a 不詳 text such as
「2001年2月 日不詳」) and ranges that run into the next year.
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from django.utils import timezone

from jichi.common.errors import RuleViolation
from jichi.common.wareki import ERAS, Era, format_wareki, parse_wareki, to_wareki

Precision = Literal["day", "month", "year", "unknown"]
PRECISIONS: tuple[str, ...] = ("day", "month", "year", "unknown")
NOTE_MAX_LENGTH = 60
UNKNOWN = "年月日不詳"

# The days the standard lets both eras name (明治45年7月30日 = 大正元年7月30日, and
# 大正15年12月25日 = 昭和元年12月25日). jichi.common.wareki gives them to the new era only.
_SHARED_ERA_DAYS = frozenset({datetime.date(1912, 7, 30), datetime.date(1926, 12, 25)})
_ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class UncertainDate:
    """A date that may be partly or wholly unknown (不詳)."""

    value: datetime.date
    precision: Precision = "day"
    note: str = ""

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, not {self.precision!r}")
        if isinstance(self.value, datetime.datetime) or not isinstance(self.value, datetime.date):
            raise TypeError(f"value must be a date, not {type(self.value).__name__}")

    @classmethod
    def exact(cls, value: datetime.date) -> UncertainDate:
        """A date known to the day."""
        if isinstance(value, datetime.datetime):
            value = value.date()
        return cls(value, "day", "")

    @property
    def is_uncertain(self) -> bool:
        """Anything short of a day known for sure (「推定…」 and 「…頃」 included)."""
        return self.precision != "day" or bool(self.note)

    def display(self, foreign: bool) -> str:
        """The date as printed: 和暦 for Japanese residents, 西暦 for foreign ones.

        An uncertain date shows its note; one without a note (entered as ``2001-04``)
        shows the standard's wording (「平成13年4月 日不詳」, 「2001年 月日不詳」).
        """
        if self.note:
            return self.note
        if self.precision == "unknown":
            return UNKNOWN
        d = self.value
        if self.precision == "day":
            return _gregorian(d) if foreign or d < ERAS[0].start else format_wareki(d)
        if self.precision == "month":
            last = d.replace(day=calendar.monthrange(d.year, d.month)[1])
            label = f"{d.year}年{d.month}月" if foreign else _era_label(d.replace(day=1), last)
            return f"{label} 日不詳"
        label = f"{d.year}年" if foreign else _era_label(d.replace(month=1, day=1), None)
        return f"{label} 月日不詳"

    def age_on(self, day: datetime.date) -> int | None:
        """Full years on `day` counted from ``value`` (the oldest the person can be).

        ``None`` when nothing is known: no age is made up.
        """
        if self.precision == "unknown":
            return None
        v = self.value
        return day.year - v.year - ((day.month, day.day) < (v.month, v.day))

    def to_json(self) -> dict[str, str]:
        """``{"date": "2001-04-01", "precision": "month", "note": "平成13年4月頃"}``."""
        return {"date": self.value.isoformat(), "precision": self.precision, "note": self.note}

    @classmethod
    def from_json(cls, data: object, field: str = "birth_date") -> UncertainDate:
        """The inverse of :meth:`to_json`; anything else is refused (``<field>.invalid``)."""
        try:
            if not isinstance(data, dict) or not isinstance(data.get("note", ""), str):
                raise TypeError
            value = datetime.date.fromisoformat(data["date"])
            return cls(value, data.get("precision", "day"), data.get("note", ""))
        except (KeyError, TypeError, ValueError):
            raise RuleViolation(
                f"{field}.invalid",
                "日付のデータが正しくありません。",
                'The date must be {"date": "YYYY-MM-DD", "precision": ..., "note": ...}.',
                field,
            ) from None


def _gregorian(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _era_label(first: datetime.date, last: datetime.date | None) -> str:
    """「平成13年4月」 (or 「平成13年」 when `last` is None) for the range; a range that two
    eras share names both (「昭和64年1月・平成元年1月」)."""
    end = last or first.replace(month=12, day=31)
    points = [d for d in (max(first, ERAS[0].start), end) if d >= ERAS[0].start]
    if not points:
        return f"{first.year}年" + (f"{first.month}月" if last else "")
    labels: list[str] = []
    for d in points:
        w = to_wareki(d)
        label = f"{w.era}{w.year_label}年" + (f"{w.month}月" if last else "")
        if label not in labels:
            labels.append(label)
    return "・".join(labels)


# --- Parsing ---------------------------------------------------------------------------

_ERA_BY_SPELLING: dict[str, Era] = {
    s.upper(): era for era in ERAS for s in (era.name, era.name[0], era.letter)
}
_ERAS_RE = "|".join(sorted(map(re.escape, _ERA_BY_SPELLING), key=len, reverse=True))
_YEAR = rf"(?:(?P<era>{_ERAS_RE})(?P<eyear>[0-9]{{1,2}}|元)|(?P<gyear>[0-9]{{4}}))年"
_MONTH = r"(?P<month>[0-9]{1,2})月"
_DAY = r"(?P<day>[0-9]{1,2})日"

_PARTIAL_ISO_RE = re.compile(r"(?P<gyear>[0-9]{4})(?:[-/](?P<month>[0-9]{1,2}))?")
_FULL_KANJI_RE = re.compile(rf"{_YEAR}{_MONTH}{_DAY}", re.IGNORECASE)
_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        # 「年月日不詳」, 「…年 月日不詳」, 「…年○月 日不詳」
        r"(?P<unknown>年月日不詳)",
        rf"{_YEAR}月日不詳",
        rf"{_YEAR}{_MONTH}日不詳",
        # 「…年頃」, 「…年○月頃」, 「…年○月○日頃」, 「推定…年○月○日」, 「推定…年○月」
        rf"(?P<est>推定)?{_YEAR}(?:{_MONTH}(?:{_DAY})?)?(?P<about>頃)?",
        # 「…年春」, 「…年○月上旬」, 「…年○月中旬頃」
        rf"(?P<est>推定)?{_YEAR}(?P<season>春|夏|秋|冬)頃?",
        rf"(?P<est>推定)?{_YEAR}{_MONTH}(?P<part>上旬|中旬|下旬)頃?",
        # 「…年○月○日から○月○日頃までの間」, 「…年○月推定○日から○日までの間」, …
        rf"{_YEAR}{_MONTH}(?:推定)?{_DAY}頃?から(?:(?P<month2>[0-9]{{1,2}})月)?"
        r"(?:推定)?(?P<day2>[0-9]{1,2})日頃?までの間",
    )
)
# 冬 may mean January, February or December of the year: its range is the whole year.
_SEASON_MONTHS = {"春": (3, 5), "夏": (6, 8), "秋": (9, 11), "冬": (1, 12)}
_PART_DAYS = {"上旬": (1, 10), "中旬": (11, 20), "下旬": (21, 31)}


def parse_birth_date(
    text: str | datetime.date,
    field: str = "birth_date",
    *,
    today: datetime.date | None = None,
    foreign: bool | None = None,
) -> UncertainDate:
    """A 生年月日 (or another date that may be 不詳) from what a form or a file sent.

    Accepts a known date in any spelling of :func:`jichi.common.wareki.parse_wareki`
    (``2001-04-01``, ``平成13年4月1日``, ``H13.4.1``) or a ``date``; ``2001-04`` and
    ``2001`` (month and year precision, no note); and the 不詳 texts of the standard,
    kept as the note: 「年月日不詳」, 「平成13年 月日不詳」, 「2001年4月 日不詳」,
    「平成13年頃」, 「平成13年4月頃」, 「…年○月○日頃」, 「推定…年○月○日」, 「推定…年○月」,
    「…年春」, 「…年○月上旬」, 「…年○月中旬頃」 and 「…年○月○日から○月○日頃までの間」.
    明治45年7月30日 and 大正15年12月25日 are accepted (both eras name those days).

    Refused: a blank (``<field>.required``); an unknown form (``<field>.format``); a day,
    month or era year that does not exist (``<field>.invalid``); a range that starts
    after `today` (``<field>.future``; `today` defaults to the local date); a note over
    60 characters (``<field>.too_long``). With `foreign` given, a note must write its
    year in that resident's calendar, 西暦 or 和暦 (``<field>.calendar``, §4.3).
    """
    if isinstance(text, datetime.date):
        result = UncertainDate.exact(text)
    elif not isinstance(text, str) or not text.strip():
        if text is not None and not isinstance(text, str):
            raise _format_error(field)
        raise RuleViolation(
            f"{field}.required",
            "日付を入力してください。",
            "The date is required.",
            field,
        )
    else:
        result = _parse_text(text, field, foreign)
    _check_not_future(result, field, today)
    return result


def _parse_text(text: str, field: str, foreign: bool | None) -> UncertainDate:
    cleaned = "".join(unicodedata.normalize("NFKC", text).split())
    if match := _PARTIAL_ISO_RE.fullmatch(cleaned):
        start, _ = _span(match, field)
        return UncertainDate(start, "month" if match["month"] else "year")
    for pattern in _PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match and _is_uncertain_form(match):
            note = text.strip()
            _check_note(note, match, field, foreign)
            start, precision = _uncertain_start(match, field)
            return UncertainDate(start, precision, note)
    return UncertainDate.exact(_certain_date(cleaned, field))


def _is_uncertain_form(match: re.Match[str]) -> bool:
    """The 頃/推定 pattern also matches a bare 「平成13年4月1日」: that one is a known date."""
    groups = match.re.groupindex
    return "about" not in groups or bool(match["est"] or match["about"])


def _uncertain_start(match: re.Match[str], field: str) -> tuple[datetime.date, Precision]:
    groups = match.re.groupindex
    if "unknown" in groups:
        return datetime.date.min, "unknown"
    if "season" in groups:
        first, last = _SEASON_MONTHS[match["season"]]
        start, _ = _span(match, field, months=(first, last))
        return start, "year"
    if "part" in groups:
        start, _ = _span(match, field, days=_PART_DAYS[match["part"]])
        return start, "month"
    if "day2" in groups:
        return _range_start(match, field)
    start, _ = _span(match, field)
    return start, "day" if _group(match, "day") else "month" if _group(match, "month") else "year"


def _range_start(match: re.Match[str], field: str) -> tuple[datetime.date, Precision]:
    start, _ = _span(match, field)
    month2 = int(match["month2"]) if match["month2"] else start.month
    end = _calendar_date(start.year, month2, int(match["day2"]), field)
    if end < start:
        raise _invalid(
            field,
            "期間の終わりが始まりより前です。",
            "The range ends before it starts.",
        )
    return start, "month" if end.month == start.month else "year"


def _span(
    match: re.Match[str],
    field: str,
    *,
    months: tuple[int, int] | None = None,
    days: tuple[int, int] | None = None,
) -> tuple[datetime.date, datetime.date]:
    """The first and last day the matched year (month, day) can mean, inside its era."""
    era, year = _year(match, field)
    month = int(_group(match, "month") or 0) or None
    day = int(_group(match, "day") or 0) or None
    if day is not None:
        start = end = _calendar_date(year, month or 0, day, field)
    elif month is not None:
        start = _calendar_date(year, month, 1, field)
        last_day = calendar.monthrange(year, month)[1]
        first, last = days or (1, last_day)
        start, end = start.replace(day=first), start.replace(day=min(last, last_day))
    else:
        first, last = months or (1, 12)
        start = _calendar_date(year, first, 1, field)
        end = datetime.date(year, last, calendar.monthrange(year, last)[1])
    if era is None:
        return start, end
    if start == end and start in _SHARED_ERA_DAYS and era.end == start - _ONE_DAY:
        return start, end  # 明治45年7月30日, 大正15年12月25日
    lo, hi = max(start, era.start), min(end, era.end or end)
    if lo > hi:
        span_ja = f"{_gregorian(era.start)}から" + (f"{_gregorian(era.end)}まで" if era.end else "")
        span_en = f"from {era.start.isoformat()}" + (f" to {era.end}" if era.end else "")
        raise _invalid(
            field,
            f"その時期は{era.name}の期間外です。{era.name}は{span_ja}です。",
            f"That time is outside {era.name}, which runs {span_en}.",
        )
    return lo, hi


def _group(match: re.Match[str], name: str) -> str | None:
    """The group's text; ``None`` when it did not match or the pattern has no such group."""
    return match[name] if name in match.re.groupindex else None


def _year(match: re.Match[str], field: str) -> tuple[Era | None, int]:
    if match["gyear"]:
        return None, int(match["gyear"])
    era = _ERA_BY_SPELLING[match["era"].upper()]
    era_year = 1 if match["eyear"] == "元" else int(match["eyear"])
    if era_year == 0:
        raise _invalid(field, "和暦の年は1（元年）から始まります。", "An era year starts at 1.")
    return era, era.start.year + era_year - 1


def _calendar_date(year: int, month: int, day: int, field: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise _invalid(
            field,
            "存在しない日付です（年月日を確認してください）。",
            "That day does not exist in the calendar (check year, month and day).",
        ) from None


def _certain_date(cleaned: str, field: str) -> datetime.date:
    try:
        return parse_wareki(cleaned, field)
    except RuleViolation as refusal:
        match = _FULL_KANJI_RE.fullmatch(cleaned)
        if match and match["era"] and refusal.code == f"{field}.wareki_era_range":
            era, year = _year(match, field)
            day = _calendar_date(year, int(match["month"]), int(match["day"]), field)
            if day in _SHARED_ERA_DAYS and era is not None and era.end == day - _ONE_DAY:
                return day  # 明治45年7月30日, 大正15年12月25日
        if refusal.code in (f"{field}.wareki_format", f"{field}.wareki_unknown_era"):
            raise _format_error(field) from None
        raise _invalid(field, refusal.message_ja, refusal.message_en) from None


def _check_note(note: str, match: re.Match[str], field: str, foreign: bool | None) -> None:
    if len(note) > NOTE_MAX_LENGTH:
        raise RuleViolation(
            f"{field}.too_long",
            f"不詳の表記は{NOTE_MAX_LENGTH}文字以内で入力してください。",
            f"The text of an uncertain date may be at most {NOTE_MAX_LENGTH} characters.",
            field,
        )
    if foreign is None or "unknown" in match.re.groupindex:
        return
    if foreign and match["era"]:
        raise RuleViolation(
            f"{field}.calendar",
            "外国人住民の日付は西暦で入力してください。",
            "Dates of foreign residents are written in the Gregorian calendar.",
            field,
        )
    if not foreign and match["gyear"]:
        raise RuleViolation(
            f"{field}.calendar",
            "日本人住民の生年月日は和暦で入力してください。",
            "Birth dates of Japanese residents are written in the Japanese era calendar.",
            field,
        )


def _check_not_future(result: UncertainDate, field: str, today: datetime.date | None) -> None:
    if today is None:
        today = timezone.localdate()
    if result.value > today:
        raise RuleViolation(
            f"{field}.future",
            "未来の日付は入力できません。",
            "The date may not be in the future.",
            field,
        )


def _invalid(field: str, message_ja: str, message_en: str) -> RuleViolation:
    return RuleViolation(f"{field}.invalid", message_ja, message_en, field)


def _format_error(field: str) -> RuleViolation:
    return RuleViolation(
        f"{field}.format",
        "日付の形式が正しくありません（例: 平成13年4月1日、2001-04-01、2001-04、年月日不詳、"
        "平成13年 月日不詳、平成13年4月頃）。",
        "The date is not in a known form (e.g. 2001-04-01, 平成13年4月1日, 2001-04, 2001, "
        "年月日不詳, 平成13年 月日不詳, 平成13年4月頃).",
        field,
    )
