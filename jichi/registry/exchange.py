"""The whole register in and out as one CSV file: the vendor-migration format.

One row per history row (:class:`~jichi.registry.models.PersonVersion`), like the
flat exports of the 中間標準レイアウト (``registry-standard.md`` §4.6, §1.8): every data
item of the person in that version, the bitemporal keys, and the columns of the
movement (異動) that wrote it, so that the register can be rebuilt row for row. The
layout, its formats and the mapping to the standard's items are in
``docs/registry-csv.md``; :data:`COLUMNS` is the single definition both sides use.

- :func:`export_register` streams a municipality's register, ordered by 宛名番号 then
  履歴番号, in constant memory. The file holds the 個人番号 in clear (unless
  ``omit_my_number``): it is 特定個人情報 and must be handled as such.
- :func:`import_register` reads such a file (UTF-8 with or without BOM, or cp932) in
  two streaming passes. The first validates every row and writes a report of every
  problem; if there is any, **nothing is imported** (the whole file is refused).
  The second inserts whole persons in batches, one transaction each, with multi-row
  inserts (:class:`_Inserter`). A run that dies half-way is finished by running it
  again: persons already in the register (same 宛名番号, same history) are skipped,
  movements and households are found again by their natural keys (異動ID, 世帯番号).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import gc
import hashlib
import io
import itertools
import json
import operator
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from jichi.audit.models import Outcome
from jichi.audit.services import record as audit
from jichi.common.checkdigits import (
    validate_household_number,
    validate_local_government_code,
    validate_my_number,
    validate_resident_number,
    validate_resident_record_code,
)
from jichi.common.errors import FieldError, RuleViolation
from jichi.common.ids import new_id
from jichi.common.kana import validate_katakana_name
from jichi.common.secrets import blind_index, encrypt, my_number_context, open_my_number
from jichi.registry.codes import (
    STANDARD_CATEGORY,
    Article30_45,
    Reason,
    ResidenceStatus,
    ResidentKind,
    ResidentStatus,
    Sex,
    category_of,
    validate_foreign_items,
)
from jichi.registry.dates import NOTE_MAX_LENGTH, PRECISIONS, parse_birth_date
from jichi.registry.models import (
    Household,
    Movement,
    MovementSubject,
    NumberSequence,
    Person,
    PersonVersion,
)
from jichi.registry.relationships import HEAD, validate_relationship
from jichi.registry.timeline import name_keys
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

__all__ = [
    "COLUMNS",
    "HEADER",
    "Column",
    "ExportResult",
    "ImportInterrupted",
    "ImportResult",
    "detect_encoding",
    "export_register",
    "import_register",
]

ENCODINGS = ("utf-8", "cp932")
REPORT_HEADER = ("line", "column", "code", "message_ja", "message_en")
DEFAULT_ACTOR = Actor.system("registry-exchange")
_LINE_MASK = (1 << 32) - 1
_FINGERPRINT_MASK = (1 << 48) - 1
_PG_LOCK_CLASS = 7_316_003  # pg_try_advisory_lock(class, municipality): one import at a time

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


def _c(name, source, attr, kind, *, required=False, needed=None, choices=()) -> Column:
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
    _c("全国地方公共団体コード", "key", "municipality", "municipality", required=True),
    _c("宛名番号", "key", "number", "resident_number", required=True),
    _c("履歴番号", "version", "history_no", "history_no", required=True),
    _c("世帯番号", "key", "household", "household_number", required=True),
    _c("住民種別", "version", "kind", "choice", required=True, choices=ResidentKind.values),
    _c("住民状態", "version", "status", "choice", required=True, choices=ResidentStatus.values),
    _c("異動事由コード", "version", "reason", "choice", required=True, choices=Reason.values),
    _c("異動事由分類", "derived", "reason_category", "text"),
    _c("異動日", "movement", "effective_on", "date", required=True),
    _c("届出日", "movement", "notified_on", "date"),
    _c("処理日時", "version", "recorded_at", "datetime", required=True),
    _c("履歴終了日時", "version", "superseded_at", "datetime", needed=True),
    _c("有効開始日", "version", "valid_from", "date", required=True),
    _c("有効終了日", "version", "valid_to", "date", needed=True),
    _c("氏", "version", "family_name", "text"),
    _c("名", "version", "given_name", "text"),
    _c("氏フリガナ", "version", "family_name_kana", "kana"),
    _c("名フリガナ", "version", "given_name_kana", "kana"),
    _c("氏名ローマ字", "version", "name_alphabet", "text"),
    _c("旧氏", "version", "former_surname", "text"),
    _c("旧氏フリガナ", "version", "former_surname_kana", "kana"),
    _c("通称", "version", "alias", "text"),
    _c("通称フリガナ", "version", "alias_kana", "kana"),
    _c("生年月日", "version", "birth_date", "date", required=True),
    _c("生年月日不詳区分", "version", "birth_precision", "choice", choices=PRECISIONS),
    _c("生年月日不詳表記", "version", "birth_note", "text"),
    _c("性別", "version", "sex", "choice", required=True, choices=Sex.values),
    _c("住所コード", "version", "town_code", "town_code", required=True),
    _c("町字", "version", "town_name", "text", required=True),
    _c("番地", "version", "block", "text"),
    _c("方書", "version", "building", "text"),
    _c("郵便番号", "version", "postal_code", "postal_code"),
    _c("続柄", "version", "relationship", "relationship", required=True),
    _c("世帯主フラグ", "version", "is_head", "flag", needed=True),
    _c("住民となった年月日", "version", "became_resident_on", "date", required=True),
    _c("住所を定めた年月日", "version", "address_since", "date", required=True),
    _c("前住所", "version", "previous_address", "text"),
    _c("本籍", "version", "domicile", "text"),
    _c("筆頭者", "version", "domicile_head", "text"),
    _c("住民票コード", "version", "resident_code", "resident_code"),
    _c("個人番号", "version", "my_number", "my_number"),
    _c("国籍・地域", "version", "nationality", "text"),
    _c("法30条の45区分", "version", "article_30_45", "choice", choices=Article30_45.values),
    _c("在留資格", "version", "residence_status", "choice", choices=ResidenceStatus.values),
    _c("在留期間", "version", "residence_period", "text"),
    _c("在留期間満了日", "version", "residence_expiry", "date"),
    _c("在留カード等番号", "version", "residence_card_no", "text"),
    _c("外国人住民となった年月日", "version", "became_foreign_resident_on", "date"),
    _c("転出先住所", "version", "destination_address", "text"),
    _c("転出予定日", "version", "planned_move_out_on", "date"),
    _c("異動ID", "movement", "id", "uuid", required=True),
    _c("異動処理日時", "movement", "recorded_at", "datetime", required=True),
    _c("異動前世帯番号", "subject", "household_before", "household_number"),
    _c("異動後世帯番号", "subject", "household_after", "household_number"),
    _c("操作者区分", "movement", "actor_kind", "text"),
    _c("操作者ID", "movement", "actor_id", "text"),
    _c("操作者名", "movement", "actor_label", "text"),
    _c("遅延届出フラグ", "movement", "late", "flag"),
    _c("留意事項", "movement", "note", "text"),
    _c("異動詳細", "movement", "details", "json"),
)
HEADER: tuple[str, ...] = tuple(c.name for c in COLUMNS)
_BY_NAME = {c.name: c for c in COLUMNS}
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


def _key(column: Column) -> str:
    return _MOVEMENT_KEYS[column.attr] if column.source == "movement" else column.attr


# The report names a column for each problem; validators name the attribute.
_COLUMN_OF_KEY = {_key(c): c.name for c in COLUMNS}
_COLUMN_OF_KEY.update(
    {
        "resident_number": "宛名番号",
        "household_number": "世帯番号",
        "municipality_code": "全国地方公共団体コード",
        "landing_period": "法30条の45区分",
        "provisional_stay_period": "法30条の45区分",
    }
)


def _max_length(column: Column) -> int | None:
    model = {"version": PersonVersion, "movement": Movement}.get(column.source)
    if model is None or column.kind not in {"text", "kana"}:
        return None
    return model._meta.get_field(column.attr).max_length


_MAX_LENGTH = {c.name: _max_length(c) for c in COLUMNS}
_MAX_LENGTH["生年月日不詳表記"] = NOTE_MAX_LENGTH


# --- values to text and back --------------------------------------------------------

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})"
)
_DIGITS_RE = re.compile(r"[0-9]+")
_TOWN_CODE_RE = re.compile(r"[0-9]{11}")
_POSTAL_CODE_RE = re.compile(r"[0-9]{7}")


class _Bad(Exception):
    """A cell that cannot be read: code suffix and messages (the column is added later)."""

    def __init__(self, suffix: str, message_ja: str, message_en: str) -> None:
        super().__init__(suffix)
        self.suffix = suffix
        self.message_ja = message_ja
        self.message_en = message_en


def _format_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _format_datetime(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def _parse_date(raw: str, column: Column) -> date:
    if _DATE_RE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise _Bad(
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
    raise _Bad(
        "invalid",
        f"{column.name}は時差付きの ISO 8601 日時で書いてください"
        "（例: 2026-04-01T09:30:00+09:00）。",
        f"{column.name} must be an ISO 8601 date and time with its UTC offset "
        "(e.g. 2026-04-01T09:30:00+09:00).",
    )


def _parse_choice(raw: str, column: Column) -> str:
    if raw in column.choices:
        return raw
    raise _Bad(
        "invalid",
        f"{column.name}「{raw}」はコード一覧にありません（{'、'.join(column.choices)}）。",
        f"{raw!r} is not a code of {column.name} ({', '.join(column.choices)}).",
    )


def _parse_flag(raw: str, column: Column) -> bool:
    if raw in ("0", "1"):
        return raw == "1"
    raise _Bad(
        "invalid",
        f"{column.name}は 1 または 0 です。",
        f"{column.name} is 1 or 0.",
    )


def _parse_history_no(raw: str, column: Column) -> int:
    if _DIGITS_RE.fullmatch(raw) and 0 < int(raw) < 2**31:
        return int(raw)
    raise _Bad("invalid", "履歴番号は1以上の整数です。", "履歴番号 is a whole number from 1.")


def _parse_pattern(pattern: re.Pattern, what_ja: str, what_en: str):
    def parse(raw: str, column: Column) -> str:
        if pattern.fullmatch(raw):
            return raw
        raise _Bad("format", f"{column.name}は{what_ja}です。", f"{column.name} is {what_en}.")

    return parse


def _parse_uuid(raw: str, column: Column) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise _Bad(
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
    raise _Bad(
        "invalid",
        f"{column.name}は JSON オブジェクトです（例: {{}}）。",
        f"{column.name} is a JSON object (e.g. {{}}).",
    )


def _validator(function: Callable[[str, str], str], field_name: str):
    def parse(raw: str, column: Column) -> str:
        return function(raw, field_name)

    return parse


_PARSERS: dict[str, Callable[[str, Column], Any]] = {
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
_BLANK: dict[str, Any] = {
    "date": None,
    "datetime": None,
    "flag": False,
    "uuid": None,
    "json": None,
    "my_number": None,
    "history_no": None,
}
_UNCACHED = {"uuid", "datetime", "history_no", "my_number", "json"}  # nearly always new


def _fromisoformat_z(raw: str) -> datetime:
    return datetime.fromisoformat(raw.replace("Z", "+00:00"))


def _identity(raw: str) -> str:
    return raw


# The second pass converts a file the first one checked: no validation, same values.
_TRUSTED: dict[str, Callable[[str], Any]] = {
    "municipality": _identity,
    "resident_number": _identity,
    "household_number": _identity,
    "resident_code": _identity,
    "my_number": _identity,
    "choice": _identity,
    "town_code": _identity,
    "postal_code": _identity,
    "history_no": int,
    "date": date.fromisoformat,
    "datetime": _fromisoformat_z,
    "flag": "1".__eq__,
    "uuid": uuid.UUID,
    "json": json.loads,
}


# --- export -------------------------------------------------------------------------


@dataclass
class ExportResult:
    municipality_code: str
    rows: int = 0
    persons: int = 0
    omit_my_number: bool = False
    encoding: str = "utf-8"


def _format_text(value: Any) -> str:
    return "" if value is None else value


def _format_flag(value: bool) -> str:
    return "1" if value else "0"


def _format_json(value: dict | None) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


_FORMATS: dict[str, Callable[[Any], str]] = {
    "date": _format_date,
    "datetime": _format_datetime,
    "flag": _format_flag,
    "json": _format_json,
    "history_no": str,
    "uuid": str,
}
# Cells the export computes rather than reads: they follow the queried values.
_COMPUTED = ("municipality", "household_before", "household_after", "reason_category", "my_number")


def _path(column: Column) -> str | None:
    """The query path of a column's value (None: computed by the export)."""
    if column.attr in _COMPUTED:
        return None
    if column.source == "version":
        return column.attr
    if column.source == "movement":
        return "movement_id" if column.attr == "id" else f"movement__{column.attr}"
    return {"number": "person__number", "household": "household__number"}[column.attr]


