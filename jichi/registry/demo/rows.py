"""Rows: a household's plan written the way the services and
:func:`jichi.registry.timeline.rewrite` would have written it, ready for ``bulk_create``."""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from jichi.common.checkdigits import (
    make_household_number,
    make_resident_number,
    my_number_check_digit,
    resident_record_code_check_digit,
)
from jichi.common.ids import new_id
from jichi.common.secrets import seal_my_number
from jichi.registry.codes import Reason, ResidentKind, ResidentStatus, category_of
from jichi.registry.demo.household import Event, Member, Plan
from jichi.registry.demo.tables import MY_NUMBER_SINCE, P_LATE, RESIDENT_CODE_SINCE
from jichi.registry.models import Household, Movement, MovementSubject, Person, PersonVersion
from jichi.registry.relationships import HEAD
from jichi.registry.timeline import name_keys
from jichi.tenancy.principals import Actor

ACTOR = Actor.system("demo")
TOKYO = ZoneInfo("Asia/Tokyo")

_BLANK = {
    f.attname: (None if f.null else f.get_default())
    for f in PersonVersion._meta.concrete_fields
    if f.attname
    not in {
        "id",
        "municipality_id",
        "person_id",
        "history_no",
        "valid_from",
        "valid_to",
        "recorded_at",
        "superseded_at",
        "movement_id",
        "reason",
    }
}
_NAME_FIELDS = {"family_name", "given_name", "family_name_kana", "given_name_kana", "name_alphabet"}
_CATEGORY = {reason: category_of(reason) for reason in Reason}
# Days from the event to its notice (届出日): (least, most, legal limit or None).
_NOTICE_DAYS = {
    Reason.BIRTH: (1, 14, 14),
    Reason.MOVE_IN: (0, 14, 14),
    Reason.MOVE_IN_FROM_ABROAD: (0, 14, 14),
    Reason.MOVE_WITHIN: (0, 14, 14),
    Reason.RECORD_EX_OFFICIO: (0, 0, None),
    Reason.MOVE_OUT: (-14, 0, 14),  # notified before leaving
    Reason.MOVE_OUT_ABROAD: (-14, 0, 14),
    Reason.DEATH: (0, 7, 7),
    Reason.NAME_CHANGE: (1, 20, None),
    Reason.RESIDENCE_STATUS_CHANGE: (1, 20, None),
}
_ARRIVALS = {Reason.MOVE_IN, Reason.MOVE_IN_FROM_ABROAD, Reason.BIRTH, Reason.RECORD_EX_OFFICIO}
_DEPARTURES = {Reason.MOVE_OUT, Reason.MOVE_OUT_ABROAD, Reason.DEATH}
# Affine permutations of the 宛名番号 serial: unique 個人番号 and 住民票コード per municipality.
_MY_NUMBER_FACTOR = 7_919_792_731
_RESIDENT_CODE_FACTOR = 3_141_592_653


def _stable(*parts: object) -> int:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


class _Playing:
    """One household while its events are played: who is there, where, their versions."""

    def __init__(self, plan: Plan, household_id, rng: random.Random) -> None:
        self.plan, self.household_id, self.rng = plan, household_id, rng
        self.lines: dict[int, list[dict]] = {}  # member → versions, the open one last
        self.present: set[int] = set()
        self.address = dict(plan.address)
        self.last_recorded: datetime | None = None

    def person(self, member: int):
        return self.lines[member][0]["person_id"]


