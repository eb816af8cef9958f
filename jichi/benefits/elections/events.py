"""What the roll follows of the register's events, inside the movement's transaction.

- 死亡 (``registry.person.removed``, reason 死亡): the elector is removed (抹消) at once;
- 転出: the elector is marked (転出表示) from the day of the move; the next
  registration 4 months or more later removes them;
- 転居 (``registry.person.moved``): the elector's 投票区 follows the new 町字.
The rest waits for the next registration, which reads the register as of its date.
"""

from __future__ import annotations

from datetime import date

from jichi.benefits.elections.models import ElectorEntry, EntryStatus, RemovalReason
from jichi.registry import selectors as registry
from jichi.registry.codes import Reason

REMOVED = "jp.jichi.registry.person.removed"
MOVED = "jp.jichi.registry.person.moved"


def connect() -> None:
    from jichi.linkage.outbox import events_published

    events_published.connect(on_events, dispatch_uid="jichi.benefits.elections.on_events")


def on_events(sender, *, events, **kwargs) -> None:
    relevant = [e for e in events if e.type in (REMOVED, MOVED)]
    if not relevant:
        return
    on_roll = ElectorEntry.objects.exclude(status=EntryStatus.REMOVED).filter(
        number__in={e.data["resident_number"] for e in relevant}
    )
    entries = {entry.number: entry for entry in on_roll}
    if not entries:
        return
    from jichi.benefits.elections.services import district_of_town

    districts = None
    for event in relevant:
        entry = entries.get(event.data["resident_number"])
        if entry is None:
            continue
        on = date.fromisoformat(event.data["effective_on"])
        reason = event.data.get("reason")
        if event.type == REMOVED and reason == Reason.DEATH:
            entry.status, entry.removed_on = EntryStatus.REMOVED, on
            entry.removal_reason = RemovalReason.DECEASED
        elif event.type == REMOVED and reason == Reason.MOVE_OUT:
            entry.status, entry.displayed_on = EntryStatus.DISPLAYED, on
        elif event.type == MOVED:
            districts = districts if districts is not None else district_of_town()
            version = registry.person_on(registry.person(entry.number), on)
            entry.district = districts.get(version.town_code, "")
        else:
            continue
        entry.save(
            update_fields=["status", "removed_on", "removal_reason", "displayed_on", "district"]
        )
