"""記載: 転入, 国外転入, 出生, 職権記載 and their rules."""

from datetime import timedelta

import pytest

from jichi.audit.models import AuditEntry
from jichi.common.errors import RuleViolation
from jichi.linkage.models import OutboxEvent
from jichi.registry import services, timeline
from jichi.registry.codes import Reason, ResidentStatus
from jichi.registry.models import Movement, Person, PersonVersion
from jichi.registry.schemas import BirthIn
from jichi.tenancy.context import tenant_scope
from tests.factories import SYSTEM
from tests.registry.people import arrival, days_ago, family, foreigner, person, today


def move_in(municipality, notice):
    with tenant_scope(municipality.code):
        return services.record_move_in(municipality=municipality, actor=SYSTEM, notice=notice)


def refusal(municipality, notice, service=services.record_move_in):
    with tenant_scope(municipality.code), pytest.raises(RuleViolation) as caught:
        service(municipality=municipality, actor=SYSTEM, notice=notice)
    return caught.value


def test_move_in_records_household_persons_audit_and_events(yokohama):
    movement, people = family(yokohama)
    with tenant_scope(yokohama.code):
        assert movement.reason == Reason.MOVE_IN and movement.category == "record"
        versions = [timeline.latest(p) for p in people]
        assert {v.household_id for v in versions} == {versions[0].household_id}
        assert sum(v.is_head for v in versions) == 1
        assert all(v.status == ResidentStatus.RESIDENT for v in versions)
        assert versions[0].town_name == "中区元町" and len(versions[0].town_code) == 11
        assert (
            AuditEntry.objects.filter(
                action="registry.movement.11", object_id=str(movement.id)
            ).count()
            == 1
        )
        events = OutboxEvent.objects.filter(type="jp.jichi.registry.person.registered")
        assert events.count() == 3
        assert all("山田" not in str(e.data) for e in events)


def test_resident_numbers_carry_a_check_digit(yokohama):
    from jichi.common.checkdigits import validate_household_number, validate_resident_number

    _, people = family(yokohama)
    with tenant_scope(yokohama.code):
        for p in people:
            validate_resident_number(p.number)
            validate_household_number(timeline.latest(p).household.number)


def test_late_move_in_is_accepted_and_flagged(yokohama):
    movement = move_in(yokohama, arrival(effective_on=days_ago(40), notified_on=days_ago(10)))
    assert movement.late is True
    on_time = move_in(
        yokohama,
        arrival(
            person(given_name="次郎", given_name_kana="ジロウ"),
            effective_on=days_ago(20),
            notified_on=days_ago(10),
        ),
    )
    assert on_time.late is False


def test_future_effective_date_is_refused(yokohama):
    error = refusal(yokohama, arrival(effective_on=today() + timedelta(days=1)))
    assert (error.code, error.field) == ("effective_on.future", "effective_on")


def test_notification_before_moving_in_is_refused(yokohama):
    error = refusal(yokohama, arrival(effective_on=days_ago(5), notified_on=days_ago(6)))
    assert error.code == "notified_on.before_move"


def test_new_household_without_a_head_is_refused(yokohama):
    error = refusal(yokohama, arrival(person(relationship="妻")))
    assert error.code == "household.head_count"


def test_new_household_with_two_heads_is_refused(yokohama):
    error = refusal(
        yokohama, arrival(person(), person(given_name="次郎", given_name_kana="ジロウ"))
    )
    assert error.code == "household.head_count"


def test_relationship_outside_the_vocabulary_is_refused(yokohama):
    error = refusal(
        yokohama,
        arrival(person(), person(given_name="次郎", given_name_kana="ジロウ", relationship="孫")),
    )
    assert (error.code, error.field) == ("relationship.vocabulary", "persons.1.relationship")


def test_kana_field_with_non_kana_is_refused(yokohama):
    error = refusal(yokohama, arrival(person(given_name_kana="たろう1")))
    assert error.field == "persons.0.given_name_kana"
    assert error.code == "given_name_kana.katakana_only"


def test_all_field_errors_are_reported_together(yokohama):
    error = refusal(
        yokohama, arrival(person(given_name_kana="x", birth_date="2月30日", relationship="孫"))
    )
    fields = {e.field for e in error.errors}
    assert {"persons.0.given_name_kana", "persons.0.birth_date", "persons.0.relationship"} <= fields


def test_foreign_resident_without_residence_status_is_refused(yokohama):
    error = refusal(yokohama, arrival(foreigner(residence_status="")))
    assert "residence_status.required" in error.code


def test_foreign_resident_is_recorded(yokohama):
    movement = move_in(yokohama, arrival(foreigner()))
    with tenant_scope(yokohama.code):
        version = PersonVersion.objects.get(movement=movement)
    assert version.kind == "2" and version.residence_card_no == "AB12345678CD"
    assert version.became_foreign_resident_on == movement.effective_on


def test_japanese_resident_needs_a_domicile(yokohama):
    error = refusal(yokohama, arrival(person(domicile="")))
    assert (error.code, error.field) == ("domicile.required", "persons.0.domicile")


