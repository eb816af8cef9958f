"""Row-level security on PostgreSQL: the second wall between municipalities.

Every concrete :class:`~jichi.tenancy.models.TenantModel` table gets a
policy that shows and accepts only rows whose ``municipality_code`` is in the
transaction-local setting ``jichi.tenants`` (``"*"`` for the platform). RLS
is *forced*, so the table owner is bound too; superusers and roles with
BYPASSRLS are not, which is why the application must connect as its own
plain role (a system check warns otherwise).

Policies are (re)installed after every ``migrate`` for every tenant table,
so a new table cannot be forgotten; a test asserts that each one has it.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connections

POLICY = "jichi_tenant_isolation"

# The setting is read in scalar sub-selects so PostgreSQL evaluates it once per query
# (an InitPlan), not once per row.
_CONDITION = (
    "((SELECT current_setting('jichi.tenants', true)) = '*' OR municipality_code = ANY "
    "(CAST((SELECT string_to_array(current_setting('jichi.tenants', true), ',')) AS text[])))"
)


def tenant_models() -> list[type]:
    from jichi.tenancy.models import TenantModel

    return [
        model
        for model in apps.get_models()
        if issubclass(model, TenantModel) and not model._meta.proxy
    ]


def install_policies(using: str = "default") -> list[str]:
    """Enable, force and (re)create the isolation policy on every tenant table."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    tables = [model._meta.db_table for model in tenant_models()]
    with connection.cursor() as cursor:
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {quoted}")
            cursor.execute(
                f"CREATE POLICY {POLICY} ON {quoted} USING {_CONDITION} WITH CHECK {_CONDITION}"
            )
    return tables


def tables_missing_policy(using: str = "default") -> list[str]:
    """Tenant tables without forced RLS and our policy (empty when all is well)."""
    connection = connections[using]
    missing = []
    with connection.cursor() as cursor:
        for model in tenant_models():
            table = model._meta.db_table
            cursor.execute(
                "SELECT c.relrowsecurity, c.relforcerowsecurity, "
                "EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = %s) "
                "FROM pg_class c WHERE c.relname = %s AND c.relkind = 'r'",
                [POLICY, table],
            )
            row = cursor.fetchone()
            if not row or not all(row):
                missing.append(table)
    return missing


def role_bypasses_rls(using: str = "default") -> bool:
    """True when the connected role is a superuser or has BYPASSRLS."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])
