"""Selectors the staff inbox and the counter dashboards read: the inbox pages and the
applications submitted per day and channel."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from jichi.common.pagination import paginate
from jichi.procedures import selectors, services
from jichi.procedures.applicants import Applicant
from jichi.procedures.models import Application
from jichi.tenancy.context import tenant_scope
from tests.procedures.helpers import SYSTEM

pytestmark = pytest.mark.django_db


def _water(municipality, channel: str = "online", *, submit: bool = True):
    """An application for 水道の使用開始 (no register record needed)."""
    action = services.apply if submit else services.save_draft
    with tenant_scope(municipality.code):
        return action(
            municipality=municipality,
            actor=SYSTEM,
            procedure_id="suidou_kaishi",
            applicant=Applicant("resident"),
            channel=channel,
            answers={
                "user_name": "山田 太郎",
                "supply_address": "横浜市中区港町1-1",
                "start_date": timezone.localdate().isoformat(),
                "payment": "invoice",
                "phone": "045-123-4567",
            },
        )


def _submitted_at(application, day: date, hour: int, minute: int = 0) -> None:
    """Move the submission to local ``day`` ``hour:minute`` (Asia/Tokyo)."""
    when = timezone.make_aware(datetime.combine(day, time(hour, minute)))
    with tenant_scope(application.municipality_id):
        Application.objects.filter(pk=application.pk).update(submitted_at=when)


def test_submitted_per_day_counts_each_channel_on_the_local_day(yokohama, chiyoda):
    april_1, april_2 = date(2026, 4, 1), date(2026, 4, 2)
    late = _water(yokohama, "online")
    _submitted_at(late, april_1, 23, 30)  # 14:30 UTC: still 1 April in Japan
    for channel, hour in (("online", 0), ("counter", 9), ("counter", 10), ("api", 11)):
        _submitted_at(_water(yokohama, channel), april_2, hour, 10)
    _water(yokohama, submit=False)  # a draft is not submitted
    _submitted_at(_water(chiyoda, "online"), april_2, 9)  # another municipality's
    with tenant_scope(yokohama.code):
        assert selectors.submitted_per_day(april_1, april_2) == [
            {"day": april_1, "procedure_id": "suidou_kaishi", "online": 1, "counter": 0, "api": 0},
            {"day": april_2, "procedure_id": "suidou_kaishi", "online": 1, "counter": 2, "api": 1},
        ]
        assert selectors.submitted_per_day(april_2, april_2, "suidou_kaishi")[0]["counter"] == 2
        assert selectors.submitted_per_day(april_1, april_2, "sodai_gomi") == []
        assert selectors.submitted_per_day(date(2026, 4, 3), date(2026, 4, 30)) == []


def test_the_inbox_pages_newest_first_without_drafts_and_filters_by_channel_free_criteria(
    yokohama,
):
    made = [_water(yokohama, channel) for channel in ("online", "counter", "api")]
    _water(yokohama, submit=False)
    with tenant_scope(yokohama.code):
        first = paginate(
            selectors.inbox(selectors.InboxQuery()), key="id", cursor=None, limit=2, descending=True
        )
        assert [a.id for a in first.items] == [made[2].id, made[1].id]
        rest = paginate(
            selectors.inbox(selectors.InboxQuery()),
            key="id",
            cursor=first.next_cursor,
            limit=2,
            descending=True,
        )
        assert [a.id for a in rest.items] == [made[0].id] and rest.next_cursor is None
        queue = selectors.inbox(selectors.InboxQuery(department=made[0].department))
        assert queue.count() == 3
        assert not selectors.inbox(selectors.InboxQuery(procedure="sodai_gomi")).exists()
