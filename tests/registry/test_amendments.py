"""修正: 転居, 世帯分離・合併, 世帯主変更, 氏名, 続柄, 本籍, 旧氏, 通称, 在留資格."""

from datetime import timedelta

from jichi.registry import selectors, services, timeline
from jichi.registry.codes import Reason
from jichi.registry.models import Household, Movement, MovementSubject, PersonVersion
from jichi.registry.schemas import (
    AddressIn,
    AliasIn,
    DomicileChangeIn,
    FormerSurnameIn,
    HeadChangeIn,
    HouseholdMergeIn,
    HouseholdSplitIn,
    NameChangeIn,
    RelationshipChangeIn,
    RelocationIn,
    ResidenceStatusChangeIn,
)
from jichi.registry.selectors import SearchQuery
from jichi.tenancy.context import tenant_scope
from tests.registry.people import (
    arrival,
    days_ago,
    family,
    foreigner,
    person,
    record,
    refusal,
    today,
)

NEW_TOWN = "中区山下町"


def newcomer(municipality, who, **kwargs):
    """One person moved in 30 days ago (a household of their own unless told)."""
    movement = record(municipality, services.record_move_in, arrival(who, **kwargs))
    with tenant_scope(municipality.code):
        return MovementSubject.objects.select_related("person").get(movement=movement).person


def lodger(municipality, **kwargs):
    return newcomer(
        municipality,
        person(
            family_name="佐藤",
            given_name="次郎",
            family_name_kana="サトウ",
            given_name_kana="ジロウ",
            birth_date="1975-01-01",
        ),
        **kwargs,
    )


def on(municipality, who, day):
    with tenant_scope(municipality.code):
        return selectors.person_on(who, on=day)


def household_of(municipality, who, day=None):
    return on(municipality, who, day or today()).household


def members(municipality, household, day=None):
    with tenant_scope(municipality.code):
        return selectors.household_members(household, on=day or today())


def found_by_name(municipality, name, day=None):
    with tenant_scope(municipality.code):
        query = SearchQuery(name=name, on=day)
        return {v.person_id for v in selectors.search(query, municipality_code=municipality.code)}


def numbers(*people):
    return [p.number for p in people]


# --- 転居 --------------------------------------------------------------------------


def test_relocation_of_the_whole_household_changes_the_address_from_the_effective_date(
    yokohama,
):
    _, people = family(yokohama)
    household = household_of(yokohama, people[0])
    moved_on = days_ago(10)

    movement = record(
        yokohama,
        services.record_relocation,
        RelocationIn(
            effective_on=moved_on,
            persons=numbers(*people),
            address=AddressIn(town=NEW_TOWN, block="2番", building="山下ハイツ201"),
        ),
    )

    assert movement.reason == Reason.MOVE_WITHIN
    for who in people:
        after = on(yokohama, who, moved_on)
        assert after.town_name == NEW_TOWN and after.block == "2番"
        assert after.building == "山下ハイツ201" and after.postal_code == "2310023"
        assert after.address_since == moved_on
        assert after.household_id == household.id
        before = on(yokohama, who, moved_on - timedelta(days=1))
        assert before.town_name == "中区元町" and before.block == "1丁目2番3号"
        assert before.address_since == days_ago(30)
        assert after.is_head == before.is_head and after.relationship == before.relationship
        assert after.became_resident_on == before.became_resident_on == days_ago(30)


def test_relocation_of_part_of_a_household_without_a_new_head_is_refused(yokohama):
    _, (_head, wife, child) = family(yokohama)

    error = refusal(
        yokohama,
        services.record_relocation,
        RelocationIn(
            effective_on=days_ago(5), persons=numbers(wife, child), address=AddressIn(town=NEW_TOWN)
        ),
    )

    assert (error.code, error.field) == ("new_head.required", "new_head")