def _export_plan(columns: list[Column]) -> tuple[list[str], list[tuple[int, Callable]]]:
    """The paths to query and, per column, where its value is and how it is written."""
    paths = [path for path in map(_path, columns) if path]
    paths += ["person_id", "movement_id", "reason", "my_number_cipher", "history_no"]
    plan = []
    for column in columns:
        path = _path(column)
        index = paths.index(path) if path else len(paths) + _COMPUTED.index(column.attr)
        plan.append((index, _FORMATS.get(column.kind, _format_text)))
    return paths, plan


def export_register(
    municipality_code: str,
    stream: IO,
    *,
    omit_my_number: bool = False,
    encoding: str = "utf-8",
    chunk_size: int = 2000,
    actor: Actor | None = None,
) -> ExportResult:
    """Write the whole register of ``municipality_code`` to ``stream`` as CSV.

    ``stream`` is a binary file (the bytes are ``encoding``: ``utf-8`` with a BOM, or
    ``cp932`` without), or a text stream (then the caller's encoding applies and a BOM
    character is written first for ``utf-8``). Rows come ordered by 宛名番号 then
    履歴番号; versions are read through one streaming query (``iterator``, tuples rather
    than model instances) and the movement subjects per chunk, so memory stays
    constant. One audit entry records the run (counts only). A value that ``cp932``
    cannot hold is refused with ``export.not_encodable`` naming the 宛名番号, 履歴番号
    and column.
    """
    code = validate_local_government_code(municipality_code)
    if encoding not in ENCODINGS:
        raise _bad_encoding(encoding)
    if not Municipality.objects.filter(code=code).exists():
        raise _unknown_municipality(code)
    columns = [c for c in COLUMNS if not (omit_my_number and c.name == MY_NUMBER_COLUMN)]
    paths, plan = _export_plan(columns)
    text, detach = _text_stream(stream, encoding)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    result = ExportResult(code, omit_my_number=omit_my_number, encoding=encoding)
    with tenant_scope(code, "register export"):
        versions = (
            PersonVersion.objects.order_by("person__number", "history_no")
            .values_list(*paths)
            .iterator(chunk_size=chunk_size)
        )
        last_person = None
        opened: dict[bytes, str] = {}
        for chunk in _chunks(versions, chunk_size):
            subjects = _subjects_of({values[-5] for values in chunk})
            for values in chunk:
                person_id, movement_id, reason, cipher, history_no = values[-5:]
                if person_id != last_person:
                    last_person = person_id
                    result.persons += 1
                    opened.clear()
                before, after = subjects.get((movement_id, person_id), ("", ""))
                number = "" if omit_my_number else _open(cipher, opened, code)
                extended = (*values, code, before, after, STANDARD_CATEGORY[reason], number)
                row = [write(extended[i]) for i, write in plan]
                try:
                    writer.writerow(row)
                except UnicodeEncodeError as exc:
                    raise _not_encodable(extended, history_no, columns, row, encoding) from exc
                result.rows += 1
        audit(
            actor or DEFAULT_ACTOR,
            "registry.export",
            object_type="register",
            object_id=code,
            purpose="移行用ファイルの出力 (export for migration)",
            details={
                "rows": result.rows,
                "persons": result.persons,
                "omit_my_number": omit_my_number,
                "encoding": encoding,
            },
        )
    detach()
    return result


