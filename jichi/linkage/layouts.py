"""Standard file layouts (標準レイアウト) and the check of a file against one.

A layout names its columns in the standard's terms, each with its rule
(required, a code list, a date, digits with a check digit, a length …). Files
are CSV, UTF-8 (a BOM allowed) or Shift_JIS (cp932), one header line.
:func:`check_file` reports every violation it finds — file, header, row and
cell — each with its line, column and rule, in Japanese and English, and
changes nothing: it is how a municipality checks a file a vendor hands over
(``jichi check-layout FILE --layout NAME``). docs/layouts.md is written from
:data:`LAYOUTS` (a test compares them).

The register's layout is the migration file of :mod:`jichi.registry.exchange`
(its column rules are reused here); the derived businesses' layouts are those of
their exports (``jichi export-layout``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jichi.common.checkdigits import validate_resident_number
from jichi.common.errors import RuleViolation
from jichi.common.kana import validate_katakana_name
from jichi.registry.exchange import layout as register_layout


class BadValue(Exception):
    def __init__(self, rule: str, message_ja: str, message_en: str) -> None:
        super().__init__(rule)
        self.rule, self.message_ja, self.message_en = rule, message_ja, message_en


@dataclass(frozen=True)
class Column:
    name: str  # the standard's item name, as the header writes it
    rule: str  # what the value must be (documented)
    check: Callable[[str], object]
    required: bool = False
    max_length: int | None = None


@dataclass(frozen=True)
class FileLayout:
    name: str
    title: str  # Japanese
    description: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()  # columns whose values identify a row

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class Violation:
    line: int  # 1 is the header
    column: str  # "" for the whole line or file
    rule: str
    message_ja: str
    message_en: str


# --- cell rules -------------------------------------------------------------------------


def _date(raw: str) -> date:
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise BadValue("date", "日付（YYYY-MM-DD）ではありません。", "Not a date (YYYY-MM-DD).")


def _choice(*values: str) -> Callable[[str], str]:
    def check(raw: str) -> str:
        if raw not in values:
            listed = " / ".join(values)
            raise BadValue(
                "choice", f"次のいずれかで指定してください: {listed}", f"Must be one of: {listed}"
            )
        return raw

    return check


def _digits(count: int) -> Callable[[str], str]:
    def check(raw: str) -> str:
        if not (raw.isascii() and raw.isdigit() and len(raw) == count):
            raise BadValue(
                "digits", f"{count}桁の数字で指定してください。", f"Must be {count} digits."
            )
        return raw

    return check


def _yen(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()):
        raise BadValue(
            "yen", "金額は0以上の整数（円）です。", "An amount is a whole number of yen."
        )
    return int(raw)


def _text(raw: str) -> str:
    return raw


def _from_violation(function: Callable[[str, str], object], field_name: str):
    def check(raw: str):
        try:
            return function(raw, field_name)
        except RuleViolation as exc:
            raise BadValue(exc.code.rsplit(".", 1)[-1], exc.message_ja, exc.message_en) from None

    return check


_RESIDENT_NUMBER = _from_violation(validate_resident_number, "resident_number")
_KANA = _from_violation(validate_katakana_name, "kana")


def _register_columns() -> tuple[Column, ...]:
    """The migration file of the register, with the register's own cell rules."""
    lengths = register_layout.PERSONS.max_length
    columns = []
    for c in register_layout.COLUMNS:
        parse = register_layout.PARSERS.get(c.kind)

        def check(raw: str, parse=parse, column=c):
            if parse is None:
                return _KANA(raw) if column.kind == "kana" else raw
            try:
                return parse(raw, column)
            except register_layout.BadCell as exc:
                raise BadValue(exc.suffix, exc.message_ja, exc.message_en) from None
            except RuleViolation as exc:
                raise BadValue(
                    exc.code.rsplit(".", 1)[-1], exc.message_ja, exc.message_en
                ) from None

        rule = c.kind if not c.choices else "choice: " + " ".join(c.choices)
        columns.append(Column(c.name, rule, check, c.required, lengths.get(c.name)))
    return tuple(columns)


