"""Writing the bitemporal history of persons (used only by :mod:`services`).

A change never edits a version's data. To apply a change from date ``start``
(until ``end``, or for good) the current versions that overlap the period are
*superseded* (their ``superseded_at`` is set, once) and replaced by versions
recorded now: the unchanged parts before and after the period are restated,
the part inside the period carries the change. What the office knew before
stays readable "as recorded at" any earlier time.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import F, Max

from jichi.common.errors import RuleViolation
from jichi.common.kana import search_key
from jichi.registry.codes import ResidentStatus
from jichi.registry.models import CURRENT, Movement, Person, PersonVersion

_COPY_EXCLUDE = {"id", "history_no", "valid_from", "valid_to", "recorded_at", "superseded_at"}
_DATA_FIELDS = [
    f.attname for f in PersonVersion._meta.concrete_fields if f.attname not in _COPY_EXCLUDE
]


def name_keys(items: dict) -> dict:
    """The search keys of every written name and reading of a version."""
    readings = items.get("family_name_kana", "") + items.get("given_name_kana", "")
    written = items.get("family_name", "") + items.get("given_name", "")
    return {
        "name_key": search_key(readings),
        "kanji_key": search_key(written or items.get("name_alphabet", "")),
    }


def current_versions(person: Person) -> list[PersonVersion]:
    """What the office knows now of ``person``: a gapless timeline, oldest first."""
    return list(PersonVersion.objects.filter(CURRENT, person=person).order_by("valid_from"))


def latest(person: Person) -> PersonVersion:
    return (
        PersonVersion.objects.filter(CURRENT, person=person, valid_to__isnull=True)
        .select_related("household")
        .get()
    )


def as_of(person: Person, on: date) -> PersonVersion | None:
    return (
        PersonVersion.objects.filter(CURRENT, person=person, valid_from__lte=on)
        .exclude(valid_to__lte=on)
        .first()
    )


def latest_of_numbers(numbers: list[str]) -> dict[str, PersonVersion]:
    """The open current version of each person named by 宛名番号, in one query
    (persons not found are missing from the answer)."""
    versions = PersonVersion.objects.filter(
        CURRENT,
        valid_to__isnull=True,
        person__number__in=sorted(set(numbers)),
        person__municipality=F("municipality"),  # so the (municipality, number) index serves
    ).select_related("person", "household")
    return {v.person.number: v for v in versions}


def _next_history_no(person: Person) -> int:
    last = PersonVersion.objects.filter(person=person).aggregate(n=Max("history_no"))["n"]
    return (last or 0) + 1


def _next_history_nos(person_ids: list) -> dict:
    rows = (
        PersonVersion.objects.filter(person_id__in=person_ids)
        .values("person_id")
        .annotate(n=Max("history_no"))
        .values_list("person_id", "n")
        .order_by()
    )
    last = dict(rows)
    return {pid: (last.get(pid) or 0) + 1 for pid in person_ids}


def _restate(
    version: PersonVersion,
    start: date,
    end: date | None,
    history_no: int,
    now: datetime,
    changes: dict | None = None,
    movement: Movement | None = None,
) -> PersonVersion:
    data = {name: getattr(version, name) for name in _DATA_FIELDS}
    if movement is not None:
        data["movement_id"] = movement.id
        data["reason"] = movement.reason
    for name, value in (changes or {}).items():
        field = PersonVersion._meta.get_field(name)
        if field.is_relation and name == field.name:  # an object: store its key
            data[field.attname] = value.pk if value is not None else None
        else:
            data[field.attname] = value
    data.update(name_keys(data))  # the keys follow the names, whatever changed
    return PersonVersion(
        history_no=history_no, valid_from=start, valid_to=end, recorded_at=now, **data
    )


def first_version(person: Person, movement: Movement, data: dict) -> PersonVersion:
    """The first version of a person newly recorded (記載)."""
    return first_versions([(person, data)], movement)[0]


def first_versions(records: list[tuple[Person, dict]], movement: Movement) -> list[PersonVersion]:
    """The first versions of persons just created (history number 1), in one insert."""
    return PersonVersion.objects.bulk_create(
        [
            PersonVersion(
                municipality_id=person.municipality_id,
                person=person,
                history_no=1,
                valid_from=movement.effective_on,
                valid_to=None,
                recorded_at=movement.recorded_at,
                movement=movement,
                reason=movement.reason,
                **data,
            )
            for person, data in records
        ]
    )


def require_in_order(version: PersonVersion, on: date, field: str = "effective_on") -> None:
    """A movement may not be dated before the start of the person's latest version."""
    if on < version.valid_from:
        raise RuleViolation(
            "movement.out_of_order",
            f"この人には{version.valid_from.isoformat()}付けの異動が既に記録されています。"
            "それより前の日付の異動は、誤記修正で記録してください。",
            f"A movement effective {version.valid_from.isoformat()} is already recorded for "
            "this person; record earlier facts as a clerical correction.",
            field,
            status=409,
        )