class Rows:
    """The rows of one batch: households planned, numbered and ready for ``bulk_create``."""

    def __init__(
        self,
        code: str,
        seed: int,
        today: date,
        *,
        person_serial: int,
        household_serial: int,
        my_number: bool,
    ) -> None:
        self.code, self.today, self.my_number = code, today, my_number
        self.person_serial, self.household_serial = person_serial, household_serial
        self.my_number_offset = _stable(seed, code, "my_number") % 10**11
        self.resident_code_offset = _stable(seed, code, "resident_code") % 10**10
        self.households: list[Household] = []
        self.persons: list[Person] = []
        self.movements: list[Movement] = []
        self.versions: list[dict] = []
        self.subjects: list[MovementSubject] = []

    def add(self, plan: Plan) -> None:
        """Play the plan's events in order: movements, subjects and versions."""
        household = Household(
            id=new_id(),
            municipality_id=self.code,
            number=make_household_number(self.household_serial),
        )
        self.household_serial += 1
        state = _Playing(plan, household.id, random.Random(plan.key + ":notices"))
        for event in _events(plan):
            if event.reason in _ARRIVALS:
                subjects = [i for i in event.members if i < len(plan.members)]
            elif event.members:
                subjects = [i for i in event.members if i in state.present]
            else:
                subjects = sorted(state.present)
            if subjects:
                self._play(state, event, subjects)
        heads = sum(state.lines[i][-1]["is_head"] for i in state.present)
        if state.present and heads != 1:
            raise RuntimeError(f"demo household {plan.key} would have {heads} heads")
        household.created_at = min(line[0]["recorded_at"] for line in state.lines.values())
        self.households.append(household)
        for line in state.lines.values():
            self.versions.extend(line)

    def _play(self, state: _Playing, event: Event, subjects: list[int]) -> None:
        movement = self._movement(state.rng, event, state.last_recorded)
        state.last_recorded = movement.recorded_at
        household = state.household_id
        if event.reason in _ARRIVALS:
            for i in subjects:
                first = self._first(state.plan.members[i], household, movement, state.address)
                state.lines[i] = [first]
                state.present.add(i)
                self._subject(movement, first["person_id"], None, household)
            return
        if event.reason == Reason.MOVE_WITHIN:
            state.address = {k: event.changes[k] for k in state.address}
        leaving = event.reason in _DEPARTURES
        for i in subjects:
            _change(state.lines[i], movement, event.changes)
            self._subject(movement, state.person(i), household if leaving else None, None)
        if leaving:
            state.present.difference_update(subjects)
            if event.successor in state.present:  # the spouse left behind becomes 世帯主
                successor = event.successor
                _change(state.lines[successor], movement, {"is_head": True, "relationship": HEAD})
                self._subject(movement, state.person(successor), household, household)

    def _movement(
        self, rng: random.Random, event: Event, last_recorded: datetime | None
    ) -> Movement:
        least, most, limit = _NOTICE_DAYS[event.reason]
        delay = rng.randint(least, most)
        if limit is not None and most > 0 and rng.random() < P_LATE:
            delay = rng.randint(limit + 1, limit + 60)
        notified = date.fromordinal(min(event.on + delay, self.today.toordinal() - 1))
        recorded = datetime.combine(notified, clock(8, 30), TOKYO) + timedelta(
            minutes=rng.randint(0, 510)
        )
        if last_recorded is not None and recorded <= last_recorded:
            recorded = last_recorded + timedelta(minutes=rng.randint(5, 90))
        effective = date.fromordinal(event.on)
        movement = Movement(
            id=new_id(),
            municipality_id=self.code,
            reason=event.reason,
            category=_CATEGORY[event.reason],
            effective_on=effective,
            notified_on=notified,
            recorded_at=recorded,
            actor_kind=ACTOR.kind,
            actor_id=ACTOR.id,
            actor_label=ACTOR.label,
            late=limit is not None and (notified - effective).days > limit,
        )
        self.movements.append(movement)
        return movement

    def _first(self, member: Member, household, movement: Movement, address: dict) -> dict:
        """The first version of a person who arrives (or is born) with ``movement``."""
        serial = self.person_serial
        self.person_serial += 1
        person = Person(
            id=new_id(),
            municipality_id=self.code,
            number=make_resident_number(serial),
            created_at=movement.recorded_at,
        )
        self.persons.append(person)
        on = movement.effective_on
        row = dict(_BLANK)
        row.update(member.items)
        row.update(address)
        row.update(
            person_id=person.id,
            history_no=1,
            valid_from=on,
            valid_to=None,
            recorded_at=movement.recorded_at,
            superseded_at=None,
            movement_id=movement.id,
            reason=movement.reason,
            status=ResidentStatus.RESIDENT,
            household_id=household,
            relationship=member.relationship,
            is_head=member.is_head,
            became_resident_on=on,
            address_since=on,
            previous_address=member.previous_address,
        )
        if row["kind"] == ResidentKind.FOREIGN:
            row["became_foreign_resident_on"] = on
        row.update(name_keys(row))
        row.update(self._numbers(serial, member.leaves))
        return row

    def _numbers(self, serial: int, left: int | None) -> dict:
        """住民票コード and 個人番号 (sealed), unless the person left before they existed."""
        numbers = {}
        if left is None or left >= RESIDENT_CODE_SINCE:
            base = f"{(serial * _RESIDENT_CODE_FACTOR + self.resident_code_offset) % 10**10:010d}"
            numbers["resident_code"] = base + resident_record_code_check_digit(base)
        if self.my_number and (left is None or left >= MY_NUMBER_SINCE):
            base = f"{(serial * _MY_NUMBER_FACTOR + self.my_number_offset) % 10**11:011d}"
            cipher, index = seal_my_number(base + my_number_check_digit(base), self.code)
            numbers.update(my_number_cipher=cipher, my_number_index=index)
        return numbers

    def _subject(self, movement: Movement, person_id, before, after) -> None:
        self.subjects.append(
            MovementSubject(
                id=new_id(),
                municipality_id=self.code,
                movement_id=movement.id,
                person_id=person_id,
                household_before_id=before,
                household_after_id=after,
            )
        )

    def write(self) -> None:
        Household.objects.bulk_create(self.households, batch_size=1000)
        Person.objects.bulk_create(self.persons, batch_size=1000)
        Movement.objects.bulk_create(self.movements, batch_size=1000)
        versions = [
            PersonVersion(id=new_id(), municipality_id=self.code, **row) for row in self.versions
        ]
        PersonVersion.objects.bulk_create(versions, batch_size=500)
        MovementSubject.objects.bulk_create(self.subjects, batch_size=1000)