ELECTORS = FileLayout(
    "electors",
    "選挙人名簿（登録者）",
    "One row per elector on the roll (登録 and 転出表示), with the district.",
    (
        Column("全国地方公共団体コード", "6 digits", _digits(6), required=True),
        Column("宛名番号", "10 digits with check digit", _RESIDENT_NUMBER, required=True),
        Column("投票区番号", "up to 4 digits", _text, max_length=4),
        Column("性別", "choice: 1 2", _choice("1", "2"), required=True),
        Column("登録年月日", "date", _date, required=True),
        Column(
            "名簿状態",
            "choice: registered displayed",
            _choice("registered", "displayed"),
            required=True,
        ),
        Column("転出表示年月日", "date", _date),
    ),
    unique=("宛名番号",),
)

ALLOWANCE = FileLayout(
    "allowance",
    "児童手当（受給者・児童）",
    "One row per child of a recipient (支給対象 and 算定対象).",
    (
        Column("全国地方公共団体コード", "6 digits", _digits(6), required=True),
        Column("受給者宛名番号", "10 digits with check digit", _RESIDENT_NUMBER, required=True),
        Column("受給者氏名", "text", _text, required=True, max_length=200),
        Column("認定請求日", "date", _date, required=True),
        Column("支給開始年月日", "date (1st of a month)", _date, required=True),
        Column("支給終了年月日", "date (1st of a month)", _date),
        Column("児童宛名番号", "10 digits with check digit", _RESIDENT_NUMBER, required=True),
        Column("児童氏名", "text", _text, required=True, max_length=200),
        Column("児童生年月日", "date", _date, required=True),
        Column("児童支給開始年月日", "date (1st of a month)", _date, required=True),
        Column("児童支給終了年月日", "date (1st of a month)", _date),
    ),
    unique=("受給者宛名番号", "児童宛名番号", "支給開始年月日"),
)

SCHOOL_NOTICES = FileLayout(
    "school-notices",
    "就学通知",
    "One row per 就学通知 issued.",
    (
        Column("全国地方公共団体コード", "6 digits", _digits(6), required=True),
        Column("宛名番号", "10 digits with check digit", _RESIDENT_NUMBER, required=True),
        Column("入学年度", "4 digits", _digits(4), required=True),
        Column("学校コード", "text", _text, required=True, max_length=6),
        Column("児童氏名", "text", _text, required=True, max_length=200),
        Column("保護者氏名", "text", _text, required=True, max_length=200),
        Column("生年月日", "date", _date, required=True),
        Column(
            "通知状態", "choice: issued withdrawn", _choice("issued", "withdrawn"), required=True
        ),
    ),
    unique=("宛名番号", "入学年度"),
)

LAYOUTS: dict[str, FileLayout] = {
    "register": FileLayout(
        "register",
        "住民記録（移行用ファイル）",
        "The register's migration file: one row per history row (docs/registry-csv.md).",
        _register_columns(),
    ),
    ELECTORS.name: ELECTORS,
    ALLOWANCE.name: ALLOWANCE,
    SCHOOL_NOTICES.name: SCHOOL_NOTICES,
}


def layout(name: str) -> FileLayout:
    try:
        return LAYOUTS[name]
    except KeyError:
        raise RuleViolation(
            "layout.unknown",
            f"レイアウト「{name}」はありません（{', '.join(LAYOUTS)}）。",
            f"There is no layout {name!r} (one of {', '.join(LAYOUTS)}).",
            "layout",
        ) from None


# --- checking a file -------------------------------------------------------------------------


@dataclass
class Report:
    layout: str
    rows: int = 0
    violations: list[Violation] = field(default_factory=list)
    limit: int = 10_000  # report at most this many (a broken file would report millions)

    def add(self, line: int, column: str, rule: str, ja: str, en: str) -> None:
        if len(self.violations) < self.limit:
            self.violations.append(Violation(line, column, rule, ja, en))

    @property
    def ok(self) -> bool:
        return not self.violations

    def lines(self, english: bool = False) -> list[str]:
        """``line 3, 宛名番号: [check_digit] …`` for each violation."""
        return [
            f"line {v.line}"
            + (f", {v.column}" if v.column else "")
            + f": [{v.rule}] {v.message_en if english else v.message_ja}"
            for v in self.violations
        ]


