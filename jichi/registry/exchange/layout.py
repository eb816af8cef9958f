"""The layout of the register file: its columns, and how a cell is read.

:data:`COLUMNS` is the single definition export and import use: each column's name
(the standard's item), where its value lives, its kind and whether it may be blank or
left out (``docs/registry-csv.md``). :data:`PARSERS` read and check a cell of each
kind; :data:`TRUSTED` converts the cells of a file already checked. Also what both
directions share: the encodings, the actor of their audit entries, their errors.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from jichi.common.checkdigits import (
    validate_household_number,
    validate_local_government_code,
    validate_my_number,
    validate_resident_number,
    validate_resident_record_code,
)
from jichi.common.errors import RuleViolation
from jichi.registry.codes import (
    Article30_45,
    Reason,
    ResidenceStatus,
    ResidentKind,
    ResidentStatus,
    Sex,
)
from jichi.registry.dates import NOTE_MAX_LENGTH, PRECISIONS
from jichi.registry.models import Movement, PersonVersion, Protection, ProtectionOffender
from jichi.registry.relationships import validate_relationship
from jichi.tenancy.principals import Actor

ENCODINGS = ("utf-8", "cp932")


# --- the layout ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the layout.

    ``source`` says where the value lives: ``key`` (the person's 宛名番号, the version's
    household, the municipality), ``version`` (a :class:`PersonVersion` field), ``movement``
    (a :class:`Movement` field), ``subject`` (the :class:`MovementSubject` of the person in
    that movement), ``derived`` (written for people, checked on import, not stored).
    ``required``: the value may not be blank. ``needed``: the header must have the column
    (the others may be left out of a file and read as blank).
    """

    name: str
    source: str
    attr: str
    kind: str
    required: bool = False
    needed: bool = False
    choices: tuple[str, ...] = ()


def define(name, source, attr, kind, *, required=False, needed=None, choices=()) -> Column:
    """A column; ``needed`` defaults to ``required``."""
    return Column(
        name,
        source,
        attr,
        kind,
        required,
        required if needed is None else needed,
        tuple(choices),
    )


