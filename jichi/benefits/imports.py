"""Reading a derived business's standard-layout file into a municipality that has none of
its data yet (moving from another vendor's system).

The file is checked against its layout first (:func:`jichi.linkage.layouts.check_file`),
then every 宛名番号 against the register; any problem refuses the whole file with the list
of problems, and nothing is written. A file that passes is written in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from jichi.audit.services import record as audit
from jichi.benefits.allowance.models import AllowanceChild, Recipient
from jichi.benefits.elections.models import (
    ElectorEntry,
    Registration,
    RegistrationKind,
)
from jichi.common.errors import RuleViolation
from jichi.linkage.layouts import Report, check_file, read_rows
from jichi.registry import selectors as registry
from jichi.registry.codes import ResidentStatus
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

_ANY = tuple(ResidentStatus.values)


@dataclass
class Imported:
    rows: int
    report: Report


def _day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _records(path: Path, encoding: str) -> list[tuple[int, dict]]:
    rows = read_rows(path, encoding)
    header = next(rows)
    return [(line, dict(zip(header, row, strict=True))) for line, row in enumerate(rows, 2)]


def _check_numbers(records, columns: tuple[str, ...], code: str, report: Report) -> None:
    # Every person ever recorded has a version valid today (the last one is open-ended).
    known = {key[0] for key in registry.resident_keys(timezone.localdate(), statuses=_ANY)}
    for line, record in records:
        if record.get("全国地方公共団体コード") != code:
            report.add(line, "全国地方公共団体コード", "municipality.other",
                       f"この団体（{code}）の行ではありません。",
                       f"The row is not of this municipality ({code}).")  # fmt: skip
        for column in columns:
            if record[column] not in known:
                report.add(line, column, "register.unknown", "住民記録にない宛名番号です。",
                           "No person of the register has this number.")  # fmt: skip


def _refuse_if_not_empty(exists: bool, what_ja: str, what_en: str) -> None:
    if exists:
        raise RuleViolation(
            "import.not_empty",
            f"{what_ja}が既にあります。移行の取込みは空の状態にだけ行えます。",
            f"There are {what_en} already: a migration file goes into an empty business only.",
            status=409,
        )


def import_file(
    *, municipality: Municipality, actor: Actor, path: str | Path, layout: str,
    encoding: str = "auto",
) -> Imported:  # fmt: skip
    """Check and read ``path`` (layout ``electors`` or ``allowance``); in the municipality's
    scope. A file with problems imports nothing and its report says why."""
    importer = IMPORTERS.get(layout)
    if importer is None:
        raise RuleViolation("layout.no_import", "このレイアウトは取り込めません。",
                            "Files of this layout are not imported.", "layout")  # fmt: skip
    report = check_file(path, layout, encoding=encoding)
    if not report.ok:
        return Imported(0, report)
    records = _records(Path(path), encoding)
    numbers, check_empty, write = importer
    check_empty()
    _check_numbers(records, numbers, municipality.code, report)
    if not report.ok:
        return Imported(0, report)
    with transaction.atomic():
        rows = write(municipality, records)
        audit(actor, "benefits.imported", object_type="layout", object_id=layout,
              details={"rows": rows})  # fmt: skip
    return Imported(rows, report)


def _electors_empty() -> None:
    _refuse_if_not_empty(ElectorEntry.objects.exists(), "選挙人名簿の登録", "electors")


def _write_electors(municipality: Municipality, records) -> int:
    first = min(_day(r["登録年月日"]) for _, r in records)
    registration = Registration.objects.create(
        municipality=municipality, kind=RegistrationKind.ELECTION, reference_date=first,
        registered_on=first, election="移行", added=len(records), total=len(records),
    )  # fmt: skip
    ElectorEntry.objects.bulk_create(
        ElectorEntry(
            municipality=municipality, number=r["宛名番号"], sex=r["性別"],
            district=r.get("投票区番号", ""), registration=registration,
            registered_on=_day(r["登録年月日"]), status=r["名簿状態"],
            displayed_on=_day(r.get("転出表示年月日", "")),
        )
        for _, r in records
    )  # fmt: skip
    return len(records)


def _allowance_empty() -> None:
    _refuse_if_not_empty(Recipient.objects.exists(), "児童手当の受給者", "recipients")


def _write_allowance(municipality: Municipality, records) -> int:
    recipients: dict[tuple, Recipient] = {}
    for _, r in records:
        key = (r["受給者宛名番号"], r["支給開始年月日"])
        if key not in recipients:
            recipients[key] = Recipient.objects.create(
                municipality=municipality, number=r["受給者宛名番号"], name=r["受給者氏名"],
                claimed_on=_day(r["認定請求日"]), start_month=_day(r["支給開始年月日"]),
                end_month=_day(r.get("支給終了年月日", "")),
            )  # fmt: skip
        AllowanceChild.objects.create(
            municipality=municipality, recipient=recipients[key], number=r["児童宛名番号"],
            name=r["児童氏名"], birth_date=_day(r["児童生年月日"]),
            from_month=_day(r["児童支給開始年月日"]),
            to_month=_day(r.get("児童支給終了年月日", "")),
        )  # fmt: skip
    return len(records)


IMPORTERS: dict[str, tuple[tuple[str, ...], Callable, Callable]] = {
    "electors": (("宛名番号",), _electors_empty, _write_electors),
    "allowance": (("受給者宛名番号", "児童宛名番号"), _allowance_empty, _write_allowance),
}