def require_resident(version: PersonVersion, field: str = "person") -> None:
    if version.status != ResidentStatus.RESIDENT:
        raise RuleViolation(
            "person.not_resident",
            f"この人は住民ではありません（{version.get_status_display()}）。",
            f"This person is not a resident (status: {version.get_status_display()}).",
            field,
            status=409,
        )


def change_from(person: Person, movement: Movement, changes: dict) -> PersonVersion:
    """Apply ``changes`` from the movement's 異動日 on (an ordinary movement)."""
    version = latest(person)
    require_in_order(version, movement.effective_on)
    # From a date inside the open latest version on, it is the only one overlapping.
    return rewrite(person, movement, movement.effective_on, None, changes, within=[version])[-1]


def change_many(movement: Movement, items: list[tuple[Person, dict]]) -> list[PersonVersion]:
    """:func:`change_from` for several persons of one movement, in four statements
    whatever their number (a household's 転居 or 転出). Returns their new versions."""
    ids = [person.id for person, _ in items]
    if len(set(ids)) != len(ids):  # the same person twice: one change after the other
        return [change_from(person, movement, changes) for person, changes in items]
    start, now = movement.effective_on, movement.recorded_at
    latest_of = {
        v.person_id: v
        for v in PersonVersion.objects.filter(CURRENT, valid_to__isnull=True, person_id__in=ids)
    }
    numbers = _next_history_nos(ids)
    created = []
    for person, changes in items:
        version = latest_of[person.id]
        require_in_order(version, start)
        if version.valid_from < start:
            created.append(_restate(version, version.valid_from, start, numbers[person.id], now))
            numbers[person.id] += 1
        created.append(_restate(version, start, None, numbers[person.id], now, changes, movement))
    PersonVersion.objects.filter(id__in=[v.id for v in latest_of.values()]).update(
        superseded_at=now
    )
    PersonVersion.objects.bulk_create(created)
    return [v for v in created if v.movement_id == movement.id]


def rewrite(
    person: Person,
    movement: Movement,
    start: date,
    end: date | None,
    changes: dict,
    *,
    within: list[PersonVersion] | None = None,
) -> list[PersonVersion]:
    """Supersede the versions overlapping ``[start, end)`` and restate them with ``changes``
    inside the period. Returns the new versions, oldest first. ``within``: the current
    versions to consider, when the caller has them (all of them otherwise)."""
    now = movement.recorded_at
    overlapping = [
        v
        for v in (current_versions(person) if within is None else within)
        if (v.valid_to is None or v.valid_to > start) and (end is None or v.valid_from < end)
    ]
    if not overlapping:
        raise RuleViolation(
            "movement.no_record_in_period",
            "指定された期間に、この人の記録がありません。",
            "The person has no record in the given period.",
            "effective_on",
            status=409,
        )
    history_no = _next_history_no(person)
    created: list[PersonVersion] = []
    for version in overlapping:
        pieces = []
        if version.valid_from < start:
            pieces.append((version.valid_from, start, None))
        inner_start = max(version.valid_from, start)
        inner_end = _min_end(version.valid_to, end)
        pieces.append((inner_start, inner_end, changes))
        if end is not None and (version.valid_to is None or end < version.valid_to):
            pieces.append((end, version.valid_to, None))
        for piece_start, piece_end, piece_changes in pieces:
            created.append(
                _restate(
                    version,
                    piece_start,
                    piece_end,
                    history_no,
                    now,
                    piece_changes,
                    movement if piece_changes is not None else None,
                )
            )
            history_no += 1
    PersonVersion.objects.filter(id__in=[v.id for v in overlapping]).update(superseded_at=now)
    PersonVersion.objects.bulk_create(created)
    return created


def _min_end(a: date | None, b: date | None) -> date | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)
