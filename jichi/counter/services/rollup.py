"""The visit roll-up that the dashboards read: kept as visits close, rebuilt from the visits.

:func:`count_closed` runs inside the transaction of the queue action that
closes a visit (complete, no-show), so a visit is in the roll-up exactly when
its closing is committed. :func:`rebuild_rollup` recounts a municipality's
roll-up from its visits, for data written before the roll-up existed or
loaded in bulk; running it twice gives the same rows.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction

from jichi.audit.services import record as audit
from jichi.counter import rollup
from jichi.counter.models import Visit, VisitRollup, VisitStatus
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

CLOSED = (VisitStatus.DONE, VisitStatus.NO_SHOW)


def count_closed(visit: Visit) -> None:
    """Count ``visit``, just closed, into its day's row (in the caller's transaction).

    The row is locked while it changes, so two clerks closing visits of the same
    day and procedure at once both count.
    """
    key = {
        "municipality_id": visit.municipality_id,
        "service_date": visit.service_date,
        "procedure_id": visit.procedure_id,
    }
    locked = VisitRollup.objects.select_for_update()
    row = locked.filter(**key).first()
    if row is None:
        VisitRollup.objects.bulk_create([VisitRollup(**key)], ignore_conflicts=True)
        row = locked.get(**key)
    rollup.fold(
        row,
        arrived_at=visit.arrived_at,
        served=visit.status == VisitStatus.DONE,
        wait_seconds=visit.wait_seconds,
        process_seconds=visit.process_seconds,
    )
    row.save(update_fields=VisitRollup.COUNTED)


def _lock_rollup() -> None:
    """Hold back the queue actions' counting until the rebuild commits (PostgreSQL; on
    SQLite every write transaction already holds the database's write lock)."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(VisitRollup._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")


@transaction.atomic
def rebuild_rollup(
    *,
    municipality: Municipality,
    actor: Actor,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict:
    """Recount the roll-up of the municipality in scope from its closed visits, for every
    day or for ``date_from``–``date_to``. Idempotent; the queue actions that close visits
    meanwhile wait for it and are counted once."""
    _lock_rollup()
    days = {}
    if date_from:
        days["service_date__gte"] = date_from
    if date_to:
        days["service_date__lte"] = date_to
    removed, _ = VisitRollup.objects.filter(municipality=municipality, **days).delete()
    visits = (
        Visit.objects.filter(municipality=municipality, status__in=CLOSED, **days)
        .values_list(*rollup.VISIT_COLUMNS)
        .iterator(chunk_size=10_000)
    )
    rows, counted = rollup.recount(visits, municipality_id=municipality.code)
    VisitRollup.objects.bulk_create(rows, batch_size=1000)
    result = {"visits": counted, "rows": len(rows), "rows_removed": removed}
    audit(
        actor,
        "counter.rollup.rebuilt",
        object_type="visit_rollup",
        object_id=municipality.code,
        details={
            **result,
            "date_from": date_from.isoformat() if date_from else None,
            "date_to": date_to.isoformat() if date_to else None,
        },
    )
    return result
