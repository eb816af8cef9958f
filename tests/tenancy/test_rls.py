"""The second wall: on PostgreSQL, row-level security hides other tenants' rows
even from raw SQL, and raw SQL without a tenant setting sees nothing."""

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from jichi.audit.services import record
from jichi.tenancy.context import platform_scope, tenant_scope
from jichi.tenancy.rls import role_bypasses_rls, tables_missing_policy, tenant_models
from tests.factories import SYSTEM

pytestmark = pytest.mark.postgres


def _count(sql="SELECT count(*) FROM audit_auditentry"):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


@pytest.fixture
def two_chains(yokohama, chiyoda):
    for code in (yokohama.code, chiyoda.code):
        with tenant_scope(code):
            record(SYSTEM, "test.write")
            record(SYSTEM, "test.write")
    return yokohama, chiyoda


def test_every_tenant_table_has_forced_row_level_security(db):
    assert tenant_models(), "no tenant tables found"
    assert tables_missing_policy() == []


def test_the_test_role_is_bound_by_rls(db):
    assert role_bypasses_rls() is False


def test_raw_sql_without_a_scope_sees_no_rows(two_chains):
    with platform_scope("control"):
        assert _count() >= 4 + 2  # the chains and their activation entries
    assert _count() == 0


def test_raw_sql_in_a_scope_sees_only_that_municipality(two_chains):
    yokohama, _chiyoda = two_chains
    with tenant_scope(yokohama.code):
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT municipality_code FROM audit_auditentry")
            assert [r[0] for r in cursor.fetchall()] == [yokohama.code]


def test_raw_insert_for_another_municipality_is_refused(two_chains):
    yokohama, chiyoda = two_chains
    with tenant_scope(yokohama.code), pytest.raises(ProgrammingError, match="row-level"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO audit_auditentry (id, municipality_code, seq, occurred_at, "
                "actor_kind, actor_id, actor_label, action, object_type, object_id, purpose, "
                "outcome, request_id, details, prev_hash, entry_hash) VALUES "
                "(gen_random_uuid(), %s, 999, now(), 'x', '', '', 'forged', '', '', '', 'ok', "
                "'', '{}', '', '')",
                [chiyoda.code],
            )


def test_setting_is_transaction_local_and_restored(two_chains):
    yokohama, _ = two_chains
    with tenant_scope(yokohama.code):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jichi.tenants', true)")
        assert cursor.fetchone()[0] in (None, "")
