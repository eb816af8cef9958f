"""Many rows into a table fast: what ``bulk_create`` does, without building a model
instance and compiling every value through the ORM (most of its time for millions of
rows). The register's import and the derived businesses' registrations use it."""

from __future__ import annotations

import gc
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from django.db import connection


class Ids:
    """UUIDv7 (RFC 9562) as :func:`~jichi.common.ids.new_id` makes them, a thousand at a
    time and in increasing order: 48 bits of Unix milliseconds (each block its own, never
    before the previous block's), the version, a 12-bit counter within the block
    (RFC 9562 §6.2, method 1), the variant and 62 random bits from the system's
    generator. A third of the cost of one call per id (an import makes millions)."""

    BLOCK = 1024

    def __init__(self) -> None:
        self.pending: list[uuid.UUID] = []
        self.last_ms = 0

    def __call__(self) -> uuid.UUID:
        if not self.pending:
            self.last_ms = max(time.time_ns() // 1_000_000, self.last_ms + 1)
            self.pending = _uuid7s(self.last_ms, self.BLOCK)[::-1]
        return self.pending.pop()


def _uuid7s(ms: int, count: int) -> list[uuid.UUID]:
    high = ms << 80 | 0x7 << 76
    random = os.urandom(8 * count)
    low = (1 << 62) - 1
    return [
        uuid.UUID(int=high | n << 64 | 0b10 << 62 | int.from_bytes(random[8 * n : 8 * n + 8]) & low)
        for n in range(count)
    ]


new_id = Ids()


class Inserter:
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

    def prepared(self) -> tuple:
        connection.ensure_connection()
        if self._prepared is None or self._prepared[0] != connection.vendor:
            self._prepared = self._prepare()
        return self._prepared

    def insert(self, rows: list[tuple]) -> None:
        insert_rows([(self, rows)])

    def _sqlite(self, rows: list[tuple]) -> None:
        _, sql, extra = self.prepared()
        converted = []
        for row in rows:
            row = list(row)
            for i, convert in extra:
                if row[i] is not None:
                    row[i] = convert(row[i])
            converted.append(row)
        connection.connection.executemany(sql, converted)


def insert_rows(tables: list[tuple[Inserter, list[tuple]]]) -> None:
    """The rows of several tables, in the caller's transaction. On PostgreSQL in four
    round trips whatever the number of tables: the staging tables made if missing, one
    ``COPY`` each, then every ``INSERT … SELECT`` and ``TRUNCATE`` in one statement."""
    tables = [(inserter, rows) for inserter, rows in tables if rows]
    if not tables:
        return
    with connection.wrap_database_errors:  # django.db's exceptions, as for the ORM
        if connection.vendor != "postgresql":
            for inserter, rows in tables:
                inserter._sqlite(rows)
            return
        statements = [inserter.prepared()[1] for inserter, _ in tables]
        with connection.connection.cursor() as cursor:
            cursor.execute("; ".join(create for create, *_ in statements))
            for (inserter, rows), (_, copy, _, _) in zip(tables, statements, strict=True):
                with cursor.copy(copy) as stream:
                    stream.set_types(inserter.prepared()[2])
                    for row in rows:
                        stream.write_row(row)
            moves = [f"{insert}; {truncate}" for _, _, insert, truncate in statements]
            cursor.execute("; ".join(moves))


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


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while millions of rows are built.

    Rows are tuples of strings, dates and UUIDs (no cycles), but each allocation
    counts towards a collection, and every full collection walks all the rows
    alive: over a million rows that is most of the time (a fifth of a register import,
    a third of a registration of electors). Reference counting still frees what is
    dropped; the collector runs once at the end.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect()
