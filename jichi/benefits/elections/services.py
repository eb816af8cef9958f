"""Registering electors (定時登録・選挙時登録) and the districts they vote in."""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from jichi.audit.services import record as audit
from jichi.benefits.areas import TownAreas
from jichi.benefits.elections import rules
from jichi.benefits.elections.models import (
    ElectorEntry,
    EntryStatus,
    Registration,
    RegistrationKind,
    RemovalReason,
    VotingDistrict,
)
from jichi.common import bulk
from jichi.common.ages import born_by_for_age
from jichi.common.errors import ErrorCollector, RuleViolation
from jichi.registry import selectors as registry
from jichi.registry.codes import ResidentKind, ResidentStatus
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

ENTRIES = bulk.Inserter(
    ElectorEntry,
    [
        "id",
        "municipality_id",
        "number",
        "sex",
        "district",
        "registration_id",
        "registered_on",
        "status",
        "removal_reason",
    ],
)
_ALL_STATUSES = tuple(ResidentStatus.values)
_GONE = (ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED, ResidentStatus.REMOVED)


@transaction.atomic
def set_districts(*, municipality: Municipality, actor: Actor, districts: list[dict]) -> int:
    """Replace the 投票区 (each: code, name, polling_place, towns as 町字 codes)."""
    errors, seen_codes = ErrorCollector(), set()
    areas = TownAreas(municipality.code, errors)
    for i, district in enumerate(districts):
        field = f"districts.{i}"
        code = str(district.get("code", "")).strip()
        if not code.isdigit() or len(code) > 4 or code in seen_codes:
            errors.add(
                "code.invalid",
                "投票区番号は重複しない4桁以内の数字です。",
                "A district code is up to 4 digits, each used once.",
                f"{field}.code",
            )
        seen_codes.add(code)
        if not str(district.get("name", "")).strip():
            errors.add(
                "name.required",
                "投票区名を入力してください。",
                "Give the district a name.",
                f"{field}.name",
            )
        areas.check(
            district.get("towns", []), f"{field}.towns", code, what_ja="投票区", what_en="districts"
        )
    errors.raise_if_any()
    VotingDistrict.objects.all().delete()
    VotingDistrict.objects.bulk_create(
        VotingDistrict(
            municipality=municipality,
            code=str(d["code"]).strip(),
            name=str(d["name"]).strip(),
            polling_place=str(d.get("polling_place", "")).strip()[:100],
            towns=sorted(d.get("towns", [])),
        )
        for d in districts
    )
    # The entries follow their persons' towns into the new districts.
    district_of = areas.area_of()
    for entry_town, ids in _entries_by_town().items():
        ElectorEntry.objects.filter(id__in=ids).update(district=district_of.get(entry_town, ""))
    audit(
        actor,
        "elections.districts.set",
        object_type="districts",
        details={"districts": len(districts), "towns": len(district_of)},
    )
    return len(districts)


def district_of_town() -> dict[str, str]:
    return {town: d.code for d in VotingDistrict.objects.all() for town in d.towns}


def _entries_by_town() -> dict[str, list]:
    on_roll = dict(
        ElectorEntry.objects.exclude(status=EntryStatus.REMOVED).values_list("number", "id")
    )
    by_town: dict[str, list] = {}
    for number, _status, _sex, town, _since, _from in registry.resident_keys(
        timezone.localdate(), statuses=_ALL_STATUSES
    ):
        if number in on_roll:
            by_town.setdefault(town, []).append(on_roll[number])
    return by_town