COLUMNS: tuple[Column, ...] = (
    define("全国地方公共団体コード", "key", "municipality", "municipality", required=True),
    define("宛名番号", "key", "number", "resident_number", required=True),
    define("履歴番号", "version", "history_no", "history_no", required=True),
    define("世帯番号", "key", "household", "household_number", required=True),
    define("住民種別", "version", "kind", "choice", required=True, choices=ResidentKind.values),
    define("住民状態", "version", "status", "choice", required=True, choices=ResidentStatus.values),
    define("異動事由コード", "version", "reason", "choice", required=True, choices=Reason.values),
    define("異動事由分類", "derived", "reason_category", "text"),
    define("異動日", "movement", "effective_on", "date", required=True),
    define("届出日", "movement", "notified_on", "date"),
    define("処理日時", "version", "recorded_at", "datetime", required=True),
    define("履歴終了日時", "version", "superseded_at", "datetime", needed=True),
    define("有効開始日", "version", "valid_from", "date", required=True),
    define("有効終了日", "version", "valid_to", "date", needed=True),
    define("氏", "version", "family_name", "text"),
    define("名", "version", "given_name", "text"),
    define("氏フリガナ", "version", "family_name_kana", "kana"),
    define("名フリガナ", "version", "given_name_kana", "kana"),
    define("氏名ローマ字", "version", "name_alphabet", "text"),
    define("旧氏", "version", "former_surname", "text"),
    define("旧氏フリガナ", "version", "former_surname_kana", "kana"),
    define("通称", "version", "alias", "text"),
    define("通称フリガナ", "version", "alias_kana", "kana"),
    define("生年月日", "version", "birth_date", "date", required=True),
    define("生年月日不詳区分", "version", "birth_precision", "choice", choices=PRECISIONS),
    define("生年月日不詳表記", "version", "birth_note", "text"),
    define("性別", "version", "sex", "choice", required=True, choices=Sex.values),
    define("住所コード", "version", "town_code", "town_code", required=True),
    define("町字", "version", "town_name", "text", required=True),
    define("番地", "version", "block", "text"),
    define("方書", "version", "building", "text"),
    define("郵便番号", "version", "postal_code", "postal_code"),
    define("続柄", "version", "relationship", "relationship", required=True),
    define("世帯主フラグ", "version", "is_head", "flag", needed=True),
    define("住民となった年月日", "version", "became_resident_on", "date", required=True),
    define("住所を定めた年月日", "version", "address_since", "date", required=True),
    define("前住所", "version", "previous_address", "text"),
    define("本籍", "version", "domicile", "text"),
    define("筆頭者", "version", "domicile_head", "text"),
    define("住民票コード", "version", "resident_code", "resident_code"),
    define("個人番号", "version", "my_number", "my_number"),
    define("国籍・地域", "version", "nationality", "text"),
    define("法30条の45区分", "version", "article_30_45", "choice", choices=Article30_45.values),
    define("在留資格", "version", "residence_status", "choice", choices=ResidenceStatus.values),
    define("在留期間", "version", "residence_period", "text"),
    define("在留期間満了日", "version", "residence_expiry", "date"),
    define("在留カード等番号", "version", "residence_card_no", "text"),
    define("外国人住民となった年月日", "version", "became_foreign_resident_on", "date"),
    define("転出先住所", "version", "destination_address", "text"),
    define("転出予定日", "version", "planned_move_out_on", "date"),
    define("異動ID", "movement", "id", "uuid", required=True),
    define("異動処理日時", "movement", "recorded_at", "datetime", required=True),
    define("異動前世帯番号", "subject", "household_before", "household_number"),
    define("異動後世帯番号", "subject", "household_after", "household_number"),
    define("操作者区分", "movement", "actor_kind", "text"),
    define("操作者ID", "movement", "actor_id", "text"),
    define("操作者名", "movement", "actor_label", "text"),
    define("遅延届出フラグ", "movement", "late", "flag"),
    define("留意事項", "movement", "note", "text"),
    define("異動詳細", "movement", "details", "json"),
)
HEADER: tuple[str, ...] = tuple(c.name for c in COLUMNS)
MY_NUMBER_COLUMN = "個人番号"

# Where each parsed value goes. Parsed rows are dicts keyed by these names; a movement
# attribute is prefixed so that it cannot clash with a version attribute.
_MOVEMENT_KEYS = {
    "id": "movement_id",
    "recorded_at": "movement_recorded_at",
    "effective_on": "effective_on",
    "notified_on": "notified_on",
    "actor_kind": "actor_kind",
    "actor_id": "actor_id",
    "actor_label": "actor_label",
    "late": "late",
    "note": "note",
    "details": "details",
}


def value_key(column: Column) -> str:
    if column.source == "movement":
        return _MOVEMENT_KEYS[column.attr]
    if column.source == "offender":
        return f"offender_{column.attr}"
    return column.attr


_MODELS = {
    "version": PersonVersion,
    "movement": Movement,
    "protection": Protection,
    "offender": ProtectionOffender,
}


def _max_length(column: Column) -> int | None:
    model = _MODELS.get(column.source)
    if model is None or column.kind not in {"text", "kana"}:
        return None
    return model._meta.get_field(column.attr).max_length


