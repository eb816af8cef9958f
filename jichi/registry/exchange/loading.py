"""Pass 2 of an import: the checked file turned into batches of whole persons, each
written in one transaction (:mod:`.writing`) with fast multi-row inserts
(:mod:`.inserting`); what an earlier, interrupted run wrote is skipped; the number
sequences are raised at the end."""

from __future__ import annotations

import operator
import uuid
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Max

from jichi.common import bulk
from jichi.common.errors import RuleViolation
from jichi.common.secrets import blind_index, encrypt, my_number_context
from jichi.registry.codes import category_of
from jichi.registry.exchange import inserting
from jichi.registry.exchange.layout import rekeyed_id
from jichi.registry.exchange.reading import ImportFile, PersonRows
from jichi.registry.exchange.validation import LINE_MASK, Validation, in_chunks
from jichi.registry.exchange.writing import Batch, Writers
from jichi.registry.models import Household, NumberSequence, Person
from jichi.registry.timeline import name_keys
from jichi.tenancy.context import tenant_scope

WRITERS = 2  # writer threads on PostgreSQL


class ImportInterrupted(Exception):
    """Raised by ``stop_after_batches``: the run stops as if killed after a commit."""


class Loading:
    """Pass 2 over ``file``, which pass 1 (``checked``) found valid. ``protections``
    (:class:`~jichi.registry.exchange.protection_import.ProtectionImport`) adds each
    支援措置 to the batch of the last person it names."""

    def __init__(
        self,
        file: ImportFile,
        checked: Validation,
        batch_rows: int,
        writers: int | None = None,
        protections=None,
    ) -> None:
        self.file = file
        self.checked = checked
        self.batch_rows = batch_rows
        self.writers = writers
        self.protections = protections
        self.rekey = False
        self.household_ids: dict[str, uuid.UUID] = {}  # households of open batches
        self.person_ids: dict[str, uuid.UUID] = {}  # persons a protection names
        self.my_number_context = my_number_context(file.code)
        self.name_key_cache: dict[tuple, tuple[str, str]] = {}  # names → search keys

    def load(self, stop_after_batches: int | None) -> None:
        stat = self.file.path.stat()
        if (stat.st_size, stat.st_mtime_ns) != self.checked.stat:
            raise RuleViolation(
                "file.changed",
                "検証の後にファイルが変更されました。もう一度実行してください。",
                "The file changed after it was checked; run the import again.",
                "path",
                status=409,
            )
        self.rekey = (
            self.checked.source_code is not None and self.checked.source_code != self.file.code
        )
        self.file.result.rows = 0
        if self.protections is not None:
            self.person_ids = self.protections.stored_person_ids()
        source, reader = self.file.open(trusted=True)
        try:
            with Writers(self.file.code, self._threads()) as writers:
                stopped = self._submit_all(source, reader, writers, stop_after_batches)
        finally:
            source.close()
        if stopped:
            raise ImportInterrupted(f"stopped after {self.file.result.batches} batches")

    def _threads(self) -> int:
        """Writer threads: none on SQLite, or inside a transaction of the caller (no other
        connection would see what it holds uncommitted)."""
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            return 0
        return WRITERS if self.writers is None else self.writers

    def _submit_all(self, source, reader, writers: Writers, stop_after: int | None) -> bool:
        """Build and submit every batch; True if stopped after ``stop_after`` batches."""
        batch: list[PersonRows] = []
        size = 0
        with self.file.progress_bar("取込 / importing") as bar:
            for person in self.file.persons(source, reader, bar):
                batch.append(person)
                size += len(person.rows)
                if size >= self.batch_rows:
                    writers.submit(self._build(batch))
                    batch, size = [], 0
                    if stop_after is not None and self.file.result.batches >= stop_after:
                        return True
            if batch:
                writers.submit(self._build(batch))
        return False

    def _movement_id(self, value: uuid.UUID) -> uuid.UUID:
        """The file's 異動ID, or for a re-keyed import a new one derived from it."""
        return rekeyed_id(self.file.code, value) if self.rekey else value

    def _build(self, persons: list[PersonRows]) -> Batch:
        """The rows of one batch. Persons an earlier run imported are skipped; a movement
        is inserted with the row that names it first, a household likewise (both known
        from pass 1), so a fresh import looks nothing up."""
        todo = [p for p in persons if p.number not in self.checked.already]
        self.file.result.skipped_persons += len(persons) - len(todo)
        lines = {row.line for person in todo for row in person.rows}
        batch = Batch(self.file.result.batches)
        movement_ids = self._write_movements(todo, lines, batch)
        households = self._write_households(todo, lines, batch)
        self._write_persons(todo, movement_ids, households, batch)
        last = persons[-1].rows[-1].line
        if self.protections is not None:
            self.protections.add_due(batch, last, self.person_ids)
        self.file.result.batches += 1
        for number in [n for n in households if self.checked.household_marks[n][1] <= last]:
            del self.household_ids[number]  # no later row names it
        return batch

    def _write_movements(self, persons: list[PersonRows], lines: set[int], batch) -> dict:
        ids: dict[uuid.UUID, uuid.UUID] = {}
        rows = []
        for person in persons:
            for row in person.rows:
                v = row.values
                old = v["movement_id"]
                if old in ids:
                    continue
                ids[old] = new = self._movement_id(old)
                if self.checked.movement_marks[old.int] & LINE_MASK not in lines:
                    continue  # inserted with an earlier row (this run or an earlier one)
                rows.append(
                    (
                        new,
                        self.file.code,
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
        batch.tables.append((inserting.MOVEMENTS, rows))
        self.file.result.movements += len(rows)
        return ids

    def _write_households(self, persons: list[PersonRows], lines: set[int], batch) -> dict:
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
                    if self.checked.household_marks[number][0] in lines:
                        if number not in new or v["recorded_at"] < new[number]:
                            new[number] = v["recorded_at"]
                    else:
                        missing.add(number)  # made by an earlier run
        if missing:
            with tenant_scope(self.file.code, "register import"):
                query = Household.objects.values_list("number", "id")
                known.update(in_chunks(query, "number", missing))
        rows = [(bulk.new_id(), self.file.code, number, at) for number, at in new.items()]
        batch.tables.append((inserting.HOUSEHOLDS, rows))
        known.update((number, pk) for pk, _, number, _ in rows)
        self.file.result.households += len(rows)
        return {number: known[number] for number in used}

    def _write_persons(
        self,
        persons: list[PersonRows],
        movement_ids: dict,
        households: dict[str, uuid.UUID],
        batch: Batch,
    ) -> None:
        code = self.file.code
        context = self.my_number_context
        keys = self.name_key_cache
        person_rows, versions, subjects = [], [], []
        for person in persons:
            rows = [r.values for r in person.rows]
            person_id = bulk.new_id()
            if self.protections is not None and person.number in self.protections.named:
                self.person_ids[person.number] = person_id
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
                        bulk.new_id(),
                        code,
                        movement,
                        person_id,
                        households[before] if before else None,
                        households[after] if after else None,
                    )
                )
        batch.tables += [
            (inserting.PERSONS, person_rows),
            (inserting.VERSIONS, versions),
            (inserting.SUBJECTS, subjects),
        ]
        self.file.result.imported_persons += len(person_rows)
        self.file.result.versions += len(versions)
        self.file.result.subjects += len(subjects)

    def finish(self) -> None:
        """Raise the number sequences to the highest serial present."""
        with tenant_scope(self.file.code, "register import"), transaction.atomic():
            for name, model in (("resident", Person), ("household", Household)):
                top = model.objects.aggregate(top=Max("number"))["top"]
                if not top:
                    continue
                serial = int(top[:9])
                sequence, _ = NumberSequence.objects.select_for_update().get_or_create(
                    municipality_id=self.file.code, name=name
                )
                if sequence.last < serial:
                    sequence.last = serial
                    sequence.save(update_fields=["last"])


_VERSION_DATA_OF = operator.itemgetter(*inserting.VERSION_DATA)


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
    """The values of a PersonVersion row in :data:`~.inserting.VERSIONS` order; search keys and the
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
        bulk.new_id(),
        code,
        person_id,
        movement_id,
        households[v["household"]] if v["household"] else None,
        *_VERSION_DATA_OF(v),
        *name_key,
        cipher,
        index,
    )