@transaction.atomic
def register(
    *,
    municipality: Municipality,
    actor: Actor,
    reference_date: date,
    kind: str = RegistrationKind.PERIODIC,
    election: str = "",
    registered_on: date | None = None,
) -> Registration:
    """One registration as of ``reference_date``: every Japanese resident of 18 or more
    resident for 3 months is added; electors who moved out are marked (転出表示), and
    removed 4 months after the move; the dead and the no longer resident are removed."""
    if kind not in RegistrationKind.values:
        raise RuleViolation(
            "kind.choice",
            "登録の種類は periodic か election です。",
            "kind is periodic or election.",
            "kind",
        )
    rules.check_reference_date(kind, reference_date, timezone.localdate())
    if Registration.objects.filter(kind=kind, reference_date=reference_date).exists():
        raise RuleViolation(
            "registration.exists",
            "この基準日の登録は済んでいます。",
            "This registration has been made already.",
            "reference_date",
            status=409,
        )
    started = time.perf_counter()
    registration = Registration.objects.create(
        municipality=municipality,
        kind=kind,
        reference_date=reference_date,
        registered_on=registered_on or reference_date + timedelta(days=1),
        election=election.strip()[:100],
        created_by=actor.label[:150],
    )
    with bulk.collector_paused():
        changes = _changes(municipality, registration)
    registration.added = len(changes.new)
    registration.displayed = sum(len(ids) for ids in changes.displayed.values())
    registration.removed = sum(len(ids) for ids in changes.removed.values())
    registration.total = ElectorEntry.objects.exclude(status=EntryStatus.REMOVED).count()
    registration.seconds = round(time.perf_counter() - started, 3)
    registration.save()
    audit(
        actor,
        "elections.registered",
        object_type="registration",
        object_id=str(registration.id),
        details={
            "kind": kind,
            "reference_date": reference_date.isoformat(),
            "added": registration.added,
            "removed": registration.removed,
        },
    )
    return registration


class _Changes:
    def __init__(self) -> None:
        self.new: list[tuple] = []
        self.displayed: dict[date, list] = {}  # 転出日 -> entry ids
        self.removed: dict[str, list] = {}  # reason -> entry ids
        self.returned: list = []  # marked as moved out, resident again


def _changes(municipality: Municipality, registration: Registration) -> _Changes:
    on = registration.reference_date
    entries = {
        person: (pk, status, shown)
        for person, pk, status, shown in ElectorEntry.objects.exclude(
            status=EntryStatus.REMOVED
        ).values_list("number", "id", "status", "displayed_on")
    }
    districts, code, changes = district_of_town(), municipality.code, _Changes()
    eligible = registry.resident_keys(
        on,
        kind=ResidentKind.JAPANESE,
        born_on_or_before=born_by_for_age(on, rules.VOTING_AGE),
        resident_since_on_or_before=rules.resident_since_cutoff(on),
    )
    for number, _status, sex, town, _since, _from in eligible:
        entry = entries.pop(number, None)
        if entry is None:
            changes.new.append(
                (bulk.new_id(), code, number, sex, districts.get(town, ""),
                 registration.id, registration.registered_on, EntryStatus.REGISTERED, "")
            )  # fmt: skip
        elif entry[1] == EntryStatus.DISPLAYED:  # back before the removal: on the roll again
            changes.returned.append(entry[0])
    # The others on the roll: resident still, or gone (moved out, dead, removed).
    gone = registry.resident_keys(on, statuses=_GONE)
    for number, status, _sex, _town, _since, left_on in gone:
        entry = entries.get(number)
        if entry is None:
            continue
        pk, current, shown = entry
        if status == ResidentStatus.MOVED_OUT:
            moved_on = shown or left_on
            if rules.removal_due(moved_on, on):
                changes.removed.setdefault(RemovalReason.MOVED_OUT, []).append(pk)
            elif current == EntryStatus.REGISTERED:
                changes.displayed.setdefault(moved_on, []).append(pk)
        else:
            reason = (RemovalReason.DECEASED if status == ResidentStatus.DECEASED
                      else RemovalReason.NOT_RESIDENT)  # fmt: skip
            changes.removed.setdefault(reason, []).append(pk)
    _apply(changes, on)
    return changes


def _apply(changes: _Changes, on: date, chunk: int = 10_000) -> None:
    for start in range(0, len(changes.new), chunk):
        ENTRIES.insert(changes.new[start : start + chunk])
    for moved_on, ids in changes.displayed.items():
        for start in range(0, len(ids), chunk):
            ElectorEntry.objects.filter(id__in=ids[start : start + chunk]).update(
                status=EntryStatus.DISPLAYED, displayed_on=moved_on
            )
    for start in range(0, len(changes.returned), chunk):
        ElectorEntry.objects.filter(id__in=changes.returned[start : start + chunk]).update(
            status=EntryStatus.REGISTERED, displayed_on=None
        )
    for reason, ids in changes.removed.items():
        for start in range(0, len(ids), chunk):
            ElectorEntry.objects.filter(id__in=ids[start : start + chunk]).update(
                status=EntryStatus.REMOVED, removed_on=on, removal_reason=reason
            )