def _events(plan: Plan) -> list[Event]:
    """Arrivals (one movement per day and reason; one per birth) and the other events, in order."""
    groups: dict[tuple, list[int]] = {}
    for i, member in enumerate(plan.members):
        key = (member.arrival, member.reason, i if member.reason == Reason.BIRTH else -1)
        groups.setdefault(key, []).append(i)
    arrivals = [
        Event(on, reason, tuple(members), {}) for (on, reason, _), members in groups.items()
    ]
    ordered = [(e.on, 0, n, e) for n, e in enumerate(arrivals)]
    ordered += [(e.on, 1, n, e) for n, e in enumerate(plan.events)]
    return [e for *_, e in sorted(ordered, key=lambda item: item[:3])]


def _change(line: list[dict], movement: Movement, changes: dict) -> None:
    """What :func:`jichi.registry.timeline.rewrite` leaves for a change from the 異動日 on."""
    current = line[-1]
    on, recorded = movement.effective_on, movement.recorded_at
    current["superseded_at"] = recorded
    if current["valid_from"] < on:  # the part before the change, restated
        line.append(
            {
                **current,
                "history_no": len(line) + 1,
                "valid_to": on,
                "recorded_at": recorded,
                "superseded_at": None,
            }
        )
    new = {**current, **changes}
    new.update(
        history_no=len(line) + 1,
        valid_from=on,
        valid_to=None,
        recorded_at=recorded,
        superseded_at=None,
        movement_id=movement.id,
        reason=movement.reason,
    )
    if _NAME_FIELDS & changes.keys():
        new.update(name_keys(new))
    line.append(new)