def test_relocation_of_part_of_a_household_founds_a_new_household(yokohama):
    _, (head, wife, child) = family(yokohama)
    old = household_of(yokohama, head)

    movement = record(
        yokohama,
        services.record_relocation,
        RelocationIn(
            effective_on=days_ago(5),
            persons=numbers(wife, child),
            address=AddressIn(town=NEW_TOWN, block="2番"),
            new_head=wife.number,
            relationships={child.number: "子"},
        ),
    )

    new = household_of(yokohama, wife)
    assert new.id != old.id and household_of(yokohama, child).id == new.id
    assert [(m.person_id, m.relationship, m.is_head) for m in members(yokohama, new)] == [
        (wife.id, "世帯主", True),
        (child.id, "子", False),
    ]
    assert on(yokohama, child, days_ago(5)).town_name == NEW_TOWN
    stayed = on(yokohama, head, today())
    assert stayed.household_id == old.id and stayed.is_head and stayed.town_name == "中区元町"
    assert [m.person_id for m in members(yokohama, old)] == [head.id]
    assert [m.person_id for m in members(yokohama, old, days_ago(6))] == [
        head.id,
        wife.id,
        child.id,
    ]
    with tenant_scope(yokohama.code):
        subjects = {
            s.person_id: (s.household_before_id, s.household_after_id)
            for s in MovementSubject.objects.filter(movement=movement)
        }
    assert subjects == {wife.id: (old.id, new.id), child.id: (old.id, new.id)}


# --- 世帯分離 -------------------------------------------------------------------------


def test_split_of_the_whole_household_is_refused(yokohama):
    _, people = family(yokohama)

    error = refusal(
        yokohama,
        services.record_household_split,
        HouseholdSplitIn(
            effective_on=days_ago(5),
            persons=numbers(*people),
            new_head=people[0].number,
            relationships={people[1].number: "妻", people[2].number: "子"},
        ),
    )

    assert (error.code, error.field) == ("persons.whole_household", "persons")


def test_split_needs_the_relationship_of_every_member_but_the_new_head(yokohama):
    _, (_head, wife, child) = family(yokohama)
    with tenant_scope(yokohama.code):
        households = Household.objects.count()

    error = refusal(
        yokohama,
        services.record_household_split,
        HouseholdSplitIn(
            effective_on=days_ago(5), persons=numbers(wife, child), new_head=wife.number
        ),
    )

    assert (error.code, error.field) == ("relationships.required", f"relationships.{child.number}")
    with tenant_scope(yokohama.code):
        assert Household.objects.count() == households
        assert not Movement.objects.filter(reason=Reason.HOUSEHOLD_SPLIT).exists()


def test_split_founds_a_new_household_at_the_same_address(yokohama):
    _, (head, wife, child) = family(yokohama)
    old = household_of(yokohama, head)

    record(
        yokohama,
        services.record_household_split,
        HouseholdSplitIn(
            effective_on=days_ago(5),
            persons=numbers(wife, child),
            new_head=wife.number,
            relationships={child.number: "子"},
        ),
    )

    new = household_of(yokohama, wife)
    assert new.id != old.id
    assert [(m.person_id, m.is_head) for m in members(yokohama, new)] == [
        (wife.id, True),
        (child.id, False),
    ]
    assert [m.person_id for m in members(yokohama, old)] == [head.id]
    split = on(yokohama, wife, days_ago(5))
    assert (split.town_name, split.block, split.address_since) == (
        "中区元町",
        "1丁目2番3号",
        days_ago(30),
    )


# --- 世帯合併 -------------------------------------------------------------------------


def test_merge_into_a_household_at_another_address_is_refused(yokohama):
    _, (head, _wife, _child) = family(yokohama)
    elsewhere = lodger(yokohama, town=NEW_TOWN)

    error = refusal(
        yokohama,
        services.record_household_merge,
        HouseholdMergeIn(
            effective_on=days_ago(5),
            persons=[elsewhere.number],
            into=household_of(yokohama, head).number,
            relationships={elsewhere.number: "同居人"},
        ),
    )

    assert (error.code, error.field, error.status) == ("into.other_address", "into", 409)


