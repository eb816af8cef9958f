"""What 就学 follows of the register's events: a child who leaves (転出, 死亡, 消除)
before entering school has their 就学通知 withdrawn, in the movement's transaction."""

from __future__ import annotations

from django.utils import timezone

from jichi.benefits.schooling.models import EntryNotice, NoticeStatus
from jichi.benefits.schooling.rules import next_entry_year

REMOVED = "jp.jichi.registry.person.removed"


def connect() -> None:
    from jichi.linkage.outbox import events_published

    events_published.connect(on_events, dispatch_uid="jichi.benefits.schooling.on_events")


def on_events(sender, *, events, **kwargs) -> None:
    numbers = {e.data["resident_number"] for e in events if e.type == REMOVED}
    if not numbers:
        return
    EntryNotice.objects.filter(
        number__in=numbers,
        status=NoticeStatus.ISSUED,
        entry_year__gte=next_entry_year(timezone.localdate()),  # not entered yet
    ).update(status=NoticeStatus.WITHDRAWN, withdrawn_at=timezone.now())