def _text_stream(stream: IO, encoding: str) -> tuple[IO[str], Callable[[], None]]:
    if isinstance(stream, io.TextIOBase):
        if encoding == "utf-8":
            stream.write("\ufeff")
        return stream, stream.flush
    wrapper = io.TextIOWrapper(
        stream, encoding="utf-8-sig" if encoding == "utf-8" else "cp932", newline=""
    )

    def detach() -> None:
        wrapper.flush()
        wrapper.detach()

    return wrapper, detach


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _subjects_of(persons: set) -> dict[tuple, tuple[str, str]]:
    """(movement id, person id) → (世帯番号 before, after) for the persons of a chunk."""
    rows = MovementSubject.objects.filter(person_id__in=persons).values_list(
        "movement_id", "person_id", "household_before__number", "household_after__number"
    )
    return {(m, p): (before or "", after or "") for m, p, before, after in rows}


def _open(cipher, opened: dict, code: str) -> str:
    """The 個人番号 of a sealed value; one decryption per distinct value of a person."""
    if not cipher:
        return ""
    blob = bytes(cipher)
    if blob not in opened:
        opened[blob] = open_my_number(blob, code)
    return opened[blob]


def _not_encodable(values, history_no, columns, row, encoding) -> RuleViolation:
    column = next(
        (c.name for c, cell in zip(columns, row, strict=True) if not _encodable(cell, encoding)),
        "",
    )
    number = row[HEADER.index("宛名番号")]
    return RuleViolation(
        "export.not_encodable",
        f"宛名番号 {number} 履歴番号 {history_no} の{column}に"
        f"{encoding}で表せない文字があります。UTF-8 で出力してください。",
        f"{column} of 宛名番号 {number}, 履歴番号 {history_no} holds "
        f"a character {encoding} cannot encode; export in UTF-8.",
        "encoding",
    )


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


# --- import: results, errors, the file ------------------------------------------------


class ImportInterrupted(Exception):
    """Raised by ``stop_after_batches``: the run stops as if killed after a commit."""


@dataclass
class ImportResult:
    municipality_code: str
    path: str
    encoding: str = ""
    rows: int = 0  # data rows read
    persons: int = 0  # persons (宛名番号) in the file
    refused_rows: int = 0  # rows with at least one problem
    problems: int = 0  # lines of the report
    report_path: str | None = None
    imported_persons: int = 0
    skipped_persons: int = 0  # already imported by an earlier run of the same file
    versions: int = 0
    movements: int = 0
    households: int = 0
    subjects: int = 0
    batches: int = 0
    sha256: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.problems == 0

    def counts(self) -> dict:
        """What the audit entry keeps (no personal data)."""
        return {
            "rows": self.rows,
            "persons": self.persons,
            "refused_rows": self.refused_rows,
            "problems": self.problems,
            "imported_persons": self.imported_persons,
            "skipped_persons": self.skipped_persons,
            "versions": self.versions,
            "movements": self.movements,
            "households": self.households,
            "subjects": self.subjects,
            "batches": self.batches,
            "encoding": self.encoding,
            "sha256": self.sha256,
        }


class _Report:
    """The report CSV, written as problems are found (opened at the first one)."""

    def __init__(self, path: Path, always: bool) -> None:
        self.path = path
        self.handle = None
        self.writer = None
        self.problems = 0
        self.lines: set[int] = set()
        if always:
            self._open()

    def _open(self) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self.handle = open(fd, "w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\r\n")
        self.writer.writerow(REPORT_HEADER)

    def add(self, line: int, column: str, code: str, message_ja: str, message_en: str) -> None:
        if self.writer is None:
            self._open()
        self.writer.writerow([line, column, code, message_ja, message_en])
        self.problems += 1
        if line > 1:  # a data row (1 is the header, 0 the file as a whole)
            self.lines.add(line)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def detect_encoding(path: str | os.PathLike) -> str:
    """``utf-8-sig`` with a BOM; ``utf-8`` if the first 64 KiB decode strictly; else cp932."""
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=False)
    except UnicodeDecodeError:
        return "cp932"
    return "utf-8"


class _HashingReader(io.RawIOBase):
    """A raw file that hashes what is read and says how far it got (for progress)."""

    def __init__(self, path: Path) -> None:
        self.raw = open(path, "rb", buffering=0)
        self.digest = hashlib.sha256()
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        if n:
            self.digest.update(memoryview(buffer)[:n])
            self.position += n
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


@dataclass
class _Source:
    """One pass over the file: (line, cells) records, with the header read first.

    Lines are split in bytes and decoded one by one (a line break is never part of a
    multi-byte character in UTF-8 or cp932), so a byte that does not decode is
    reported on its own line.
    """

    path: Path
    encoding: str
    raw: _HashingReader = field(init=False)
    buffered: io.BufferedReader = field(init=False)
    reader: Any = field(init=False)
    physical: int = 0  # lines read so far

    def __post_init__(self) -> None:
        self.raw = _HashingReader(self.path)
        self.buffered = io.BufferedReader(self.raw, buffer_size=1 << 20)
        self.reader = csv.reader(self._lines(), strict=True)

    def _lines(self) -> Iterator[str]:
        encoding = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        first = True
        for line in self.buffered:
            self.physical += 1
            if first:
                first = False
                yield line.decode(self.encoding)
            else:
                yield line.decode(encoding)

    def records(self) -> Iterator[tuple[int, list[str]]]:
        reader = self.reader
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            if cells:  # a blank line is no record
                yield start, cells

    def close(self) -> None:
        self.buffered.close()


# --- import: reading one row ----------------------------------------------------------


@dataclass(slots=True)
class _Row:
    line: int
    values: dict
    errors: list  # (column, code, message_ja, message_en)


