"""消除: 転出, 国外転出, 死亡, 職権消除, and what happens to the household left behind."""

from datetime import timedelta

import pytest
from django.conf import settings

from jichi.audit.models import AuditEntry
from jichi.linkage.models import OutboxEvent
from jichi.registry import selectors, services, timeline
from jichi.registry.codes import Reason, ResidentStatus
from jichi.registry.models import Household, Movement, MovementSubject, PersonVersion
from jichi.registry.schemas import (
    AddressIn,
    BirthIn,
    CorrectionIn,
    DeathIn,
    DepartureIn,
    RelocationIn,
)
from jichi.registry.selectors import SearchQuery
from jichi.tenancy.context import tenant_scope
from tests.registry.people import days_ago, family, person, record, refusal, today

DESTINATION = "東京都千代田区千代田1番1号"


def departure(*people, effective_on=None, notified_on=None, **extra) -> DepartureIn:
    values = dict(destination_address=DESTINATION)
    values.update(extra)
    return DepartureIn(
        effective_on=effective_on or days_ago(5),
        notified_on=notified_on,
        persons=[p.number for p in people],
        **values,
    )


def death(who, effective_on, notified_on=None) -> DeathIn:
    return DeathIn(effective_on=effective_on, notified_on=notified_on, person=who.number)


def on(municipality, who, day):
    with tenant_scope(municipality.code):
        return selectors.person_on(who, on=day)


def snapshot(municipality) -> dict:
    """Row counts of everything a movement writes."""
    with tenant_scope(municipality.code):
        return {
            "movements": Movement.objects.count(),
            "subjects": MovementSubject.objects.count(),
            "versions": PersonVersion.objects.count(),
            "superseded": PersonVersion.objects.filter(superseded_at__isnull=False).count(),
            "households": Household.objects.count(),
            "audit": AuditEntry.objects.count(),
            "events": OutboxEvent.objects.count(),
        }


# --- 転出 --------------------------------------------------------------------------


def test_move_out_makes_the_persons_moved_out_from_the_effective_date(yokohama):
    _, people = family(yokohama)
    moved_on = days_ago(5)

    movement = record(yokohama, services.record_move_out, departure(*people, effective_on=moved_on))

    assert movement.reason == Reason.MOVE_OUT and movement.category == "remove"
    for who in people:
        after = on(yokohama, who, moved_on)
        assert after.status == ResidentStatus.MOVED_OUT
        assert after.destination_address == DESTINATION
        assert after.planned_move_out_on == moved_on
        assert after.movement_id == movement.id
        before = on(yokohama, who, moved_on - timedelta(days=1))
        assert before.status == ResidentStatus.RESIDENT and before.destination_address == ""
    with tenant_scope(yokohama.code):
        subjects = list(MovementSubject.objects.filter(movement=movement))
    assert len(subjects) == 3 and all(s.household_after_id is None for s in subjects)


def test_move_out_may_be_dated_up_to_the_advance_days_ahead(yokohama):
    _, people = family(yokohama)
    planned = today() + timedelta(days=settings.JICHI_MOVE_OUT_ADVANCE_DAYS)

    record(yokohama, services.record_move_out, departure(*people, effective_on=planned))

    assert on(yokohama, people[0], today()).status == ResidentStatus.RESIDENT
    assert on(yokohama, people[0], planned - timedelta(days=1)).status == ResidentStatus.RESIDENT
    assert on(yokohama, people[0], planned).status == ResidentStatus.MOVED_OUT


def test_move_out_beyond_the_advance_days_is_refused(yokohama):
    _, people = family(yokohama)
    too_far = today() + timedelta(days=settings.JICHI_MOVE_OUT_ADVANCE_DAYS + 1)

    error = refusal(yokohama, services.record_move_out, departure(*people, effective_on=too_far))

    assert (error.code, error.field) == ("effective_on.future", "effective_on")


def test_move_out_abroad_makes_the_persons_moved_out(yokohama):
    _, people = family(yokohama)

    movement = record(
        yokohama,
        services.record_move_out_abroad,
        departure(*people, effective_on=days_ago(3), destination_address="アメリカ合衆国"),
    )

    assert movement.reason == Reason.MOVE_OUT_ABROAD
    after = on(yokohama, people[1], days_ago(3))
    assert after.status == ResidentStatus.MOVED_OUT
    assert after.destination_address == "アメリカ合衆国"
    assert on(yokohama, people[1], days_ago(4)).status == ResidentStatus.RESIDENT