def test_merge_into_a_household_at_the_same_address(yokohama):
    _, (head, wife, child) = family(yokohama)
    target = household_of(yokohama, head)
    joiner = lodger(yokohama)
    own = household_of(yokohama, joiner)
    assert own.id != target.id

    movement = record(
        yokohama,
        services.record_household_merge,
        HouseholdMergeIn(
            effective_on=days_ago(5),
            persons=[joiner.number],
            into=target.number,
            relationships={joiner.number: "同居人"},
        ),
    )

    assert movement.reason == Reason.HOUSEHOLD_MERGE
    joined = on(yokohama, joiner, days_ago(5))
    assert joined.household_id == target.id
    assert (joined.is_head, joined.relationship) == (False, "同居人")
    assert on(yokohama, joiner, days_ago(6)).household_id == own.id
    assert [m.person_id for m in members(yokohama, target)] == [
        head.id,
        wife.id,
        child.id,
        joiner.id,
    ]
    assert sum(m.is_head for m in members(yokohama, target)) == 1
    assert members(yokohama, own) == []


def test_merge_of_a_head_leaving_one_member_behind_moves_the_head(yokohama):
    _, (head, _wife, _child) = family(yokohama)
    target = household_of(yokohama, head)
    couple = record(
        yokohama,
        services.record_move_in,
        arrival(
            person(
                family_name="佐藤",
                given_name="次郎",
                family_name_kana="サトウ",
                given_name_kana="ジロウ",
                birth_date="1975-01-01",
            ),
            person(
                family_name="佐藤",
                given_name="幸子",
                family_name_kana="サトウ",
                given_name_kana="サチコ",
                birth_date="1976-01-01",
                sex="2",
                relationship="妻",
            ),
        ),
    )
    with tenant_scope(yokohama.code):
        joiner, left = [
            s.person for s in couple.subjects.select_related("person").order_by("person__number")
        ]
    own = household_of(yokohama, joiner)

    record(
        yokohama,
        services.record_household_merge,
        HouseholdMergeIn(
            effective_on=days_ago(5),
            persons=[joiner.number],
            into=target.number,
            relationships={joiner.number: "同居人"},
        ),
    )

    assert household_of(yokohama, joiner).id == target.id
    assert [(m.person_id, m.relationship) for m in members(yokohama, own)] == [(left.id, "世帯主")]
    assert joiner.id in {m.person_id for m in members(yokohama, target)}


def test_merge_needs_the_relationship_of_every_person_joining(yokohama):
    _, (head, _wife, _child) = family(yokohama)
    joiner = lodger(yokohama)

    error = refusal(
        yokohama,
        services.record_household_merge,
        HouseholdMergeIn(
            effective_on=days_ago(5),
            persons=[joiner.number],
            into=household_of(yokohama, head).number,
            relationships={},
        ),
    )

    assert (error.code, error.field) == ("relationships.required", f"relationships.{joiner.number}")


# --- 世帯主変更 -----------------------------------------------------------------------


def head_change(household, new_head, relationships=None, effective_on=None) -> HeadChangeIn:
    return HeadChangeIn(
        effective_on=effective_on or days_ago(5),
        household=household.number,
        new_head=new_head.number,
        relationships=relationships or {},
    )


def test_head_change_to_someone_outside_the_household_is_refused(yokohama):
    _, (head, _wife, _child) = family(yokohama)
    outsider = lodger(yokohama)

    error = refusal(
        yokohama,
        services.record_head_change,
        head_change(household_of(yokohama, head), outsider, {head.number: "同居人"}),
    )

    assert (error.code, error.field) == ("new_head.not_member", "new_head")


def test_head_change_to_the_head_is_refused(yokohama):
    _, (head, wife, child) = family(yokohama)

    error = refusal(
        yokohama,
        services.record_head_change,
        head_change(household_of(yokohama, head), head, {wife.number: "妻", child.number: "子"}),
    )

    assert (error.code, error.field, error.status) == ("new_head.already_head", "new_head", 409)


def test_head_change_needs_the_relationship_of_every_other_member(yokohama):
    _, (head, wife, child) = family(yokohama)

    error = refusal(
        yokohama,
        services.record_head_change,
        head_change(household_of(yokohama, head), wife, {child.number: "子"}),
    )

    assert (error.code, error.field) == ("relationships.required", f"relationships.{head.number}")