class _RowReader:
    """Turns the cells of a row into the values of the models, collecting every problem.

    ``trusted`` (the second pass, over a file the first pass found valid): no checks,
    only conversion; the validators that normalise (kana, 続柄) still run, cached.
    """

    def __init__(
        self, header: list[str], target_code: str, allow_other_code: bool, trusted: bool = False
    ) -> None:
        self.target_code = target_code
        self.allow_other_code = allow_other_code
        self.trusted = trusted
        self.width = len(header)
        index = {name: i for i, name in enumerate(header)}
        present = [c for c in COLUMNS if c.name in index]
        self.absent = {_key(c): _BLANK.get(c.kind, "") for c in COLUMNS if c.name not in index}
        self.number_index = index.get("宛名番号")
        self.texts = [
            (index[c.name], _key(c), _MAX_LENGTH[c.name], c) for c in present if c.kind == "text"
        ]
        # The text cells are taken in one C call per row and checked only when needed.
        self.text_keys = [key for _, key, _, _ in self.texts]
        self.text_cells = operator.itemgetter(*[i for i, *_ in self.texts], 0)
        self.text_limits = [limit or 1 << 30 for _, _, limit, _ in self.texts]
        self.text_required = [
            (n, column) for n, (_, _, _, column) in enumerate(self.texts) if column.required
        ]
        self.typed = []
        for c in present:
            if c.kind == "text":
                continue
            parse, cached = functools.partial(self._parse, c), c.kind not in _UNCACHED
            cache: dict | None = {} if cached else None
            self.typed.append((index[c.name], _key(c), c, parse, cache, _BLANK.get(c.kind, "")))
        # The second pass: codes and numbers are taken as they are (stripped), the other
        # kinds converted, kana and 続柄 normalised through their (cached) validators.
        plain = [c for c in present if _TRUSTED.get(c.kind) is _identity]
        self.plain_keys = [_key(c) for c in plain]
        self.plain_cells = operator.itemgetter(*[index[c.name] for c in plain], 0)
        self.converted = [
            (index[c.name], _key(c), _TRUSTED[c.kind], _BLANK.get(c.kind, ""))
            for c in present
            if c.kind in _TRUSTED and _TRUSTED[c.kind] is not _identity
        ]
        self.normalised = [
            (index[c.name], _key(c), functools.partial(self._parse, c), {})
            for c in present
            if c.kind != "text" and c.kind not in _TRUSTED
        ]
        if trusted:
            self.read = self._read_trusted

    def read(self, line: int, cells: list[str]) -> _Row:
        errors: list = []
        values = dict(self.absent)
        if len(cells) != self.width:
            errors.append(
                (
                    "",
                    "row.columns",
                    f"この行の項目数は{len(cells)}です（見出しは{self.width}）。",
                    f"The row has {len(cells)} cells; the header has {self.width}.",
                )
            )
            number = cells[self.number_index] if self.number_index < len(cells) else ""
            values["number"] = number.strip()
            return _Row(line, values, errors)
        checking = not self.trusted
        texts = self.text_cells(cells)[:-1]
        values.update(zip(self.text_keys, texts, strict=True))
        if checking:
            for n, column in self.text_required:
                if not texts[n].strip():
                    errors.append(_required(column))
            if "\x00" in "\x01".join(texts) or any(
                map(operator.gt, map(len, texts), self.text_limits)
            ):
                for text, limit, (_, _, _, column) in zip(
                    texts, self.text_limits, self.texts, strict=True
                ):
                    if len(text) > limit or "\x00" in text:
                        errors.append(_text_problem(column, text, limit))
        for i, key, column, parse, cache, blank in self.typed:
            raw = cells[i].strip()
            if not raw:
                if column.required and checking:
                    errors.append(_required(column))
                values[key] = blank
                continue
            if cache is None:
                value = parse(raw)
            else:
                value = cache.get(raw)
                if value is None:
                    value = parse(raw)
                    if len(cache) > 50_000:
                        cache.clear()
                    cache[raw] = value
            if type(value) is tuple:
                errors.append(value)
                values[key] = blank
            else:
                values[key] = value
        if not values["birth_precision"]:
            values["birth_precision"] = "day"
        if errors:
            if not values["number"] and self.number_index is not None:
                values["number"] = cells[self.number_index].strip()  # to group the rows
        elif checking:
            self._cross_check(values, errors)
        return _Row(line, values, errors)

    def _read_trusted(self, line: int, cells: list[str]) -> _Row:
        """:meth:`read` for a file pass 1 found valid: conversion only."""
        values = dict(self.absent)
        values.update(zip(self.text_keys, self.text_cells(cells)[:-1], strict=True))
        plain = map(str.strip, self.plain_cells(cells)[:-1])
        values.update(zip(self.plain_keys, plain, strict=False))
        for i, key, convert, blank in self.converted:
            raw = cells[i].strip()
            values[key] = convert(raw) if raw else blank
        for i, key, parse, cache in self.normalised:
            raw = cells[i].strip()
            if raw:
                value = cache.get(raw)
                if value is None:
                    if len(cache) > 50_000:
                        cache.clear()
                    value = cache[raw] = parse(raw)
                values[key] = value
            else:
                values[key] = ""
        if not values["birth_precision"]:
            values["birth_precision"] = "day"
        return _Row(line, values, [])

    def _parse(self, column: Column, raw: str):
        """The value, or a problem tuple (cached like values: the same cell, the same answer)."""
        try:
            if column.kind == "kana":
                value = validate_katakana_name(raw, column.attr)
                limit = _MAX_LENGTH[column.name]
                if limit and len(value) > limit:
                    return _text_problem(column, value, limit)
                return value
            return _PARSERS[column.kind](raw, column)
        except _Bad as bad:
            return (column.name, f"{_key(column)}.{bad.suffix}", bad.message_ja, bad.message_en)
        except RuleViolation as exc:
            return (column.name, exc.code, exc.message_ja, exc.message_en)

    def _cross_check(self, v: dict, errors: list) -> None:
        """Rules between the items of one row (only when every item reads)."""
        if v["municipality"] != self.target_code and not self.allow_other_code:
            errors.append(
                (
                    "全国地方公共団体コード",
                    "municipality_code.other",
                    f"この行は団体 {v['municipality']} のものです（取込先は {self.target_code}）。",
                    f"The row belongs to municipality {v['municipality']}, not to "
                    f"{self.target_code} (the import's target).",
                )
            )
        if v["valid_to"] is not None and v["valid_to"] <= v["valid_from"]:
            errors.append(
                (
                    "有効終了日",
                    "valid_to.order",
                    "有効終了日は有効開始日より後の日付です。",
                    "有効終了日 (valid to) must be after 有効開始日 (valid from).",
                )
            )
        if v["superseded_at"] is not None and v["superseded_at"] < v["recorded_at"]:
            errors.append(
                (
                    "履歴終了日時",
                    "superseded_at.order",
                    "履歴終了日時は処理日時より前にできません。",
                    "履歴終了日時 (superseded at) cannot be before 処理日時 (recorded at).",
                )
            )
        if v["is_head"] != (v["relationship"] == HEAD):
            errors.append(
                (
                    "世帯主フラグ",
                    "is_head.mismatch",
                    "世帯主フラグは続柄が「世帯主」の行だけ 1 です。",
                    "世帯主フラグ is 1 exactly when 続柄 is 世帯主.",
                )
            )
        wording = v["reason_category"]
        if wording and wording != STANDARD_CATEGORY[Reason(v["reason"])]:
            errors.append(
                (
                    "異動事由分類",
                    "reason_category.mismatch",
                    f"異動事由コード {v['reason']} の分類は"
                    f"「{STANDARD_CATEGORY[Reason(v['reason'])]}」です。",
                    f"Reason {v['reason']} belongs to the category "
                    f"{STANDARD_CATEGORY[Reason(v['reason'])]!r}.",
                )
            )
        if v["birth_note"]:
            try:
                birth = parse_birth_date(v["birth_note"], "birth_note")
            except RuleViolation as exc:
                errors.append(("生年月日不詳表記", exc.code, exc.message_ja, exc.message_en))
            else:
                if (birth.value, birth.precision) != (v["birth_date"], v["birth_precision"]):
                    errors.append(
                        (
                            "生年月日不詳表記",
                            "birth_note.mismatch",
                            f"不詳表記「{v['birth_note']}」は生年月日 {birth.value.isoformat()}・"
                            f"不詳区分 {birth.precision} を表します。",
                            f"The note {v['birth_note']!r} stands for {birth.value.isoformat()} "
                            f"with precision {birth.precision}.",
                        )
                    )
        if v["kind"] == ResidentKind.JAPANESE:
            for key, column in (("family_name", "氏"), ("given_name", "名"), ("domicile", "本籍")):
                if not v[key].strip():
                    errors.append(_required(_BY_NAME[column], japanese=True))
        else:
            self._foreign(v, errors)

    def _foreign(self, v: dict, errors: list) -> None:
        if not (v["name_alphabet"].strip() or v["family_name"].strip()):
            errors.append(
                (
                    "氏名ローマ字",
                    "name_alphabet.required",
                    "外国人住民の行には氏名ローマ字（または氏）が必要です。",
                    "A foreign resident's row needs 氏名ローマ字 (or 氏).",
                )
            )
        try:
            validate_foreign_items(
                v["article_30_45"],
                {
                    "residence_status": v["residence_status"],
                    "residence_period": v["residence_period"],
                    "residence_expiry": v["residence_expiry"],
                    "residence_card_no": v["residence_card_no"],
                },
            )
        except RuleViolation as exc:
            removed = v["status"] != ResidentStatus.RESIDENT
            for error in exc.errors:
                if removed and error.code == "residence_card_no.required":
                    continue  # 除票 need no card number (§1.7)
                errors.append(_problem(error))


