"""Reads of the roll: districts, registrations, counts, the roll itself."""

from __future__ import annotations

from django.db.models import Count

from jichi.benefits.elections.models import ElectorEntry, EntryStatus, Registration, VotingDistrict
from jichi.registry import selectors as registry
from jichi.registry.codes import ResidentKind, ResidentStatus

ON_ROLL = (EntryStatus.REGISTERED, EntryStatus.DISPLAYED)


def districts() -> list[VotingDistrict]:
    return list(VotingDistrict.objects.order_by("code"))


def registrations() -> list[Registration]:
    return list(Registration.objects.order_by("-reference_date", "-created_at"))


def counts() -> list[dict]:
    """Electors on the roll by 投票区 and sex (男 1, 女 2), with the 転出表示 among them."""
    names = {d.code: d.name for d in districts()}
    table: dict[str, dict] = {}
    rows = (
        ElectorEntry.objects.filter(status__in=ON_ROLL)
        .values_list("district", "sex", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for district, sex, status, n in rows:
        cell = table.setdefault(
            district,
            {
                "district": district,
                "name": names.get(district, ""),
                "men": 0,
                "women": 0,
                "displayed": 0,
                "total": 0,
            },
        )
        cell["men" if sex == "1" else "women"] += n
        cell["total"] += n
        if status == EntryStatus.DISPLAYED:
            cell["displayed"] += n
    return [table[k] for k in sorted(table)]


def roll(district: str | None = None):
    """The roll as shown (名簿): the entries with their persons' current items, by
    district, then 町字 and 宛名番号; only their rows are read. Personal data (audit it)."""
    entries = ElectorEntry.objects.filter(status__in=ON_ROLL)
    if district is not None:
        entries = entries.filter(district=district)
    by_person = {e.number: e for e in entries}
    lines = []
    for row in registry.resident_rows(
        _today(),
        statuses=(ResidentStatus.RESIDENT, ResidentStatus.MOVED_OUT),
        kind=ResidentKind.JAPANESE,
        numbers=list(by_person),
    ):
        entry = by_person.get(row.number)
        if entry is not None:
            lines.append((entry, row))
    lines.sort(key=lambda line: (line[0].district, line[1].town_code, line[1].number))
    return lines


def _today():
    from django.utils import timezone

    return timezone.localdate()