@dataclass(frozen=True)
class Layout:
    """One kind of file: its columns, and what its rows need besides them.

    ``label`` names the file in the report; ``defaults`` replace blank values (after
    reading, in both passes); ``column_of_key`` names the column of a validator's field.
    """

    label: str
    columns: tuple[Column, ...]
    defaults: tuple[tuple[str, Any], ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()  # validator field → column name
    limits: tuple[tuple[str, int], ...] = ()  # lengths not taken from a model field

    @property
    def by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    @property
    def max_length(self) -> dict[str, int | None]:
        return {c.name: _max_length(c) for c in self.columns} | dict(self.limits)

    @property
    def column_of_key(self) -> dict[str, str]:
        return {value_key(c): c.name for c in self.columns} | dict(self.aliases)


PERSONS = Layout(
    "register",
    COLUMNS,
    defaults=(("birth_precision", "day"),),
    aliases=(
        ("resident_number", "宛名番号"),
        ("household_number", "世帯番号"),
        ("municipality_code", "全国地方公共団体コード"),
        ("landing_period", "法30条の45区分"),
        ("provisional_stay_period", "法30条の45区分"),
    ),
    limits=(("生年月日不詳表記", NOTE_MAX_LENGTH),),
)
BY_NAME = PERSONS.by_name


# --- text to values -----------------------------------------------------------------

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})"
)
_DIGITS_RE = re.compile(r"[0-9]+")
_TOWN_CODE_RE = re.compile(r"[0-9]{11}")
_POSTAL_CODE_RE = re.compile(r"[0-9]{7}")


class BadCell(Exception):
    """A cell that cannot be read: code suffix and messages (the column is added later)."""

    def __init__(self, suffix: str, message_ja: str, message_en: str) -> None:
        super().__init__(suffix)
        self.suffix = suffix
        self.message_ja = message_ja
        self.message_en = message_en


def _parse_date(raw: str, column: Column) -> date:
    if _DATE_RE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise BadCell(
        "invalid",
        f"{column.name}は西暦の YYYY-MM-DD で書いてください（例: 2001-04-01）。",
        f"{column.name} must be a date written YYYY-MM-DD (e.g. 2001-04-01).",
    )


def _parse_datetime(raw: str, column: Column) -> datetime:
    if _DATETIME_RE.fullmatch(raw):
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            pass
    raise BadCell(
        "invalid",
        f"{column.name}は時差付きの ISO 8601 日時で書いてください"
        "（例: 2026-04-01T09:30:00+09:00）。",
        f"{column.name} must be an ISO 8601 date and time with its UTC offset "
        "(e.g. 2026-04-01T09:30:00+09:00).",
    )


def _parse_choice(raw: str, column: Column) -> str:
    if raw in column.choices:
        return raw
    raise BadCell(
        "invalid",
        f"{column.name}「{raw}」はコード一覧にありません（{'、'.join(column.choices)}）。",
        f"{raw!r} is not a code of {column.name} ({', '.join(column.choices)}).",
    )


def _parse_flag(raw: str, column: Column) -> bool:
    if raw in ("0", "1"):
        return raw == "1"
    raise BadCell(
        "invalid",
        f"{column.name}は 1 または 0 です。",
        f"{column.name} is 1 or 0.",
    )


def _parse_history_no(raw: str, column: Column) -> int:
    if _DIGITS_RE.fullmatch(raw) and 0 < int(raw) < 2**31:
        return int(raw)
    raise BadCell("invalid", "履歴番号は1以上の整数です。", "履歴番号 is a whole number from 1.")


def _parse_pattern(pattern: re.Pattern, what_ja: str, what_en: str):
    def parse(raw: str, column: Column) -> str:
        if pattern.fullmatch(raw):
            return raw
        raise BadCell("format", f"{column.name}は{what_ja}です。", f"{column.name} is {what_en}.")

    return parse


def _parse_uuid(raw: str, column: Column) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise BadCell(
            "invalid",
            f"{column.name}は UUID です（例: 0190a1b2-…）。",
            f"{column.name} is a UUID.",
        ) from None


def _parse_json(raw: str, column: Column) -> dict:
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if isinstance(value, dict):
        return value
    raise BadCell(
        "invalid",
        f"{column.name}は JSON オブジェクトです（例: {{}}）。",
        f"{column.name} is a JSON object (e.g. {{}}).",
    )