def _problem(error: FieldError) -> tuple:
    column = _COLUMN_OF_KEY.get((error.field or "").rsplit(".", 1)[-1], "")
    return (column, error.code, error.message_ja, error.message_en)


def _required(column: Column, japanese: bool = False) -> tuple:
    who_ja = "日本人住民の行では" if japanese else ""
    who_en = " on a Japanese resident's row" if japanese else ""
    return (
        column.name,
        f"{_key(column)}.required",
        f"{who_ja}{column.name}を空欄にできません。",
        f"{column.name} may not be blank{who_en}.",
    )


def _text_problem(column: Column, raw: str, limit: int | None) -> tuple:
    if "\x00" in raw:
        return (
            column.name,
            f"{_key(column)}.nul",
            f"{column.name}に NUL 文字があります。",
            f"{column.name} contains a NUL character.",
        )
    return (
        column.name,
        f"{_key(column)}.too_long",
        f"{column.name}は{limit}文字以内です（{len(raw)}文字）。",
        f"{column.name} may hold at most {limit} characters (got {len(raw)}).",
    )


# --- import: one person ---------------------------------------------------------------


@dataclass(slots=True)
class _Person:
    number: str
    rows: list[_Row]

    @property
    def line(self) -> int:
        return self.rows[0].line


def _person_problems(person: _Person) -> list[tuple[int, tuple]]:
    """Rules between the rows of one person: 履歴番号 1, 2, 3 …; the current versions a
    timeline without gap or overlap that ends open; one pair of households per movement."""
    problems: list[tuple[int, tuple]] = []
    for expected, row in enumerate(person.rows, 1):
        got = row.values["history_no"]
        if got != expected:
            problems.append(
                (
                    row.line,
                    (
                        "履歴番号",
                        "history_no.sequence",
                        f"この人の{expected}行目の履歴番号は {expected} のはずです（{got}）。",
                        f"Row {expected} of this person must have 履歴番号 {expected} (got {got}).",
                    ),
                )
            )
            break
    current = sorted(
        (r for r in person.rows if r.values["superseded_at"] is None),
        key=lambda r: r.values["valid_from"],
    )
    if not current:
        problems.append(
            (
                person.line,
                (
                    "履歴終了日時",
                    "timeline.none_current",
                    "この人には現在の行（履歴終了日時が空欄の行）がありません。",
                    "This person has no current row (one with 履歴終了日時 blank).",
                ),
            )
        )
    for a, b in itertools.pairwise(current):
        end, start = a.values["valid_to"], b.values["valid_from"]
        if end != start:
            gap = end is not None and end < start
            problems.append(
                (
                    b.line if end is not None else a.line,
                    (
                        "有効開始日" if end is not None else "有効終了日",
                        "timeline.gap" if gap else "timeline.overlap",
                        "現在の行の有効期間に" + ("すき間" if gap else "重なり") + "があります"
                        "（前の行の有効終了日 = 次の行の有効開始日）。",
                        "The current rows' periods have a "
                        + ("gap" if gap else "overlap")
                        + " (each 有効終了日 must equal the next 有効開始日).",
                    ),
                )
            )
    if current and current[-1].values["valid_to"] is not None:
        problems.append(
            (
                current[-1].line,
                (
                    "有効終了日",
                    "timeline.closed",
                    "この人の最後の現在の行は有効終了日が空欄です。",
                    "The last current row of a person has 有効終了日 blank.",
                ),
            )
        )
    pairs: dict = {}
    for row in person.rows:
        v = row.values
        pair = (v["household_before"], v["household_after"])
        if pairs.setdefault(v["movement_id"], pair) != pair:
            problems.append(
                (
                    row.line,
                    (
                        "異動前世帯番号",
                        "movement_subject.inconsistent",
                        "同じ異動IDの行で異動前・異動後世帯番号が違います。",
                        "Rows of the same 異動ID give different households before/after.",
                    ),
                )
            )
    return problems


def _movement_fingerprint(v: dict) -> int:
    return hash(
        (
            v["reason"],
            v["effective_on"],
            v["notified_on"],
            v["movement_recorded_at"],
            v["actor_kind"],
            v["actor_id"],
            v["actor_label"],
            v["late"],
            v["note"],
            json.dumps(v["details"], sort_keys=True) if v["details"] else "",
        )
    )


def _skeleton(rows: Iterable) -> list[tuple]:
    return [
        (v["history_no"], v["valid_from"], v["valid_to"], v["recorded_at"], v["superseded_at"])
        for v in rows
    ]


# --- import: the two passes -----------------------------------------------------------


def import_register(
    municipality_code: str,
    path: str | os.PathLike,
    *,
    encoding: str = "auto",
    report_path: str | os.PathLike | None = None,
    batch_rows: int = 5000,
    progress: bool = True,
    allow_other_code: bool = False,
    actor: Actor | None = None,
    stop_after_batches: int | None = None,
) -> ImportResult:
    """Import a file written by :func:`export_register` (or another system, same layout).

    ``encoding``: ``auto`` (BOM → UTF-8; else UTF-8 if the first 64 KiB decode strictly;
    else cp932), ``utf-8`` or ``cp932``. The file's 全国地方公共団体コード must be the
    target's unless ``allow_other_code`` (then the rows are re-keyed to the target, and
    each 異動ID is replaced by a deterministic new one, since the old one is taken).

    Pass 1 checks every row and writes each problem to the report (``report_path``,
    default ``<file>.report.csv``, only written when there are problems unless a path
    is given). If there is any problem nothing is imported and the result says so
    (``result.ok`` is false). Pass 2 inserts batches of whole persons of about
    ``batch_rows`` rows, one transaction each; persons already present with the same
    history are skipped, so an interrupted run is completed by running it again.
    Afterwards the 宛名番号/世帯番号 sequences are raised to the highest serial present,
    and one audit entry records the run's counts. ``stop_after_batches`` stops the run
    with :class:`ImportInterrupted` after that many committed batches (crash tests).
    """
    started = time.monotonic()
    code = validate_local_government_code(municipality_code)
    if not Municipality.objects.filter(code=code).exists():
        raise _unknown_municipality(code)
    path = Path(path)
    if not path.is_file():
        raise RuleViolation(
            "file.not_found",
            f"ファイル {path} がありません。",
            f"There is no file {path}.",
            "path",
        )
    if batch_rows < 1:
        raise ValueError("batch_rows must be at least 1")
    chosen = _reading_encoding(path, encoding)
    result = ImportResult(code, str(path), encoding="utf-8" if chosen == "utf-8-sig" else chosen)
    report = _Report(
        Path(report_path) if report_path else path.with_name(path.name + ".report.csv"),
        always=report_path is not None,
    )
    job = _Import(code, path, chosen, report, result, allow_other_code, batch_rows, progress)
    with _import_lock(code), _collector_paused():
        try:
            job.validate()
        finally:
            report.close()
        result.problems = report.problems
        result.refused_rows = len(report.lines)
        if report.writer is not None:
            result.report_path = str(report.path)
        else:
            report.path.unlink(missing_ok=True)  # a stale report of an earlier run
        if not result.ok:
            result.seconds = time.monotonic() - started
            _audit_import(actor, result, Outcome.DENIED)
            return result
        job.load(stop_after_batches)
        job.finish()
    result.seconds = time.monotonic() - started
    _audit_import(actor, result, Outcome.OK)
    return result


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the run: the import makes millions of
    short-lived objects and no cycles of its own, and the collector's passes over the
    run's growing bookkeeping cost a fifth of the time. Reference counting still frees
    everything; the collector runs once at the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect()


def _reading_encoding(path: Path, encoding: str) -> str:
    if encoding == "auto":
        return detect_encoding(path)
    if encoding in ("utf-8", "utf8", "utf-8-sig"):
        return "utf-8-sig"  # a BOM is skipped if present
    if encoding in ("cp932", "shift_jis", "sjis", "ms932"):
        return "cp932"
    raise _bad_encoding(encoding)


