"""Create the plain PostgreSQL role the test suite runs as (idempotent).

Row-level security does not apply to superusers, so the suite connects as
``jichi_test`` (LOGIN CREATEDB, no SUPERUSER, no BYPASSRLS) — the same kind
of role production uses. The role is created through an administrator
connection (``JICHI_TEST_POSTGRES_ADMIN_URL``, default
postgres://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import os
import sys

ROLE = os.environ.get("JICHI_TEST_POSTGRES_ROLE", "jichi_test")
ADMIN_URL = os.environ.get(
    "JICHI_TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def main() -> int:
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        print("psycopg is missing: install the [postgres] extra", file=sys.stderr)
        return 2
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [ROLE]).fetchone()
            if not exists:
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS").format(
                        sql.Identifier(ROLE)
                    )
                )
            else:
                conn.execute(
                    sql.SQL("ALTER ROLE {} LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS").format(
                        sql.Identifier(ROLE)
                    )
                )
    except psycopg.OperationalError as exc:
        print(
            f"cannot reach PostgreSQL at {ADMIN_URL}: {exc}\n"
            "Start it (see docs/operations.md) or set JICHI_TEST_POSTGRES_ADMIN_URL.",
            file=sys.stderr,
        )
        return 2
    print(f"PostgreSQL role {ROLE} ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
