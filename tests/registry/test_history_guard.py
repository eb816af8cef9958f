"""On PostgreSQL the database itself refuses edits of the register's history."""

import pytest
from django.db import DatabaseError, connection, transaction

from jichi.registry import services
from jichi.registry.models import Movement, PersonVersion
from jichi.registry.schemas import NameChangeIn
from jichi.tenancy.context import tenant_scope
from tests.registry.people import days_ago, family, record

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE registry_personversion SET family_name = '改ざん'",
        "UPDATE registry_personversion SET superseded_at = now() WHERE superseded_at IS NOT NULL",
        "DELETE FROM registry_personversion",
        "UPDATE registry_movement SET note = 'x'",
        "DELETE FROM registry_movementsubject",
    ],
)
def test_history_edits_are_refused(yokohama, sql):
    _, (head, *_rest) = family(yokohama)
    record(
        yokohama,
        services.record_name_change,
        NameChangeIn(
            effective_on=days_ago(5),
            person=head.number,
            family_name="山田",
            given_name="太朗",
            family_name_kana="ヤマダ",
            given_name_kana="タロウ",
        ),
    )
    with tenant_scope(yokohama.code):
        assert PersonVersion.objects.filter(superseded_at__isnull=False).exists()
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
        assert not PersonVersion.objects.filter(family_name="改ざん").exists()


def test_closing_a_version_once_is_allowed(yokohama):
    family(yokohama)
    with tenant_scope(yokohama.code):
        version = PersonVersion.objects.filter(superseded_at__isnull=True).first()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE registry_personversion SET superseded_at = now() WHERE id = %s",
                [version.id],
            )
        assert Movement.objects.count() == 1
