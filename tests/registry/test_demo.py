"""The synthetic demo population (``jichi demo --residents N``): counts, households, ages,
foreign residents, kana, history, numbers, statistics, determinism and idempotence."""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jichi.audit.models import AuditEntry
from jichi.common.checkdigits import validate_my_number, validate_resident_record_code
from jichi.common.kana import validate_katakana_name
from jichi.common.secrets import open_my_number
from jichi.registry import selectors, services
from jichi.registry.codes import (
    RESIDENCE_CARD_NO_RE,
    Article30_45,
    Reason,
    ResidentKind,
    ResidentStatus,
    validate_foreign_items,
)
from jichi.registry.demo import DemoError, demo_state, generate_population
from jichi.registry.models import (
    CURRENT,
    Household,
    Movement,
    MovementSubject,
    NumberSequence,
    Person,
    PersonVersion,
)
from jichi.registry.relationships import validate_relationship
from jichi.registry.selectors import years_before
from jichi.tenancy.context import tenant_scope
from tests.factories import SYSTEM
from tests.registry import people

N = 200
SEED = 7


@pytest.fixture
def demo(yokohama):
    """Yokohama with a demo population of N residents (seed SEED)."""
    return generate_population("141003", N, seed=SEED, batch_size=60)


def current(on: date | None = None):
    return selectors.versions_on(on or timezone.localdate()).select_related("person")


def residents():
    return current().filter(status=ResidentStatus.RESIDENT)


def first_versions() -> list[tuple]:
    """Name, reading, birth date and sex of every person, in the order of 宛名番号."""
    return list(
        PersonVersion.objects.filter(history_no=1)
        .order_by("person__number")
        .values_list(
            "family_name", "given_name", "family_name_kana", "name_alphabet", "birth_date", "sex"
        )
    )


def test_the_population_has_n_residents_and_some_removed_records(demo):
    with tenant_scope("141003"):
        assert residents().count() == N
        persons = Person.objects.count()
        assert persons == demo.persons
        removed = current().exclude(status=ResidentStatus.RESIDENT)
        assert removed.count() == persons - N > 0
        assert {v.status for v in removed} <= {ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED}
        assert Household.objects.count() == demo.households
        assert PersonVersion.objects.count() == demo.versions
        assert Movement.objects.count() == demo.movements
        assert MovementSubject.objects.count() == demo.subjects
    assert demo.residents == N and demo.residents_before == 0


def test_every_household_with_residents_has_exactly_one_head(demo):
    with tenant_scope("141003"):
        sizes = []
        for household in Household.objects.all():
            members = selectors.household_members(household)
            if members:
                assert sum(m.is_head for m in members) == 1, household.number
                assert members[0].relationship == "世帯主"
                assert len({(m.town_code, m.block, m.building) for m in members}) == 1
                sizes.append(len(members))
                for member in members:
                    assert validate_relationship(member.relationship) == member.relationship
        assert 1 in sizes and max(sizes) >= 3
        assert 1.8 < sum(sizes) / len(sizes) < 2.8


def test_children_are_20_to_45_years_younger_than_their_parents(demo):
    with tenant_scope("141003"):
        checked = 0
        for household in Household.objects.all():
            members = selectors.household_members(household)
            heads = [m for m in members if m.is_head]
            if not heads:
                continue
            head = heads[0]
            partners = [head] + [m for m in members if m.relationship in ("妻", "夫")]
            for member in members:
                if member.relationship == "子":
                    for parent in partners:
                        assert years_before(member.birth_date, 45) <= parent.birth_date
                        assert parent.birth_date <= years_before(member.birth_date, 20)
                    checked += 1
                if member.relationship in ("父", "母"):
                    assert member.birth_date <= years_before(head.birth_date, 20)
        assert checked > 10


