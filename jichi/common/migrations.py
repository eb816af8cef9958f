"""Helpers for migrations: SQL that only PostgreSQL runs (triggers, policies)."""

from __future__ import annotations

from django.db import migrations


def postgres_sql(forward: str, backward: str) -> migrations.RunPython:
    """Run ``forward`` on PostgreSQL when migrating (``backward`` when reversing); a no-op
    elsewhere. The SQL is sent as is (no parameters), so ``%`` needs no escaping."""

    def run(sql: str):
        def operation(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql, params=None)

        return operation

    return migrations.RunPython(run(forward), run(backward))