def test_head_change_restates_every_member_relationship_to_the_new_head(yokohama):
    _, (head, wife, child) = family(yokohama)
    household = household_of(yokohama, head)

    movement = record(
        yokohama,
        services.record_head_change,
        head_change(household, wife, {head.number: "夫", child.number: "子"}),
    )

    after = {m.person_id: m for m in members(yokohama, household, days_ago(5))}
    assert {pid: (m.relationship, m.is_head) for pid, m in after.items()} == {
        wife.id: ("世帯主", True),
        head.id: ("夫", False),
        child.id: ("子", False),
    }
    assert all(m.movement_id == movement.id for m in after.values())
    before = members(yokohama, household, days_ago(6))
    assert [(m.person_id, m.is_head) for m in before if m.is_head] == [(head.id, True)]
    with tenant_scope(yokohama.code):
        assert MovementSubject.objects.filter(movement=movement).count() == 3


# --- 氏名変更 ------------------------------------------------------------------------


def name_change(who, **overrides) -> NameChangeIn:
    values = dict(
        effective_on=days_ago(5),
        person=who.number,
        family_name="鈴木",
        given_name="太郎",
        family_name_kana="スズキ",
        given_name_kana="タロウ",
    )
    values.update(overrides)
    return NameChangeIn(**values)


def test_name_change_with_non_kana_in_the_reading_is_refused(yokohama):
    _, (head, _wife, _child) = family(yokohama)

    error = refusal(
        yokohama, services.record_name_change, name_change(head, given_name_kana="たろう")
    )

    assert (error.code, error.field) == ("given_name_kana.katakana_only", "given_name_kana")


def test_name_change_moves_the_search_keys_with_the_name(yokohama):
    _, (head, wife, child) = family(yokohama)

    movement = record(yokohama, services.record_name_change, name_change(head))

    assert movement.reason == Reason.NAME_CHANGE
    changed = on(yokohama, head, days_ago(5))
    assert (changed.family_name, changed.family_name_kana) == ("鈴木", "スズキ")
    assert found_by_name(yokohama, "スズキ タロウ") == {head.id}
    assert found_by_name(yokohama, "鈴木太郎") == {head.id}
    assert found_by_name(yokohama, "ヤマダ タロウ") == set()
    assert found_by_name(yokohama, "ヤマダ") == {wife.id, child.id}
    assert found_by_name(yokohama, "ヤマダ タロウ", days_ago(6)) == {head.id}


# --- 続柄変更 ------------------------------------------------------------------------


def test_relationship_change_to_head_is_refused(yokohama):
    _, (_head, _wife, child) = family(yokohama)

    error = refusal(
        yokohama,
        services.record_relationship_change,
        RelationshipChangeIn(effective_on=days_ago(5), person=child.number, relationship="世帯主"),
    )

    assert (error.code, error.field) == ("relationship.head", "relationship")


def test_relationship_change_is_recorded(yokohama):
    _, (_head, wife, _child) = family(yokohama)

    record(
        yokohama,
        services.record_relationship_change,
        RelationshipChangeIn(effective_on=days_ago(5), person=wife.number, relationship="妻(未届)"),
    )

    assert on(yokohama, wife, days_ago(5)).relationship == "妻（未届）"
    assert on(yokohama, wife, days_ago(6)).relationship == "妻"


# --- 本籍変更 ------------------------------------------------------------------------


def test_domicile_change_of_a_foreign_resident_is_refused(yokohama):
    resident = newcomer(yokohama, foreigner())

    error = refusal(
        yokohama,
        services.record_domicile_change,
        DomicileChangeIn(
            effective_on=days_ago(5), persons=[resident.number], domicile="東京都千代田区千代田1番"
        ),
    )

    assert (error.code, error.field, error.status) == ("person.kind", "persons.0", 422)