class _import_lock:
    """One import per municipality at a time (PostgreSQL: a session advisory lock)."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.held = False

    def __enter__(self) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_PG_LOCK_CLASS, int(self.code)])
            self.held = bool(cursor.fetchone()[0])
        if not self.held:
            raise RuleViolation(
                "import.running",
                "この団体への取込が別に実行中です。",
                "Another import into this municipality is running.",
                "municipality_code",
                status=409,
            )

    def __exit__(self, *exc) -> None:
        if self.held:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_unlock(%s, %s)", [_PG_LOCK_CLASS, int(self.code)]
                )


def _audit_import(actor: Actor | None, result: ImportResult, outcome: str) -> None:
    with tenant_scope(result.municipality_code, "register import"), transaction.atomic():
        audit(
            actor or DEFAULT_ACTOR,
            "registry.import",
            object_type="register",
            object_id=result.municipality_code,
            purpose="移行用ファイルの取込 (import for migration)",
            outcome=outcome,
            details=result.counts(),
        )


class _Import:
    """The state of one run: the target, the file, the report, the counts."""

    def __init__(
        self,
        code: str,
        path: Path,
        encoding: str,
        report: _Report,
        result: ImportResult,
        allow_other_code: bool,
        batch_rows: int,
        progress: bool,
    ) -> None:
        self.code = code
        self.path = path
        self.encoding = encoding
        self.report = report
        self.result = result
        self.allow_other_code = allow_other_code
        self.batch_rows = batch_rows
        self.progress = progress
        self.source_code: str | None = None
        self.stat: tuple[int, int] | None = None
        self.matched = 0  # persons of the file already in the register
        self.already: set[str] = set()  # their 宛名番号 (an earlier run imported them)
        self.present = 0  # persons in the register when the run started
        self.rekey = False
        # From pass 1, so that pass 2 needs no lookups: per 異動ID its fingerprint and
        # first line (packed in one int); per 世帯番号 its first and last line.
        self.movement_marks: dict[int, int] = {}
        self.household_marks: dict[str, tuple[int, int]] = {}
        self.household_ids: dict[str, uuid.UUID] = {}  # households of open batches
        self.my_number_context = my_number_context(code)
        self.name_key_cache: dict[tuple, tuple[str, str]] = {}  # names → search keys

    # -- reading ---------------------------------------------------------------

    def _open(self, trusted: bool = False) -> tuple[_Source, _RowReader | None]:
        source = _Source(self.path, self.encoding)
        try:
            header = next(source.reader)
        except StopIteration:
            self.report.add(
                1, "", "file.empty", "ファイルが空です。", "The file is empty (no header)."
            )
            return source, None
        except BaseException:
            source.close()
            raise
        header = [name.strip().lstrip("\ufeff") for name in header]
        if not self._header_ok(header):
            return source, None
        return source, _RowReader(header, self.code, self.allow_other_code, trusted)

    def _header_ok(self, header: list[str]) -> bool:
        ok = True
        seen: set[str] = set()
        for name in header:
            if name in seen:
                self.report.add(
                    1,
                    name,
                    "header.duplicate",
                    f"見出し「{name}」が二度あります。",
                    f"The header names {name!r} twice.",
                )
                ok = False
            seen.add(name)
            if name not in _BY_NAME:
                self.report.add(
                    1,
                    name,
                    "header.unknown",
                    f"見出し「{name}」はこの様式の項目ではありません。",
                    f"{name!r} is not a column of this layout.",
                )
                ok = False
        for column in COLUMNS:
            if column.needed and column.name not in seen:
                self.report.add(
                    1,
                    column.name,
                    "header.missing",
                    f"必須の列「{column.name}」がありません。",
                    f"The required column {column.name!r} is missing.",
                )
                ok = False
        return ok

    def _persons(self, source: _Source, reader: _RowReader, bar) -> Iterator[_Person]:
        """The rows grouped by person (consecutive rows with one 宛名番号)."""
        person: _Person | None = None
        for line, cells in source.records():
            row = reader.read(line, cells)
            self.result.rows += 1
            if bar is not None and self.result.rows % 1000 == 0:
                bar(source.raw.position)
            number = row.values["number"]
            if person is not None and number == person.number:
                person.rows.append(row)
                continue
            if person is not None:
                yield person
            person = _Person(number, [row])
        if person is not None:
            yield person

    # -- pass 1 ----------------------------------------------------------------

    def validate(self) -> None:
        """Check everything; report every problem; touch nothing."""
        stat = self.path.stat()
        self.stat = (stat.st_size, stat.st_mtime_ns)
        try:
            source, reader = self._open()
        except (UnicodeDecodeError, csv.Error) as exc:
            self._stop(1, "file.encoding" if isinstance(exc, UnicodeError) else "file.csv", exc)
            return
        try:
            if reader is None:
                return
            with tenant_scope(self.code, "register import"):
                self.present = Person.objects.count()
            seen: set = set()
            pending: list[_Person] = []
            with self._progress("検証 / validating") as bar:
                try:
                    for person in self._persons(source, reader, bar):
                        self._check_person(person, seen)
                        if self.present:
                            pending.append(person)
                            if len(pending) >= 2000:
                                self._check_existing(pending)
                                pending = []
                except UnicodeDecodeError as exc:
                    self._stop(source.physical, "file.encoding", exc)
                except csv.Error as exc:
                    self._stop(source.reader.line_num, "file.csv", exc)
                self._check_existing(pending)
            self.result.sha256 = source.raw.digest.hexdigest()
            self._check_rest()
        finally:
            source.close()

    def _stop(self, line: int, code: str, exc: Exception) -> None:
        """A problem that ends the reading: the file is refused from here on."""
        encoding = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        if code == "file.encoding":
            self.report.add(
                line,
                "",
                code,
                f"{line}行目が{encoding}として読めません。文字コードを確認してください"
                "（--encoding）。",
                f"Line {line} cannot be read as {encoding}; check the encoding (--encoding).",
            )
        else:
            self.report.add(
                line,
                "",
                code,
                f"{line}行目付近で CSV の形式が崩れています（{exc}）。",
                f"The CSV is malformed near line {line} ({exc}).",
            )

    def _check_person(self, person: _Person, seen: set) -> None:
        self.result.persons += 1
        key = int(person.number) if person.number.isdigit() else person.number
        if key in seen:
            self.report.add(
                person.line,
                "宛名番号",
                "person.not_grouped",
                "この宛名番号の行は、ほかの人の行をはさんで再び現れています"
                "（一人の行は続けて並べてください）。",
                "The rows of this 宛名番号 appear again after other persons' rows "
                "(a person's rows must be consecutive).",
            )
        seen.add(key)
        for row in person.rows:
            for problem in row.errors:
                self.report.add(row.line, *problem)
        if any(row.errors for row in person.rows):
            return
        for line, problem in _person_problems(person):
            self.report.add(line, *problem)
        for row in person.rows:
            v = row.values
            if self.source_code is None:
                self.source_code = v["municipality"]
            elif v["municipality"] != self.source_code:
                self.report.add(
                    row.line,
                    "全国地方公共団体コード",
                    "municipality_code.mixed",
                    "一つのファイルに複数の団体の行があります。",
                    "The file mixes rows of several municipalities.",
                )
            mark = (_movement_fingerprint(v) & _FINGERPRINT_MASK) << 32 | row.line
            first = self.movement_marks.setdefault(v["movement_id"].int, mark)
            if first >> 32 != mark >> 32:
                line = first & _LINE_MASK
                self.report.add(
                    row.line,
                    "異動ID",
                    "movement.inconsistent",
                    f"同じ異動IDの{line}行目と、異動の項目（事由・日付・操作者・留意事項など）"
                    "が違います。",
                    f"The movement items (reason, dates, actor, note …) differ from line "
                    f"{line} with the same 異動ID.",
                )
            marks = self.household_marks
            for number in (v["household"], v["household_before"], v["household_after"]):
                if number:
                    marks[number] = (marks.get(number, (row.line,))[0], row.line)

    def _check_existing(self, persons: list[_Person]) -> None:
        """Persons already in the register must be this file's, with the same history
        (an earlier, interrupted run); anything else means the register is not the
        empty one this import is for."""
        numbers = [p.number for p in persons if not any(r.errors for r in p.rows)]
        if not numbers:
            return
        with tenant_scope(self.code, "register import"):
            existing = dict(
                _in_chunks(Person.objects.values_list("number", "id"), "number", numbers)
            )
            if not existing:
                return
            stored: dict = {}
            rows = _in_chunks(
                PersonVersion.objects.order_by("history_no").values_list(
                    "person_id",
                    "history_no",
                    "valid_from",
                    "valid_to",
                    "recorded_at",
                    "superseded_at",
                ),
                "person_id",
                list(existing.values()),
            )
            for person_id, *skeleton in rows:
                stored.setdefault(person_id, []).append(tuple(skeleton))
        for person in persons:
            if person.number not in existing:
                continue
            self.matched += 1
            self.already.add(person.number)
            mine = _skeleton(r.values for r in person.rows)
            theirs = sorted(stored.get(existing[person.number], []))
            if mine != theirs:
                self.report.add(
                    person.line,
                    "宛名番号",
                    "person.exists_different",
                    "この宛名番号の人は取込先に既にあり、履歴がファイルと違います。",
                    "A person with this 宛名番号 is already in the register with a different "
                    "history.",
                )

    def _check_rest(self) -> None:
        if self.report.problems:
            return
        present = self.present
        if present != self.matched:
            self.report.add(
                0,
                "",
                "register.not_empty",
                f"取込先の住民記録に、このファイルにない人が{present - self.matched}人います。"
                "取込は空の団体（または同じファイルの中断した取込の続き）にだけ行えます。",
                f"The register holds {present - self.matched} persons who are not in this "
                "file; an import goes into an empty municipality only (or completes an "
                "interrupted import of the same file).",
            )

    # -- pass 2 ----------------------------------------------------------------

    def load(self, stop_after_batches: int | None) -> None:
        stat = self.path.stat()
        if (stat.st_size, stat.st_mtime_ns) != self.stat:
            raise RuleViolation(
                "file.changed",
                "検証の後にファイルが変更されました。もう一度実行してください。",
                "The file changed after it was checked; run the import again.",
                "path",
                status=409,
            )
        self.rekey = self.source_code is not None and self.source_code != self.code
        self.result.rows = 0
        source, reader = self._open(trusted=True)
        try:
            batch: list[_Person] = []
            size = 0
            with self._progress("取込 / importing") as bar:
                for person in self._persons(source, reader, bar):
                    batch.append(person)
                    size += len(person.rows)
                    if size >= self.batch_rows:
                        self._write(batch)
                        batch, size = [], 0
                        if stop_after_batches is not None and (
                            self.result.batches >= stop_after_batches
                        ):
                            raise ImportInterrupted(f"stopped after {self.result.batches} batches")
                if batch:
                    self._write(batch)
        finally:
            source.close()

    def _movement_id(self, value: uuid.UUID) -> uuid.UUID:
        """The file's 異動ID, or for a re-keyed import a new one derived from it: the time
        half of a UUIDv7 is kept (index order), the rest is a hash of target and old id."""
        if not self.rekey:
            return value
        digest = hashlib.sha256(f"{self.code}:{value}".encode()).digest()
        low = int.from_bytes(digest[:8], "big") & ((1 << 62) - 1) | (1 << 63)  # variant 10
        return uuid.UUID(int=(value.int >> 64 << 64) | low)

    def _write(self, persons: list[_Person]) -> None:
        """One batch, one transaction. Persons an earlier run imported are skipped; a
        movement is inserted with the row that names it first, a household likewise
        (both known from pass 1), so a fresh import looks nothing up."""
        todo = [p for p in persons if p.number not in self.already]
        self.result.skipped_persons += len(persons) - len(todo)
        lines = {row.line for person in todo for row in person.rows}
        with tenant_scope(self.code, "register import"), transaction.atomic():
            movement_ids = self._write_movements(todo, lines)
            households = self._write_households(todo, lines)
            self._write_persons(todo, movement_ids, households)
        self.result.batches += 1
        last = persons[-1].rows[-1].line
        for number in [n for n in households if self.household_marks[n][1] <= last]:
            del self.household_ids[number]  # no later row names it

    def _write_movements(self, persons: list[_Person], lines: set[int]) -> dict:
        ids: dict[uuid.UUID, uuid.UUID] = {}
        rows = []
        for person in persons:
            for row in person.rows:
                v = row.values
                old = v["movement_id"]
                if old in ids:
                    continue
                ids[old] = new = self._movement_id(old)
                if self.movement_marks[old.int] & _LINE_MASK not in lines:
                    continue  # inserted with an earlier row (this run or an earlier one)
                rows.append(
                    (
                        new,
                        self.code,
                        v["reason"],
                        category_of(v["reason"]),
                        v["effective_on"],
                        v["notified_on"],
                        v["movement_recorded_at"],
                        v["actor_kind"],
                        v["actor_id"],
                        v["actor_label"],
                        v["late"],
                        v["note"],
                        v["details"] or {},
                    )
                )
        _MOVEMENTS.insert(rows)
        self.result.movements += len(rows)
        return ids

    def _write_households(self, persons: list[_Person], lines: set[int]) -> dict:
        known = self.household_ids
        new: dict[str, datetime] = {}
        missing: set[str] = set()
        used: set[str] = set()
        for person in persons:
            for row in person.rows:
                v = row.values
                for number in (v["household"], v["household_before"], v["household_after"]):
                    if not number:
                        continue
                    used.add(number)
                    if number in known:
                        continue
                    if self.household_marks[number][0] in lines:
                        if number not in new or v["recorded_at"] < new[number]:
                            new[number] = v["recorded_at"]
                    else:
                        missing.add(number)  # made by an earlier run
        if missing:
            query = Household.objects.values_list("number", "id")
            known.update(_in_chunks(query, "number", missing))
        rows = [(new_id(), self.code, number, at) for number, at in new.items()]
        _HOUSEHOLDS.insert(rows)
        known.update((number, pk) for pk, _, number, _ in rows)
        self.result.households += len(rows)
        return {number: known[number] for number in used}

    def _write_persons(
        self, persons: list[_Person], movement_ids: dict, households: dict[str, uuid.UUID]
    ) -> None:
        code = self.code
        context = self.my_number_context
        keys = self.name_key_cache
        person_rows, versions, subjects = [], [], []
        for person in persons:
            rows = [r.values for r in person.rows]
            person_id = new_id()
            person_rows.append(
                (person_id, code, person.number, min(v["recorded_at"] for v in rows))
            )
            sealed: dict[str, tuple[bytes, str]] = {}
            pairs: dict = {}
            for v in rows:
                movement = movement_ids[v["movement_id"]]
                versions.append(
                    _version_row(v, person_id, movement, households, sealed, keys, code, context)
                )
                if movement not in pairs:
                    pairs[movement] = (v["household_before"], v["household_after"])
            for movement, (before, after) in pairs.items():
                subjects.append(
                    (
                        new_id(),
                        code,
                        movement,
                        person_id,
                        households[before] if before else None,
                        households[after] if after else None,
                    )
                )
        _PERSONS.insert(person_rows)
        _VERSIONS.insert(versions)
        _SUBJECTS.insert(subjects)
        self.result.imported_persons += len(person_rows)
        self.result.versions += len(versions)
        self.result.subjects += len(subjects)

    def finish(self) -> None:
        """Raise the number sequences to the highest serial present."""
        with tenant_scope(self.code, "register import"), transaction.atomic():
            for name, model in (("resident", Person), ("household", Household)):
                top = model.objects.aggregate(top=Max("number"))["top"]
                if not top:
                    continue
                serial = int(top[:9])
                sequence, _ = NumberSequence.objects.select_for_update().get_or_create(
                    municipality_id=self.code, name=name
                )
                if sequence.last < serial:
                    sequence.last = serial
                    sequence.save(update_fields=["last"])

    # -- progress --------------------------------------------------------------

    def _progress(self, label: str):
        return _ProgressBar(label, self.path.stat().st_size if self.progress else None)


# The data items of a version as the file gives them (the rest is keys and derived).
_VERSION_DATA = [
    f.attname
    for f in PersonVersion._meta.concrete_fields
    if f.attname
    not in {
        "id",
        "municipality_id",
        "person_id",
        "movement_id",
        "household_id",
        "name_key",
        "kanji_key",
        "my_number_cipher",
        "my_number_index",
    }
]


_VERSION_DATA_OF = operator.itemgetter(*_VERSION_DATA)


def _version_row(
    v: dict,
    person_id: uuid.UUID,
    movement_id: uuid.UUID,
    households: dict,
    sealed: dict,
    keys: dict,
    code: str,
    context: str,
) -> tuple:
    """The values of a PersonVersion row in :data:`_VERSIONS` order; search keys and the
    sealed 個人番号 computed once per distinct value of the person. The number was
    checked in pass 1 (12 ASCII digits, check digit): it is sealed as
    :func:`~jichi.common.secrets.seal_my_number` would, without checking it again."""
    names = (
        v["family_name"],
        v["given_name"],
        v["family_name_kana"],
        v["given_name_kana"],
        v["name_alphabet"],
    )
    name_key = keys.get(names)
    if name_key is None:
        computed = name_keys(v)
        name_key = (computed["name_key"], computed["kanji_key"])
        if len(keys) > 50_000:
            keys.clear()
        keys[names] = name_key
    number = v["my_number"]
    if number:
        if number not in sealed:
            sealed[number] = (
                encrypt(number, context=context),
                blind_index(number, context=context),
            )
        cipher, index = sealed[number]
    else:
        cipher, index = None, ""
    return (
        new_id(),
        code,
        person_id,
        movement_id,
        households[v["household"]] if v["household"] else None,
        *_VERSION_DATA_OF(v),
        *name_key,
        cipher,
        index,
    )


class _Inserter:
    """Many rows into one table, fast: what ``bulk_create`` does, without building a
    model instance and compiling every value through the ORM (most of its time here).

    PostgreSQL: a binary ``COPY`` into a temporary staging table, then
    ``INSERT INTO <table> SELECT … FROM <stage>`` in the same transaction. ``COPY``
    straight into the table is not possible: PostgreSQL refuses ``COPY FROM`` on tables
    with row-level security, while the ``INSERT … SELECT`` is checked by the policies,
    the constraints and the foreign keys like any insert. SQLite: ``executemany`` of a
    prepared INSERT, the values converted to what Django stores (UUID hex, ISO text in
    UTC). The caller is inside ``tenant_scope`` and gives only rows of that municipality.
    """

    def __init__(self, model, attnames: list[str]) -> None:
        self.model = model
        self.attnames = attnames
        self.fields = [model._meta.get_field(name) for name in attnames]
        self._prepared: tuple | None = None

    def _prepare(self) -> tuple:
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(f.column) for f in self.fields)
        if connection.vendor == "postgresql":
            stage = quote(f"jichi_stage_{self.model._meta.db_table}")
            statements = (
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} (LIKE {table})",
                f"COPY {stage} ({columns}) FROM STDIN (FORMAT BINARY)",
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage}",
                f"TRUNCATE {stage}",
            )
            types = [_pg_type(f) for f in self.fields]
            return connection.vendor, statements, types
        placeholders = ", ".join("?" * len(self.fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        converters = [(i, _sqlite_converter(f)) for i, f in enumerate(self.fields)]
        return connection.vendor, sql, [(i, c) for i, c in converters if c is not None]

    def insert(self, rows: list[tuple]) -> None:
        if not rows:
            return
        connection.ensure_connection()
        if self._prepared is None or self._prepared[0] != connection.vendor:
            self._prepared = self._prepare()
        vendor, sql, extra = self._prepared
        if vendor == "postgresql":
            create, copy, insert, truncate = sql
            with connection.connection.cursor() as cursor:
                cursor.execute(create)
                with cursor.copy(copy) as stream:
                    stream.set_types(extra)
                    for row in rows:
                        stream.write_row(row)
                cursor.execute(insert)
                cursor.execute(truncate)
            return
        converted = []
        for row in rows:
            row = list(row)
            for i, convert in extra:
                if row[i] is not None:
                    row[i] = convert(row[i])
            converted.append(row)
        connection.connection.executemany(sql, converted)


_PG_TYPES = {
    "UUIDField": "uuid",
    "CharField": "varchar",
    "TextField": "text",
    "DateField": "date",
    "DateTimeField": "timestamptz",
    "BooleanField": "bool",
    "PositiveIntegerField": "int4",
    "IntegerField": "int4",
    "PositiveBigIntegerField": "int8",
    "BigIntegerField": "int8",
    "BinaryField": "bytea",
    "JSONField": "jsonb",
}


def _internal_type(field) -> str:
    return (field.target_field if field.is_relation else field).get_internal_type()


def _pg_type(field) -> str:
    """The PostgreSQL type a binary COPY sends for the field."""
    return _PG_TYPES[_internal_type(field)]


def _sqlite_datetime(value: datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime: naive UTC, ``str()``."""
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _sqlite_converter(field) -> Callable[[Any], Any] | None:
    """How a Python value is handed to sqlite3 as Django stores it (None: as it is)."""
    internal = _internal_type(field)
    if internal == "JSONField":
        return lambda value: field.get_db_prep_save(value, connection)
    if internal == "UUIDField":
        return lambda value: value.hex
    if internal == "DateTimeField":
        return _sqlite_datetime
    if internal == "DateField":
        return connection.ops.adapt_datefield_value
    return None


