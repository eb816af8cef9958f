"""The head of a per-municipality sequence (the audit chain, the event outbox), read
under the lock that serialises appends to it, in one round trip.

On PostgreSQL a PL/pgSQL function takes the transaction-level advisory lock and
then reads the head in a statement of its own: in READ COMMITTED each statement
of a volatile function has a fresh snapshot, so the head it reads includes every
append committed before the lock was granted (one ``SELECT`` doing both would
read with a snapshot taken before waiting, and could miss the last one). SQLite
needs no lock: its IMMEDIATE transactions already serialise writers.

The function runs with sorts and bitmap scans off, so the head is always one step
backwards on the ``(municipality, seq)`` unique index: with statistics older than
the sequence (a chain grown since the last ``ANALYZE``) the planner would otherwise
read the municipality's whole sequence and sort it to find its last row.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection


def head_function(name: str, table: str, order: str) -> tuple[str, str]:
    """SQL creating (and dropping) ``name(lock_class, code)``: the row of ``table`` of the
    municipality ``code`` last by ``order``, after ``pg_advisory_xact_lock(lock_class,
    code)``; no row if the sequence is empty. For :func:`jichi.common.migrations.postgres_sql`."""
    create = f"""
CREATE OR REPLACE FUNCTION {name}(lock_class integer, code varchar)
RETURNS SETOF {table} AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_class, code::integer);
    RETURN QUERY SELECT * FROM {table} t
        WHERE t.municipality_code = code ORDER BY t.{order} DESC LIMIT 1;
END;
$$ LANGUAGE plpgsql VOLATILE SET enable_sort = off SET enable_bitmapscan = off;
"""
    return create, f"DROP FUNCTION IF EXISTS {name}(integer, varchar);"


def locked_head(
    function: str, lock_class: int, code: str, columns: str, unlocked: Callable[[], tuple | None]
) -> tuple | None:
    """``columns`` of the head row of the sequence of ``code`` (``None`` if it is empty),
    holding its lock until the transaction ends; ``unlocked()`` reads it elsewhere."""
    if connection.vendor != "postgresql":
        return unlocked()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {function}(%s, %s)", [lock_class, code])
        return cursor.fetchone()
