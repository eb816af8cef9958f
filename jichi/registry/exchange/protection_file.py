"""The register's second file: DV等支援措置 (支援対象者 and listed 加害者).

The standard keeps the 支援対象者's data in a database of its own beside the 住民票,
linked from the person's record (``registry-standard.md`` §1.9, S1:j160), with the
items of the 申出者, of the 加害者 (氏名, 宛名番号 if in the same municipality, 生年月日 …)
and of the period (開始年月日, 終了年月日, 仮支援措置). The exchange follows it: a file of its
own, one row per listed offender of each protection (a protection without an offender
has one row with the offender's cells blank), keyed by the protected person's 宛名番号.
The person's own items are in the register file. ``docs/registry-csv.md`` describes
the columns.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO

from jichi.common.errors import RuleViolation
from jichi.registry.exchange.layout import (
    Column,
    Layout,
    define,
    format_date,
    format_datetime,
)
from jichi.registry.exchange.rows import RowReader, required_problem
from jichi.registry.models import Protection, ProtectionOffender

PROTECTION_COLUMNS: tuple[Column, ...] = (
    define("全国地方公共団体コード", "key", "municipality", "municipality", required=True),
    define("支援措置ID", "protection", "id", "uuid", required=True),
    define("宛名番号", "key", "number", "resident_number", required=True),
    define("支援措置開始年月日", "protection", "starts_on", "date", required=True),
    define("支援措置終了年月日", "protection", "ends_on", "date", required=True),
    define("仮支援措置フラグ", "protection", "provisional", "flag", needed=True),
    define("登録日時", "protection", "created_at", "datetime", required=True),
    define("支援措置解除日時", "protection", "ended_at", "datetime", needed=True),
    define("加害者氏名", "offender", "name", "text", needed=True),
    define("加害者フリガナ", "offender", "kana_key", "text"),
    define("加害者生年月日", "offender", "birth_date", "date"),
    define("加害者宛名番号", "offender", "person", "resident_number"),
)
PROTECTION_HEADER: tuple[str, ...] = tuple(c.name for c in PROTECTION_COLUMNS)
PROTECTIONS = Layout(
    "protections",
    PROTECTION_COLUMNS,
    aliases=(("resident_number", "宛名番号"), ("municipality_code", "全国地方公共団体コード")),
)
# The cells of a protection (the same on each of its rows) and of an offender.
PROTECTION_KEYS = ("number", "starts_on", "ends_on", "provisional", "created_at", "ended_at")
OFFENDER_KEYS = ("offender_name", "offender_kana_key", "offender_birth_date", "offender_person")


def protections_path_for(path: str | Path) -> Path:
    """Where the protections file of the register file ``path`` goes by default:
    ``register.csv`` → ``register.protections.csv``."""
    path = Path(path)
    stem = path.name.removesuffix(".csv")
    return path.with_name(f"{stem}.protections.csv")


class ProtectionRowReader(RowReader):
    """A row of the protections file (:data:`PROTECTIONS`)."""

    layout = PROTECTIONS

    def check_row(self, v: dict, errors: list) -> None:
        self.check_target(v, errors)
        if v["ends_on"] < v["starts_on"]:
            errors.append(
                (
                    "支援措置終了年月日",
                    "ends_on.order",
                    "支援措置終了年月日は開始年月日より前にできません。",
                    "支援措置終了年月日 (end) cannot be before 支援措置開始年月日 (start).",
                )
            )
        if not v["offender_name"].strip() and any(v[key] for key in OFFENDER_KEYS[1:]):
            errors.append(required_problem(PROTECTIONS.by_name["加害者氏名"]))


def write_protections(code: str, stream: IO[str]) -> tuple[int, int]:
    """Every protection of the municipality (in its tenant scope) as CSV rows, ordered
    by 宛名番号 and registration; returns (protections, rows)."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(PROTECTION_HEADER)
    offenders: dict = {}
    for protection_id, *cells in ProtectionOffender.objects.order_by("id").values_list(
        "protection_id", "name", "kana_key", "birth_date", "person__number"
    ):
        offenders.setdefault(protection_id, []).append(cells)
    protections = rows = 0
    for values in Protection.objects.order_by("person__number", "created_at", "id").values_list(
        "id", "person__number", "starts_on", "ends_on", "provisional", "created_at", "ended_at"
    ):
        protections += 1
        for offender in offenders.get(values[0], [["", "", None, None]]):
            row = _row(code, values, offender)
            try:
                writer.writerow(row)
            except UnicodeEncodeError as exc:
                raise _not_encodable(row) from exc
            rows += 1
    return protections, rows


def _row(code: str, protection: tuple, offender: list) -> list[str]:
    pk, number, starts_on, ends_on, provisional, created_at, ended_at = protection
    name, kana_key, birth_date, person = offender
    return [
        code,
        str(pk),
        number,
        format_date(starts_on),
        format_date(ends_on),
        "1" if provisional else "0",
        format_datetime(created_at),
        format_datetime(ended_at),
        name,
        kana_key,
        format_date(birth_date),
        person or "",
    ]


def _not_encodable(row: list[str], encoding: str = "cp932") -> RuleViolation:
    cells = zip(PROTECTION_HEADER, row, strict=True)
    column = next((name for name, cell in cells if _cp932_lacks(cell)), "")
    number = row[PROTECTION_HEADER.index("宛名番号")]
    return RuleViolation(
        "export.not_encodable",
        f"宛名番号 {number} の支援措置の{column}に{encoding}で表せない文字があります。"
        "UTF-8 で出力してください。",
        f"{column} of the protection of 宛名番号 {number} holds a character {encoding} "
        "cannot encode; export in UTF-8.",
        "encoding",
    )


def _cp932_lacks(cell: str) -> bool:
    try:
        cell.encode("cp932")
    except UnicodeEncodeError:
        return True
    return False