def read_rows(path: Path, encoding: str) -> Iterator[list[str]]:
    """The CSV rows of a file in UTF-8 (BOM or not) or cp932 (``auto`` finds which)."""
    raw = path.read_bytes()
    if encoding == "auto":
        encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            text = raw.decode("cp932")
    else:
        text = raw.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    yield from csv.reader(io.StringIO(text, newline=""))


def check_file(path: str | Path, layout_name: str, *, encoding: str = "auto") -> Report:
    """Every violation of ``layout_name`` in the file (nothing is written anywhere)."""
    spec = layout(layout_name)
    report = Report(spec.name)
    try:
        rows = read_rows(Path(path), encoding)
        header = next(rows, None)
    except UnicodeDecodeError:
        report.add(
            1,
            "",
            "encoding",
            "UTF-8 でも Shift_JIS でも読めません。",
            "The file is neither UTF-8 nor Shift_JIS.",
        )
        return report
    except csv.Error as exc:
        report.add(1, "", "csv", f"CSVとして読めません: {exc}", f"Not a readable CSV: {exc}")
        return report
    if header is None:
        report.add(1, "", "empty", "ファイルが空です。", "The file is empty.")
        return report
    positions = _check_header(spec, header, report)
    seen: dict[tuple, int] = {}
    try:
        for line, row in enumerate(rows, start=2):
            report.rows += 1
            _check_row(spec, header, positions, row, line, report, seen)
    except csv.Error as exc:
        report.add(
            report.rows + 2, "", "csv", f"CSVとして読めません: {exc}", f"Not a readable CSV: {exc}"
        )
    return report


def _check_header(spec: FileLayout, header: list[str], report: Report) -> dict[str, int]:
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in positions:
            report.add(
                1, name, "header.duplicate", "同じ列が二つあります。", "The column appears twice."
            )
        elif name not in spec.header:
            report.add(
                1,
                name,
                "header.unknown",
                "レイアウトにない列です。",
                "The column is not in the layout.",
            )
        positions.setdefault(name, i)
    for column in spec.columns:
        if column.required and column.name not in positions:
            report.add(
                1,
                column.name,
                "header.missing",
                "必須の列がありません。",
                "A required column is missing.",
            )
    return positions


def _check_row(spec, header, positions, row, line, report: Report, seen: dict) -> None:
    if len(row) != len(header):
        report.add(
            line,
            "",
            "row.length",
            f"列の数が見出しと違います（{len(row)}列、見出しは{len(header)}列）。",
            f"The row has {len(row)} fields, the header {len(header)}.",
        )
        return
    for column in spec.columns:
        at = positions.get(column.name)
        raw = row[at].strip() if at is not None else ""
        if not raw:
            if column.required and at is not None:
                report.add(
                    line, column.name, "required", "必須の項目が空です。", "Required, blank."
                )
            continue
        if column.max_length is not None and len(raw) > column.max_length:
            report.add(
                line,
                column.name,
                "max_length",
                f"{column.max_length}文字以内です。",
                f"At most {column.max_length} characters.",
            )
            continue
        try:
            column.check(raw)
        except BadValue as bad:
            report.add(line, column.name, bad.rule, bad.message_ja, bad.message_en)
    if spec.unique and all(name in positions for name in spec.unique):
        key = tuple(row[positions[name]].strip() for name in spec.unique)
        if key in seen:
            report.add(
                line,
                spec.unique[0],
                "unique",
                f"{seen[key]}行目と同じ行があります（{'・'.join(spec.unique)}）。",
                f"Same {', '.join(spec.unique)} as line {seen[key]}.",
            )
        else:
            seen[key] = line