def test_domicile_change_is_recorded_for_every_person(yokohama):
    _, people = family(yokohama)

    record(
        yokohama,
        services.record_domicile_change,
        DomicileChangeIn(
            effective_on=days_ago(5),
            persons=numbers(*people),
            domicile="東京都千代田区千代田1番",
            domicile_head="山田太郎",
        ),
    )

    for who in people:
        assert on(yokohama, who, days_ago(5)).domicile == "東京都千代田区千代田1番"
        assert on(yokohama, who, days_ago(6)).domicile == "神奈川県横浜市中区元町1丁目1番地"


# --- 旧氏 ----------------------------------------------------------------------------


def test_former_surname_is_recorded_then_deleted(yokohama):
    _, (_head, wife, _child) = family(yokohama)

    recorded = record(
        yokohama,
        services.record_former_surname,
        FormerSurnameIn(
            effective_on=days_ago(10),
            person=wife.number,
            former_surname="佐藤",
            former_surname_kana="サトウ",
        ),
    )
    deleted = record(
        yokohama,
        services.record_former_surname,
        FormerSurnameIn(effective_on=days_ago(5), person=wife.number),
    )

    assert recorded.reason == Reason.FORMER_SURNAME_RECORDED
    assert deleted.reason == Reason.FORMER_SURNAME_DELETED
    assert on(yokohama, wife, days_ago(11)).former_surname == ""
    shown = on(yokohama, wife, days_ago(10))
    assert (shown.former_surname, shown.former_surname_kana) == ("佐藤", "サトウ")
    gone = on(yokohama, wife, days_ago(5))
    assert (gone.former_surname, gone.former_surname_kana) == ("", "")


def test_former_surname_deletion_without_one_is_refused(yokohama):
    _, (_head, wife, _child) = family(yokohama)

    error = refusal(
        yokohama,
        services.record_former_surname,
        FormerSurnameIn(effective_on=days_ago(5), person=wife.number),
    )

    assert (error.code, error.field, error.status) == ("former_surname.none", "former_surname", 409)


# --- 通称 ----------------------------------------------------------------------------


def test_alias_of_a_japanese_resident_is_refused(yokohama):
    _, (head, _wife, _child) = family(yokohama)

    error = refusal(
        yokohama,
        services.record_alias,
        AliasIn(effective_on=days_ago(5), person=head.number, alias="ヤマちゃん"),
    )

    assert (error.code, error.field, error.status) == ("person.kind", "person", 422)


# --- 在留資格等変更 --------------------------------------------------------------------


def status_change(who, **overrides) -> ResidenceStatusChangeIn:
    values = dict(
        effective_on=days_ago(5),
        person=who.number,
        article_30_45="1",
        residence_status="permanent",
        residence_period="無期限",
        residence_card_no="CD87654321EF",
    )
    values.update(overrides)
    return ResidenceStatusChangeIn(**values)


def test_residence_status_change_of_a_medium_long_term_resident_needs_a_status(yokohama):
    resident = newcomer(yokohama, foreigner())

    error = refusal(
        yokohama,
        services.record_residence_status_change,
        status_change(
            resident, residence_status="", residence_expiry=today() + timedelta(days=900)
        ),
    )

    assert "residence_status.required" in error.code
    assert error.field == "residence_status"


def test_residence_status_change_is_recorded(yokohama):
    resident = newcomer(yokohama, foreigner())

    movement = record(yokohama, services.record_residence_status_change, status_change(resident))

    assert movement.reason == Reason.RESIDENCE_STATUS_CHANGE
    now = on(yokohama, resident, days_ago(5))
    assert (now.residence_status, now.residence_period, now.residence_expiry) == (
        "permanent",
        "無期限",
        None,
    )
    assert now.residence_card_no == "CD87654321EF"
    before = on(yokohama, resident, days_ago(6))
    assert (before.residence_status, before.residence_card_no) == (
        "engineer_humanities",
        "AB12345678CD",
    )
    with tenant_scope(yokohama.code):
        assert (
            PersonVersion.objects.filter(person=resident, superseded_at__isnull=True).count() == 2
        )
        assert timeline.latest(resident).movement_id == movement.id
