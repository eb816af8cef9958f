"""Importing the protections file (:mod:`.protection_file`) with the register file.

Pass 1 reads it whole (a protection per protected person: a small file), checks every
row and the rules between rows and files: a protection told the same on each of its
rows, its persons (the protected one and any offender recorded in the register) in the
register file, the protections already in the register those of this file. Pass 2 adds
each protection, with its offenders, to the batch of the last person it names: it is
committed with that person, so a protected person is without protection only until
the batch that holds the last of its persons commits (usually the same batch), and a
rerun after a kill finds either both or neither.
"""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

from django.db.models import Count

from jichi.common import bulk
from jichi.common.kana import search_key
from jichi.registry.exchange import inserting
from jichi.registry.exchange.checking import malformed, unreadable
from jichi.registry.exchange.layout import rekeyed_id
from jichi.registry.exchange.protection_file import (
    OFFENDER_KEYS,
    PROTECTION_KEYS,
    PROTECTIONS,
    ProtectionRowReader,
)
from jichi.registry.exchange.reading import ImportFile
from jichi.registry.exchange.rows import Row, required_problem
from jichi.registry.exchange.validation import Validation, in_chunks
from jichi.registry.exchange.writing import Batch
from jichi.registry.models import Person, Protection
from jichi.tenancy.context import tenant_scope


class ProtectionImport:
    """The protections file of one run: :meth:`validate` in pass 1 (after the register
    file's), :meth:`add_due` for each batch of pass 2."""

    def __init__(self, file: ImportFile, persons: Validation) -> None:
        self.file = file
        self.persons = persons
        self.groups: dict[uuid.UUID, list[Row]] = {}  # 支援措置ID → its rows, in file order
        self.named: set[str] = set()  # 宛名番号 of every person a protection names
        self.already: set[uuid.UUID] = set()  # imported by an earlier run
        self.due: list[tuple[int, uuid.UUID]] = []  # (line of its last person, id)
        self.next = 0

    def problem(self, line: int, *problem) -> None:
        self.file.problem(line, *problem)

    def validate(self) -> None:
        rows = self._read()
        for row in rows:
            for problem in row.errors:
                self.problem(row.line, *problem)
            if not row.errors:
                self.groups.setdefault(row.values["id"], []).append(row)
        for rows in self.groups.values():
            self._check_group(rows)
        self._check_existing()
        self.due = sorted(
            (self._due_line(rows), pk)
            for pk, rows in self.groups.items()
            if self.target_id(pk) not in self.already
        )

    def _read(self) -> list[Row]:
        try:
            source, reader = self.file.open()
        except UnicodeDecodeError:
            self.problem(*unreadable(1, self.file.encoding))
            return []
        rows: list[Row] = []
        try:
            if reader is not None:
                rows = [reader.read(line, cells) for line, cells in source.records()]
        except UnicodeDecodeError:
            self.problem(*unreadable(source.physical, self.file.encoding))
        except csv.Error as exc:
            self.problem(*malformed(source.physical, exc))
        finally:
            source.close()
        return rows

    def _check_group(self, rows: list[Row]) -> None:
        first = rows[0].values
        for row in rows:
            v = row.values
            differing = [key for key in PROTECTION_KEYS if v[key] != first[key]]
            if differing:
                column = PROTECTIONS.column_of_key[differing[0]]
                self.problem(row.line, *_inconsistent(column, rows[0].line))
            if len(rows) > 1 and not v["offender_name"].strip():
                self.problem(row.line, *required_problem(PROTECTIONS.by_name["加害者氏名"]))
            if self.persons.source_code not in (None, v["municipality"]):
                self.problem(row.line, *_mixed())
            self._check_person(row, v["number"], "宛名番号", "person.unknown")
            if v["offender_person"]:
                column, code = "加害者宛名番号", "offender_person.unknown"
                self._check_person(row, v["offender_person"], column, code)

    def _check_person(self, row: Row, number: str, column: str, code: str) -> None:
        if self.persons.line_of(number) is None:
            self.problem(
                row.line,
                column,
                code,
                f"{column} {number} の人が住民記録ファイルにいません。",
                f"{column} {number} is not a person of the register file.",
            )
        else:
            self.named.add(number)

    def _due_line(self, rows: list[Row]) -> int:
        numbers = {rows[0].values["number"]}
        numbers |= {r.values["offender_person"] for r in rows if r.values["offender_person"]}
        return max(self.persons.line_of(n) or 0 for n in numbers)

    def target_id(self, pk: uuid.UUID) -> uuid.UUID:
        """The 支援措置ID in the target (derived when the file is re-keyed)."""
        code, source = self.file.code, self.persons.source_code
        return pk if source in (None, code) else rekeyed_id(code, pk)

    def _check_existing(self) -> None:
        """Protections already in the register: this file's, the same (an earlier run)."""
        ids = {self.target_id(pk): pk for pk in self.groups}
        with tenant_scope(self.file.code, "register import"):
            present = Protection.objects.count()
            if not present:
                return
            query = Protection.objects.annotate(listed=Count("offenders")).values_list(
                "id", "person__number", *PROTECTION_KEYS[1:], "listed"
            )
            stored = {pk: rest for pk, *rest in in_chunks(query, "id", ids)}
        for target, pk in ids.items():
            if target not in stored:
                continue
            rows = self.groups[pk]
            offenders = sum(1 for r in rows if r.values["offender_name"].strip())
            mine = [rows[0].values[key] for key in PROTECTION_KEYS] + [offenders]
            if mine != list(stored[target]):
                self.problem(rows[0].line, *_exists_different())
            self.already.add(target)
        self.file.result.skipped_protections = len(self.already)
        if present != len(self.already):
            self.problem(0, *_not_empty(present - len(self.already)))

    # --- pass 2 ----------------------------------------------------------------------

    def stored_person_ids(self) -> dict[str, uuid.UUID]:
        """Ids of the named persons an earlier run imported."""
        numbers = self.named & self.persons.already
        with tenant_scope(self.file.code, "register import"):
            return dict(in_chunks(Person.objects.values_list("number", "id"), "number", numbers))

    def add_due(self, batch: Batch, last_line: int, person_ids: dict[str, uuid.UUID]) -> None:
        """Add to ``batch`` the protections whose last person is at or before ``last_line``."""
        protections, offenders = [], []
        code = self.file.code
        while self.next < len(self.due) and self.due[self.next][0] <= last_line:
            pk = self.due[self.next][1]
            self.next += 1
            rows = [r.values for r in self.groups[pk]]
            target, v = self.target_id(pk), rows[0]
            items = [v[key] for key in PROTECTION_KEYS[1:]]
            protections.append((target, code, person_ids[v["number"]], *items))
            offenders += [_offender(code, target, r, person_ids) for r in rows if _named(r)]
        batch.tables += [(inserting.PROTECTIONS, protections), (inserting.OFFENDERS, offenders)]
        self.file.result.protections += len(protections)
        self.file.result.offenders += len(offenders)