def test_duplicate_registration_is_refused(yokohama):
    move_in(yokohama, arrival())
    error = refusal(yokohama, arrival(effective_on=days_ago(3), notified_on=days_ago(2)))
    assert error.code == "person.duplicate" and error.status == 409


def test_unknown_town_is_refused(yokohama):
    error = refusal(yokohama, arrival(town="存在しない町"))
    assert (error.code, error.field) == ("town.unknown", "address.town")


def test_invalid_my_number_is_refused_and_a_valid_one_is_stored_encrypted(yokohama):
    error = refusal(yokohama, arrival(person(my_number="123456789012")))
    assert error.field == "persons.0.my_number"
    movement = move_in(yokohama, arrival(person(my_number="1234 5678 9018")))
    with tenant_scope(yokohama.code):
        version = PersonVersion.objects.get(movement=movement)
    assert b"123456789018" not in bytes(version.my_number_cipher)
    assert len(version.my_number_index) == 64


def test_refused_move_in_changes_nothing(yokohama):
    refusal(yokohama, arrival(person(), person(given_name="次郎", given_name_kana="ジロウ")))
    with tenant_scope(yokohama.code):
        assert not Person.objects.exists() and not Movement.objects.exists()


def test_joining_an_existing_household_takes_its_address(yokohama):
    _, people = family(yokohama)
    with tenant_scope(yokohama.code):
        household = timeline.latest(people[0]).household.number
    movement = move_in(
        yokohama,
        arrival(
            person(
                given_name="祖母",
                given_name_kana="ソボ",
                relationship="父の母",
                sex="2",
                birth_date="1950-01-01",
            ),
            household=household,
            town="西区みなとみらい",
        ),
    )
    with tenant_scope(yokohama.code):
        version = PersonVersion.objects.select_related("household").get(movement=movement)
    assert version.town_name == "中区元町" and version.household.number == household


def test_birth_joins_the_household(yokohama):
    _, people = family(yokohama)
    born = days_ago(3)
    with tenant_scope(yokohama.code):
        household = timeline.latest(people[0]).household.number
        movement = services.record_birth(
            municipality=yokohama,
            actor=SYSTEM,
            notice=BirthIn(
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
        version = PersonVersion.objects.select_related("household").get(movement=movement)
    assert version.household.number == household and version.became_resident_on == born


def test_birth_date_must_be_the_effective_date(yokohama):
    _, people = family(yokohama)
    with tenant_scope(yokohama.code):
        household = timeline.latest(people[0]).household.number
    notice = BirthIn(
        effective_on=days_ago(3),
        household=household,
        child=person(
            given_name="二郎",
            given_name_kana="ジロウ",
            relationship="子",
            birth_date=days_ago(4).isoformat(),
        ),
    )
    error = refusal(yokohama, notice, services.record_birth)
    assert (error.code, error.field) == ("birth_date.mismatch", "child.birth_date")


def test_residence_card_number_is_normalised_before_it_is_checked(yokohama):
    movement = move_in(yokohama, arrival(foreigner(residence_card_no="ab 1234-5678 cd")))
    with tenant_scope(yokohama.code):
        assert PersonVersion.objects.get(movement=movement).residence_card_no == "AB12345678CD"


def test_record_by_authority_may_precede_any_notification_and_is_never_late(yokohama):
    notice = arrival(person(), effective_on=days_ago(90), notified_on=days_ago(100))
    with tenant_scope(yokohama.code):
        movement = services.record_by_authority(municipality=yokohama, actor=SYSTEM, notice=notice)
        version = PersonVersion.objects.get(movement=movement)
        assert movement.reason == Reason.RECORD_EX_OFFICIO == version.reason == "14"
        assert movement.category == "record" and movement.late is False
        assert version.became_resident_on == days_ago(90)
        assert AuditEntry.objects.filter(action="registry.movement.14").count() == 1
        assert OutboxEvent.objects.filter(type="jp.jichi.registry.person.registered").count() == 1


def test_a_move_in_notified_before_the_move_is_refused_but_not_for_authority(yokohama):
    early = arrival(person(), effective_on=days_ago(10), notified_on=days_ago(12))
    error = refusal(yokohama, early)
    assert (error.code, error.field) == ("notified_on.before_move", "notified_on")
    with tenant_scope(yokohama.code):
        services.record_by_authority(municipality=yokohama, actor=SYSTEM, notice=early)
        assert Person.objects.count() == 1


def test_move_in_from_abroad_is_recorded_with_its_reason_and_flagged_when_late(yokohama):
    notice = arrival(person(), effective_on=days_ago(40), notified_on=days_ago(2)).model_copy(
        update={"previous_address": "アメリカ合衆国"}
    )
    with tenant_scope(yokohama.code):
        movement = services.record_move_in_from_abroad(
            municipality=yokohama, actor=SYSTEM, notice=notice
        )
        version = PersonVersion.objects.get(movement=movement)
    assert movement.reason == Reason.MOVE_IN_FROM_ABROAD == version.reason
    assert movement.late is True
    assert version.previous_address == "アメリカ合衆国"