_MOVEMENTS = _Inserter(
    Movement,
    [
        "id",
        "municipality_id",
        "reason",
        "category",
        "effective_on",
        "notified_on",
        "recorded_at",
        "actor_kind",
        "actor_id",
        "actor_label",
        "late",
        "note",
        "details",
    ],
)
_HOUSEHOLDS = _Inserter(Household, ["id", "municipality_id", "number", "created_at"])
_PERSONS = _Inserter(Person, ["id", "municipality_id", "number", "created_at"])
_VERSIONS = _Inserter(
    PersonVersion,
    [
        "id",
        "municipality_id",
        "person_id",
        "movement_id",
        "household_id",
        *_VERSION_DATA,
        "name_key",
        "kanji_key",
        "my_number_cipher",
        "my_number_index",
    ],
)
_SUBJECTS = _Inserter(
    MovementSubject,
    [
        "id",
        "municipality_id",
        "movement_id",
        "person_id",
        "household_before_id",
        "household_after_id",
    ],
)


def _in_chunks(queryset, field_name: str, values: Iterable, size: int = 5000) -> Iterator:
    """``queryset.filter(<field>__in=values)`` in slices (SQLite limits parameters)."""
    values = list(values)
    for start in range(0, len(values), size):
        yield from queryset.filter(**{f"{field_name}__in": values[start : start + size]})


class _ProgressBar:
    """A rich progress bar over the bytes of the file (nothing when ``total`` is None)."""

    def __init__(self, label: str, total: int | None) -> None:
        self.label = label
        self.total = total
        self.progress = None

    def __enter__(self):
        if self.total is None:
            return None
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            transient=False,
        )
        self.progress.start()
        task = self.progress.add_task(self.label, total=self.total)
        return lambda position: self.progress.update(task, completed=position)

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.update(self.progress.task_ids[0], completed=self.total)
            self.progress.stop()


# --- errors shared by both directions -------------------------------------------------


def _bad_encoding(encoding: str) -> RuleViolation:
    return RuleViolation(
        "encoding.unknown",
        f"文字コード「{encoding}」には対応していません（utf-8 または cp932）。",
        f"Unsupported encoding {encoding!r} (use utf-8 or cp932).",
        "encoding",
    )


def _unknown_municipality(code: str) -> RuleViolation:
    return RuleViolation(
        "municipality.not_found",
        f"団体 {code} は登録されていません。",
        f"Municipality {code} is not known to this deployment.",
        "municipality_code",
        status=404,
    )