def _validator(function: Callable[[str, str], str], field_name: str):
    def parse(raw: str, column: Column) -> str:
        return function(raw, field_name)

    return parse


PARSERS: dict[str, Callable[[str, Column], Any]] = {
    "municipality": _validator(validate_local_government_code, "municipality_code"),
    "resident_number": _validator(validate_resident_number, "resident_number"),
    "household_number": _validator(validate_household_number, "household_number"),
    "resident_code": _validator(validate_resident_record_code, "resident_code"),
    "my_number": _validator(validate_my_number, "my_number"),
    "relationship": _validator(validate_relationship, "relationship"),
    "history_no": _parse_history_no,
    "choice": _parse_choice,
    "date": _parse_date,
    "datetime": _parse_datetime,
    "flag": _parse_flag,
    "uuid": _parse_uuid,
    "json": _parse_json,
    "town_code": _parse_pattern(_TOWN_CODE_RE, "11桁の数字", "11 digits"),
    "postal_code": _parse_pattern(_POSTAL_CODE_RE, "7桁の数字（ハイフンなし）", "7 digits"),
}
# Blank cells (and columns a file leaves out) read as these.
BLANK: dict[str, Any] = {
    "date": None,
    "datetime": None,
    "flag": False,
    "uuid": None,
    "json": None,
    "my_number": None,
    "history_no": None,
}
UNCACHED = {"uuid", "history_no", "json"}  # nearly always new
# Kinds whose reading does not depend on the column: one cache for all their columns
# (e.g. 処理日時 and 異動処理日時 mostly hold the same time). Only values are cached,
# never problems, which name their column.
SHARED_CACHE = {"date", "datetime", "household_number", "resident_number"}


def identity(raw: str) -> str:
    return raw


# The second pass converts a file the first one checked: no validation, same values.
TRUSTED: dict[str, Callable[[str], Any]] = {
    "municipality": identity,
    "resident_number": identity,
    "household_number": identity,
    "resident_code": identity,
    "my_number": identity,
    "choice": identity,
    "town_code": identity,
    "postal_code": identity,
    "history_no": int,
    "date": date.fromisoformat,
    "datetime": datetime.fromisoformat,  # reads a Z (Python 3.11)
    "flag": "1".__eq__,
    "uuid": uuid.UUID,
    "json": json.loads,
}


# --- shared by both directions ------------------------------------------------------


def rekeyed_id(code: str, value: uuid.UUID) -> uuid.UUID:
    """The id a re-keyed import (``allow_other_code``) gives a row whose file id is
    ``value`` (異動ID, 支援措置ID): the time half of a UUIDv7 is kept (index order), the
    rest is a hash of the target and the old id, so that every run derives the same."""
    digest = hashlib.sha256(f"{code}:{value}".encode()).digest()
    low = int.from_bytes(digest[:8], "big") & ((1 << 62) - 1) | (1 << 63)  # variant 10
    return uuid.UUID(int=(value.int >> 64 << 64) | low)


DEFAULT_ACTOR = Actor.system("registry-exchange")


def format_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def format_datetime(value: datetime | None) -> str:
    """ISO 8601 in Japan time (the deployment's zone), microseconds when there are any."""
    return timezone.localtime(value).isoformat() if value else ""


def bad_encoding(encoding: str) -> RuleViolation:
    return RuleViolation(
        "encoding.unknown",
        f"文字コード「{encoding}」には対応していません（utf-8 または cp932）。",
        f"Unsupported encoding {encoding!r} (use utf-8 or cp932).",
        "encoding",
    )


def unknown_municipality(code: str) -> RuleViolation:
    return RuleViolation(
        "municipality.not_found",
        f"団体 {code} は登録されていません。",
        f"Municipality {code} is not known to this deployment.",
        "municipality_code",
        status=404,
    )