def protections_file(file: ImportFile, path: Path, encoding: str) -> ImportFile:
    """The ImportFile of the protections file that goes with the register ``file``."""
    return ImportFile(
        file.code,
        path,
        encoding,
        file.report,
        file.result,
        file.allow_other_code,
        progress=False,
        reader=ProtectionRowReader,
    )


def _named(v: dict) -> bool:
    return bool(v["offender_name"].strip()) or any(v[key] for key in OFFENDER_KEYS[1:])


def _offender(code: str, protection: uuid.UUID, v: dict, person_ids: dict) -> tuple:
    """A ProtectionOffender row: the search keys as the service computes them."""
    person = v["offender_person"]
    return (
        bulk.new_id(),
        code,
        protection,
        v["offender_name"],
        search_key(v["offender_name"]),
        search_key(v["offender_kana_key"]),
        v["offender_birth_date"],
        person_ids[person] if person else None,
    )


def _inconsistent(column: str, line: int) -> tuple:
    return (
        column,
        "protection.inconsistent",
        f"同じ支援措置IDの{line}行目と{column}が違います（支援措置の項目はどの行も同じです）。",
        f"{column} differs from line {line} with the same 支援措置ID (a protection's items "
        "are the same on each of its rows).",
    )


def _mixed() -> tuple:
    return (
        "全国地方公共団体コード",
        "municipality_code.mixed",
        "支援措置ファイルの団体コードが住民記録ファイルと違います。",
        "The protections file's municipality differs from the register file's.",
    )


def _exists_different() -> tuple:
    return (
        "支援措置ID",
        "protection.exists_different",
        "この支援措置IDの支援措置は取込先に既にあり、内容がファイルと違います。",
        "A protection with this 支援措置ID is already in the register, different from the file.",
    )


def _not_empty(count: int) -> tuple:
    return (
        "",
        "register.not_empty",
        f"取込先に、このファイルにない支援措置が{count}件あります。",
        f"The register holds {count} protections that are not in this file.",
    )