# --- 死亡 --------------------------------------------------------------------------


def test_death_makes_the_person_deceased_from_the_date_of_death(yokohama):
    _, (_head, wife, child) = family(yokohama)

    movement = record(yokohama, services.record_death, death(child, days_ago(4)))

    assert movement.reason == Reason.DEATH and movement.late is False
    assert on(yokohama, child, days_ago(4)).status == ResidentStatus.DECEASED
    assert on(yokohama, child, days_ago(5)).status == ResidentStatus.RESIDENT
    assert on(yokohama, wife, days_ago(4)).status == ResidentStatus.RESIDENT


def test_death_notified_after_seven_days_is_flagged_late(yokohama):
    _, (_head, wife, child) = family(yokohama)

    late = record(yokohama, services.record_death, death(wife, days_ago(8), today()))
    in_time = record(yokohama, services.record_death, death(child, days_ago(7), today()))

    assert late.late is True
    assert in_time.late is False


def test_death_before_birth_is_refused(yokohama):
    _, (_head, _wife, child) = family(yokohama)
    # A birth date recorded after the start of the child's record: a date of death
    # between the two is in order for the timeline, and before the birth.
    record(
        yokohama,
        services.record_correction,
        CorrectionIn(
            person=child.number,
            valid_from=days_ago(30),
            changes={"birth_date": days_ago(3).isoformat()},
            note="生年月日の誤記",
        ),
    )

    error = refusal(yokohama, services.record_death, death(child, days_ago(4)))

    assert (error.code, error.field) == ("effective_on.before_birth", "effective_on")


def test_death_of_a_newborn_dated_before_the_birth_is_refused_as_before_birth(yokohama):
    _, (head, _wife, _child) = family(yokohama)
    born = days_ago(3)
    with tenant_scope(yokohama.code):
        household = timeline.latest(head).household.number
    baby = record(
        yokohama,
        services.record_birth,
        BirthIn(
            effective_on=born,
            household=household,
            child=person(
                given_name="二郎",
                given_name_kana="ジロウ",
                relationship="子",
                birth_date=born.isoformat(),
            ),
        ),
    )
    with tenant_scope(yokohama.code):
        newborn = MovementSubject.objects.select_related("person").get(movement=baby).person

    error = refusal(yokohama, services.record_death, death(newborn, born - timedelta(days=1)))

    assert (error.code, error.field) == ("effective_on.before_birth", "effective_on")


# --- 職権消除 ------------------------------------------------------------------------


@pytest.mark.parametrize("note", ["", "   "])
def test_removal_by_authority_without_a_note_is_refused(yokohama, note):
    _, people = family(yokohama)

    error = refusal(
        yokohama,
        services.remove_by_authority,
        departure(*people, destination_address="", note=note),
    )

    assert (error.code, error.field) == ("note.required", "note")


def test_removal_by_authority_removes_the_persons_and_is_never_late(yokohama):
    _, people = family(yokohama)
    notice = departure(
        *people,
        effective_on=days_ago(29),
        notified_on=today(),
        destination_address="",
        note="実態調査の結果、居住の事実なし",
    )

    movement = record(yokohama, services.remove_by_authority, notice)

    assert movement.reason == Reason.REMOVE_EX_OFFICIO and movement.late is False
    assert movement.note == "実態調査の結果、居住の事実なし"
    assert all(on(yokohama, p, days_ago(29)).status == ResidentStatus.REMOVED for p in people)


# --- who may move ------------------------------------------------------------------


def test_relocation_after_move_out_is_refused_as_not_a_resident(yokohama):
    _, people = family(yokohama)
    record(yokohama, services.record_move_out, departure(*people, effective_on=days_ago(10)))

    error = refusal(
        yokohama,
        services.record_relocation,
        RelocationIn(
            effective_on=days_ago(5),
            persons=[p.number for p in people],
            address=AddressIn(town="中区山下町", block="2番"),
        ),
    )

    assert (error.code, error.field, error.status) == ("person.not_resident", "persons.0", 409)


