"""The first wall: tenant-scoped managers make an unscoped query impossible."""

import pytest

from jichi.audit.models import AuditEntry
from jichi.audit.services import record
from jichi.tenancy.context import (
    OutOfScope,
    TenantContextMissing,
    current_scope_or_none,
    multi_scope,
    platform_scope,
    tenant_scope,
)
from tests.factories import SYSTEM


def _entry_in(code):
    with tenant_scope(code):
        return record(SYSTEM, "test.write", object_type="thing", object_id="1")


def test_query_of_tenant_data_without_scope_is_refused(yokohama):
    with pytest.raises(TenantContextMissing):
        list(AuditEntry.objects.all())


def test_scope_shows_only_its_own_municipality(yokohama, chiyoda):
    _entry_in(yokohama.code)
    _entry_in(chiyoda.code)
    with tenant_scope(yokohama.code):
        codes = set(AuditEntry.objects.values_list("municipality_id", flat=True))
    assert codes == {yokohama.code}


def test_even_an_explicit_filter_for_another_municipality_finds_nothing(yokohama, chiyoda):
    _entry_in(chiyoda.code)
    with tenant_scope(yokohama.code):
        assert not AuditEntry.objects.filter(municipality_id=chiyoda.code).exists()


def test_multi_scope_and_platform_scope_see_what_they_name(yokohama, chiyoda, kawasaki):
    for m in (yokohama, chiyoda, kawasaki):
        _entry_in(m.code)
    with multi_scope([yokohama.code, kawasaki.code], "prefecture view"):
        seen = set(AuditEntry.objects.values_list("municipality_id", flat=True))
    assert seen == {yokohama.code, kawasaki.code}
    with platform_scope("test"):
        seen = set(AuditEntry.objects.values_list("municipality_id", flat=True))
    assert {yokohama.code, chiyoda.code, kawasaki.code} <= seen


def test_saving_a_row_of_another_municipality_is_refused(yokohama, chiyoda):
    with tenant_scope(yokohama.code), pytest.raises(OutOfScope) as caught:
        record(SYSTEM, "test.write", municipality_code=chiyoda.code)
    assert caught.value.code == "tenant.out_of_scope"
    with platform_scope("check"):
        assert not AuditEntry.objects.filter(
            municipality_id=chiyoda.code, action="test.write"
        ).exists()


def test_bulk_create_of_another_municipality_is_refused(yokohama, chiyoda):
    row = AuditEntry(
        municipality_id=chiyoda.code,
        seq=99,
        actor_kind="system",
        action="x",
        prev_hash="0" * 64,
        entry_hash="0" * 64,
    )
    with tenant_scope(yokohama.code), pytest.raises(OutOfScope):
        AuditEntry.objects.bulk_create([row])


def test_platform_scope_needs_a_reason():
    with pytest.raises(TenantContextMissing):
        with platform_scope(""):
            pass


def test_scopes_nest_and_restore(yokohama, chiyoda):
    with tenant_scope(yokohama.code):
        with tenant_scope(chiyoda.code):
            assert current_scope_or_none().single_code == chiyoda.code
        assert current_scope_or_none().single_code == yokohama.code
    assert current_scope_or_none() is None
