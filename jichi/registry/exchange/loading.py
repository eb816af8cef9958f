"""Pass 2 of an import: the checked file written in batches of whole persons, one
transaction each, with fast multi-row inserts (:class:`_Inserter`); what an earlier,
interrupted run wrote is skipped; the number sequences are raised at the end."""

from __future__ import annotations

import hashlib
import operator
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Max

from jichi.common.errors import RuleViolation
from jichi.common.ids import new_id
from jichi.common.secrets import blind_index, encrypt, my_number_context
from jichi.registry.codes import category_of
from jichi.registry.exchange.reading import ImportFile, PersonRows
from jichi.registry.exchange.validation import LINE_MASK, Validation, in_chunks
from jichi.registry.models import (
    Household,
    Movement,
    MovementSubject,
    NumberSequence,
    Person,
    PersonVersion,
)
from jichi.registry.timeline import name_keys
from jichi.tenancy.context import tenant_scope


class ImportInterrupted(Exception):
    """Raised by ``stop_after_batches``: the run stops as if killed after a commit."""


class Loading:
    """Pass 2 over ``file``, which pass 1 (``checked``) found valid."""

    def __init__(self, file: ImportFile, checked: Validation, batch_rows: int) -> None:
        self.file = file
        self.checked = checked
        self.batch_rows = batch_rows
        self.rekey = False
        self.household_ids: dict[str, uuid.UUID] = {}  # households of open batches
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
        source, reader = self.file.open(trusted=True)
        try:
            batch: list[PersonRows] = []
            size = 0
            with self.file.progress_bar("取込 / importing") as bar:
                for person in self.file.persons(source, reader, bar):
                    batch.append(person)
                    size += len(person.rows)
                    if size >= self.batch_rows:
                        self._write(batch)
                        batch, size = [], 0
                        if stop_after_batches is not None and (
                            self.file.result.batches >= stop_after_batches
                        ):
                            raise ImportInterrupted(
                                f"stopped after {self.file.result.batches} batches"
                            )
                if batch:
                    self._write(batch)
        finally:
            source.close()

    def _movement_id(self, value: uuid.UUID) -> uuid.UUID:
        """The file's 異動ID, or for a re-keyed import a new one derived from it: the time
        half of a UUIDv7 is kept (index order), the rest is a hash of target and old id."""
        if not self.rekey:
            return value
        digest = hashlib.sha256(f"{self.file.code}:{value}".encode()).digest()
        low = int.from_bytes(digest[:8], "big") & ((1 << 62) - 1) | (1 << 63)  # variant 10
        return uuid.UUID(int=(value.int >> 64 << 64) | low)

    def _write(self, persons: list[PersonRows]) -> None:
        """One batch, one transaction. Persons an earlier run imported are skipped; a
        movement is inserted with the row that names it first, a household likewise
        (both known from pass 1), so a fresh import looks nothing up."""
        todo = [p for p in persons if p.number not in self.checked.already]
        self.file.result.skipped_persons += len(persons) - len(todo)
        lines = {row.line for person in todo for row in person.rows}
        with tenant_scope(self.file.code, "register import"), transaction.atomic():
            movement_ids = self._write_movements(todo, lines)
            households = self._write_households(todo, lines)
            self._write_persons(todo, movement_ids, households)
        self.file.result.batches += 1
        last = persons[-1].rows[-1].line
        for number in [n for n in households if self.checked.household_marks[n][1] <= last]:
            del self.household_ids[number]  # no later row names it

    def _write_movements(self, persons: list[PersonRows], lines: set[int]) -> dict:
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
        _MOVEMENTS.insert(rows)
        self.file.result.movements += len(rows)
        return ids

    def _write_households(self, persons: list[PersonRows], lines: set[int]) -> dict:
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
            query = Household.objects.values_list("number", "id")
            known.update(in_chunks(query, "number", missing))
        rows = [(new_id(), self.file.code, number, at) for number, at in new.items()]
        _HOUSEHOLDS.insert(rows)
        known.update((number, pk) for pk, _, number, _ in rows)
        self.file.result.households += len(rows)
        return {number: known[number] for number in used}

    def _write_persons(
        self, persons: list[PersonRows], movement_ids: dict, households: dict[str, uuid.UUID]
    ) -> None:
        code = self.file.code
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