def test_head_leaving_with_one_member_remaining_makes_that_member_head(yokohama):
    _, (head, wife, child) = family(yokohama)

    movement = record(
        yokohama, services.record_move_out, departure(head, child, effective_on=days_ago(5))
    )

    remaining = on(yokohama, wife, days_ago(5))
    assert remaining.is_head and remaining.relationship == "世帯主"
    assert remaining.movement_id == movement.id
    assert remaining.status == ResidentStatus.RESIDENT
    before = on(yokohama, wife, days_ago(6))
    assert not before.is_head and before.relationship == "妻"
    assert remaining.household_id == before.household_id
    with tenant_scope(yokohama.code):
        subject = MovementSubject.objects.get(movement=movement, person=wife)
        members = selectors.household_members(remaining.household, on=days_ago(5))
    assert subject.household_before_id == subject.household_after_id == before.household_id
    assert [m.person_id for m in members] == [wife.id]


def test_head_leaving_with_two_or_more_remaining_is_refused(yokohama):
    _, (head, _wife, _child) = family(yokohama)

    error = refusal(yokohama, services.record_move_out, departure(head))

    assert (error.code, error.field, error.status) == ("household.head_leaving", "persons", 409)


def test_movement_dated_before_the_latest_version_is_refused(yokohama):
    _, people = family(yokohama)
    record(
        yokohama,
        services.record_relocation,
        RelocationIn(
            effective_on=days_ago(10),
            persons=[p.number for p in people],
            address=AddressIn(town="中区山下町", block="2番"),
        ),
    )

    error = refusal(
        yokohama, services.record_move_out, departure(*people, effective_on=days_ago(15))
    )

    assert (error.code, error.field, error.status) == ("movement.out_of_order", "effective_on", 409)


def test_movement_dated_before_the_person_was_recorded_is_refused(yokohama):
    _, people = family(yokohama)

    error = refusal(
        yokohama, services.record_move_out, departure(*people, effective_on=days_ago(31))
    )

    assert (error.code, error.field) == ("movement.out_of_order", "effective_on")


def test_the_same_person_twice_is_refused(yokohama):
    _, (_head, _wife, child) = family(yokohama)

    error = refusal(yokohama, services.record_move_out, departure(child, child))

    assert (error.code, error.field) == ("persons.duplicate", "persons")


def test_refused_removals_change_nothing(yokohama):
    _, (head, wife, child) = family(yokohama)
    before = snapshot(yokohama)
    refused = [
        (services.record_move_out, departure(head)),  # household.head_leaving
        (services.record_move_out, departure(head, wife, child, effective_on=days_ago(31))),
        (services.record_move_out, departure(child, effective_on=today() + timedelta(days=99))),
        (services.record_death, death(wife, days_ago(2), notified_on=today() + timedelta(days=1))),
        (services.remove_by_authority, departure(child, note="")),
    ]

    for service, notice in refused:
        refusal(yokohama, service, notice)

    assert snapshot(yokohama) == before
    assert all(on(yokohama, p, today()).status == ResidentStatus.RESIDENT for p in (head, wife))


# --- 除票 ---------------------------------------------------------------------------


def test_removed_records_are_found_only_when_removed_ones_are_asked_for(yokohama):
    _, people = family(yokohama)
    record(yokohama, services.record_move_out, departure(*people, effective_on=days_ago(5)))

    with tenant_scope(yokohama.code):
        residents = list(
            selectors.search(SearchQuery(name="ヤマダ"), municipality_code=yokohama.code)
        )
        removed = list(
            selectors.search(
                SearchQuery(name="ヤマダ", include_removed=True), municipality_code=yokohama.code
            )
        )
        before_leaving = list(
            selectors.search(
                SearchQuery(name="ヤマダ", on=days_ago(6)), municipality_code=yokohama.code
            )
        )

    assert residents == []
    assert {v.person_id for v in removed} == {p.id for p in people}
    assert all(v.status == ResidentStatus.MOVED_OUT for v in removed)
    assert len(before_leaving) == 3


def test_death_of_someone_already_dead_names_the_person_field(yokohama):
    _, (_head, _wife, child) = family(yokohama)
    record(yokohama, services.record_death, death(child, days_ago(4)))
    error = refusal(yokohama, services.record_death, death(child, days_ago(2)))
    assert (error.code, error.field, error.status) == ("person.not_resident", "person", 409)