def test_ages_spread_like_japans_more_middle_aged_than_young(demo):
    today = timezone.localdate()
    with tenant_scope("141003"):
        births = list(residents().values_list("birth_date", flat=True))
    ages = [(today - born).days // 365 for born in births]
    assert 0 <= min(ages) and max(ages) < 105
    young = sum(a < 15 for a in ages)
    middle = sum(45 <= a < 75 for a in ages)
    old = sum(a >= 65 for a in ages)
    assert middle > 1.5 * young  # Japan: 39 % against 12 %; 200 people in households vary
    assert 0.15 < old / len(ages) < 0.45


def test_some_residents_are_foreign_with_valid_residence_items(demo):
    today = timezone.localdate()
    with tenant_scope("141003"):
        foreign = list(current().filter(kind=ResidentKind.FOREIGN))
    assert foreign
    for version in foreign:
        assert version.name_alphabet == version.name_alphabet.upper()
        assert version.nationality
        assert not version.domicile
        if version.article_30_45 == Article30_45.TRANSITIONAL_BY_BIRTH:
            continue
        items = {
            "residence_status": version.residence_status,
            "residence_period": version.residence_period,
            "residence_expiry": version.residence_expiry,
            "residence_card_no": version.residence_card_no,
        }
        validate_foreign_items(version.article_30_45, items)
        assert RESIDENCE_CARD_NO_RE.fullmatch(version.residence_card_no)
        if version.residence_expiry is not None and version.status == ResidentStatus.RESIDENT:
            assert version.residence_expiry > today


def test_japanese_residents_have_readings_domicile_and_its_head(demo):
    with tenant_scope("141003"):
        versions = list(PersonVersion.objects.all())
    japanese = [v for v in versions if v.kind == ResidentKind.JAPANESE]
    assert japanese
    for version in japanese:
        assert version.family_name and version.given_name
        assert validate_katakana_name(version.family_name_kana) == version.family_name_kana
        assert validate_katakana_name(version.given_name_kana) == version.given_name_kana
        assert version.domicile.endswith("番地") and version.domicile_head
    for version in versions:
        for field in ("family_name_kana", "given_name_kana", "alias_kana", "former_surname_kana"):
            value = getattr(version, field)
            if value:
                assert validate_katakana_name(value, field) == value


def test_addresses_are_real_towns_of_the_municipality(demo):
    from jichi.registry.towns import find_town

    with tenant_scope("141003"):
        versions = list(residents())
    for version in versions:
        town = find_town("141003", version.town_code)
        assert town is not None and f"{town.ward_name}{town.name}" == version.town_name
        assert version.postal_code == town.postal_code
        assert "番" in version.block


def test_every_timeline_is_gapless_and_starts_with_an_arrival(demo):
    arrivals = {Reason.MOVE_IN, Reason.MOVE_IN_FROM_ABROAD, Reason.BIRTH, Reason.RECORD_EX_OFFICIO}
    with tenant_scope("141003"):
        for person in Person.objects.all():
            periods = selectors.timeline(person)
            assert periods[0].reason in arrivals
            assert periods[0].valid_from == periods[0].became_resident_on
            assert periods[-1].valid_to is None
            for before, after in itertools.pairwise(periods):
                assert before.valid_to == after.valid_from
                assert before.recorded_at <= after.recorded_at
            history = selectors.history(person)
            assert [v.history_no for v in history] == list(range(1, len(history) + 1))


def test_history_reads_as_recorded_before_a_move_within(demo):
    with tenant_scope("141003"):
        moved = PersonVersion.objects.filter(CURRENT, reason=Reason.MOVE_WITHIN).first()
        assert moved is not None
        person = moved.person
        before = moved.movement.recorded_at - timedelta(seconds=1)
        then = selectors.timeline(person, recorded_at=before)
        now = selectors.timeline(person)
    address = ("town_code", "block", "building")
    assert then[-1].valid_to is None
    assert [getattr(then[-1], f) for f in address] != [getattr(moved, f) for f in address]
    assert len(now) == len(then) + 1
    assert now[-1].valid_from == moved.movement.effective_on


def test_movements_have_subjects_and_departures_close_the_record(demo):
    with tenant_scope("141003"):
        for movement in Movement.objects.all():
            assert movement.subjects.exists()
            assert movement.actor_kind == "system" and movement.actor_id == "demo"
            assert movement.notified_on is not None
        reasons = set(Movement.objects.values_list("reason", flat=True))
        assert {Reason.MOVE_IN, Reason.BIRTH, Reason.MOVE_WITHIN} <= reasons
        dead = PersonVersion.objects.filter(CURRENT, status=ResidentStatus.DECEASED)
        gone = PersonVersion.objects.filter(CURRENT, status=ResidentStatus.MOVED_OUT)
        assert dead.exists() or gone.exists()
        for version in gone:
            assert version.destination_address and version.planned_move_out_on


def test_numbers_are_valid_and_unique_and_services_number_on(demo):
    with tenant_scope("141003"):
        versions = list(current())
        for version in versions:
            validate_resident_record_code(version.resident_code)
            if version.status == ResidentStatus.RESIDENT:
                number = open_my_number(version.my_number_cipher, "141003")
                assert validate_my_number(number) == number
        indexes = [v.my_number_index for v in versions if v.my_number_index]
        assert len(set(indexes)) == len(indexes)
        codes = [v.resident_code for v in versions]
        assert len(set(codes)) == len(codes)
        last = NumberSequence.objects.get(name="resident").last
        assert last == Person.objects.count()
        services.record_move_in(
            municipality=demo_municipality(), actor=SYSTEM, notice=people.arrival()
        )
        newest = Person.objects.order_by("-number").first()
        assert int(newest.number[:9]) == last + 1


def demo_municipality():
    from jichi.tenancy.models import Municipality

    return Municipality.objects.get(code="141003")


def test_statistics_count_every_resident(demo):
    with tenant_scope("141003"):
        stats = selectors.population(timezone.localdate())
    assert sum(stats["cells"].values()) == N
    assert sum(stats["by_kind"].values()) == N
    assert stats["by_kind"].get(ResidentKind.FOREIGN, 0) > 0


def test_one_audit_entry_for_the_whole_generation(demo):
    with tenant_scope("141003"):
        entries = AuditEntry.objects.filter(action="registry.demo.generated")
        assert entries.count() == 1
        details = entries.get().details
        assert not AuditEntry.objects.filter(action__startswith="registry.movement.").exists()
    assert details["persons"] == demo.persons and details["seed"] == SEED


def test_the_same_seed_gives_the_same_people_in_another_municipality(demo, kawasaki):
    with tenant_scope("141003"):
        yokohama = first_versions()
        yokohama_towns = set(PersonVersion.objects.values_list("town_code", flat=True))
    generate_population("141305", N, seed=SEED)
    with tenant_scope("141305"):
        assert first_versions() == yokohama
        assert not yokohama_towns & set(PersonVersion.objects.values_list("town_code", flat=True))


def test_another_seed_gives_other_people(demo, kawasaki):
    with tenant_scope("141003"):
        yokohama = first_versions()
    generate_population("141305", N, seed=SEED + 1)
    with tenant_scope("141305"):
        assert first_versions()[:20] != yokohama[:20]


def test_running_again_adds_nothing_and_a_larger_n_tops_up(demo):
    again = generate_population("141003", N, seed=SEED)
    assert again.persons == 0 and again.residents == N
    with tenant_scope("141003"):
        assert residents().count() == N
    more = generate_population("141003", N + 50, seed=SEED)
    assert more.residents_before == N and more.residents == N + 50 and more.persons >= 50
    with tenant_scope("141003"):
        assert residents().count() == N + 50
        assert Person.objects.count() == demo.persons + more.persons
    assert demo_state("141003").residents == N + 50
    with tenant_scope("141003"):
        assert AuditEntry.objects.filter(action="registry.demo.generated").count() == 2


def test_another_seed_on_a_populated_municipality_is_refused(demo):
    with pytest.raises(DemoError, match="seed 7"):
        generate_population("141003", N, seed=SEED + 1)


def test_an_interrupted_run_resumes_with_the_same_people(yokohama, kawasaki):
    class Stop(Exception):
        pass

    def stop(done, total):
        if done:  # after the first batch has committed
            raise Stop

    with pytest.raises(Stop):
        generate_population("141003", N, seed=SEED, batch_size=60, progress=stop)
    partial = demo_state("141003").residents
    assert 60 <= partial < N
    generate_population("141003", N, seed=SEED, batch_size=60)
    generate_population("141305", N, seed=SEED, batch_size=60)
    with tenant_scope("141003"):
        assert residents().count() == N
        resumed = first_versions()
    with tenant_scope("141305"):
        assert first_versions() == resumed


def test_my_numbers_can_be_left_out(yokohama):
    generate_population("141003", 30, seed=SEED, with_my_number=False)
    with tenant_scope("141003"):
        assert not PersonVersion.objects.exclude(my_number_index="").exists()
        assert not PersonVersion.objects.filter(resident_code="").exists()


def test_the_demo_command_generates_and_summarises(db, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo", municipality="141003", residents=120, seed=3, stdout=out)
    text = out.getvalue()
    assert "Synthetic population: 120 residents (seed 3" in text
    assert "persons/s" in text and "rows/s" in text
    out = io.StringIO()
    call_command("demo", municipality="141003", residents=120, seed=3, stdout=out)
    assert "nothing added" in out.getvalue()
    with tenant_scope("141003"):
        assert residents().count() == 120
