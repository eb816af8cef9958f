"""The export: a municipality's whole register streamed out as one CSV file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from jichi.audit.services import record as audit
from jichi.common.checkdigits import validate_local_government_code
from jichi.common.errors import RuleViolation
from jichi.common.secrets import open_my_number
from jichi.registry.codes import STANDARD_CATEGORY
from jichi.registry.exchange.layout import (
    COLUMNS,
    DEFAULT_ACTOR,
    ENCODINGS,
    HEADER,
    MY_NUMBER_COLUMN,
    Column,
    bad_encoding,
    format_date,
    format_datetime,
    unknown_municipality,
)
from jichi.registry.exchange.protection_file import write_protections
from jichi.registry.models import MovementSubject, PersonVersion
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor


@dataclass
class ExportResult:
    municipality_code: str
    rows: int = 0
    persons: int = 0
    omit_my_number: bool = False
    encoding: str = "utf-8"
    protections: int | None = None  # 支援措置 written to the protections file


def _format_text(value: Any) -> str:
    return "" if value is None else value


def _format_flag(value: bool) -> str:
    return "1" if value else "0"


def _format_json(value: dict | None) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


_FORMATS: dict[str, Callable[[Any], str]] = {
    "date": format_date,
    "datetime": format_datetime,
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
    protections: IO | None = None,
    omit_my_number: bool = False,
    encoding: str = "utf-8",
    chunk_size: int = 2000,
    actor: Actor | None = None,
) -> ExportResult:
    """Write the whole register of ``municipality_code`` to ``stream`` as CSV, and its
    DV等支援措置 to ``protections`` (the second file, :mod:`.protection_file`) if given.

    Each stream is a binary file (the bytes are ``encoding``: ``utf-8`` with a BOM, or
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
        raise bad_encoding(encoding)
    if not Municipality.objects.filter(code=code).exists():
        raise unknown_municipality(code)
    columns = [c for c in COLUMNS if not (omit_my_number and c.name == MY_NUMBER_COLUMN)]
    result = ExportResult(code, omit_my_number=omit_my_number, encoding=encoding)
    with tenant_scope(code, "register export"):
        text, detach = _text_stream(stream, encoding)
        _write_versions(code, csv.writer(text, lineterminator="\r\n"), columns, result, chunk_size)
        detach()
        details = {"rows": result.rows, "persons": result.persons}
        if protections is not None:
            text, detach = _text_stream(protections, encoding)
            result.protections, details["protection_rows"] = write_protections(code, text)
            detach()
            details["protections"] = result.protections
        audit(
            actor or DEFAULT_ACTOR,
            "registry.export",
            object_type="register",
            object_id=code,
            purpose="移行用ファイルの出力 (export for migration)",
            details=details | {"omit_my_number": omit_my_number, "encoding": encoding},
        )
    return result


def _write_versions(code, writer, columns: list[Column], result, chunk_size: int) -> None:
    """The register file's rows, one per version, with the person's 個人番号 opened."""
    paths, plan = _export_plan(columns)
    omit_my_number = result.omit_my_number
    writer.writerow([c.name for c in columns])
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
                raise _not_encodable(history_no, columns, row, result.encoding) from exc
            result.rows += 1


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


def _not_encodable(history_no, columns, row, encoding) -> RuleViolation:
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
