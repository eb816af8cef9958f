"""修正: changes to residents' records (転居, 世帯, 氏名, 続柄, 本籍, 旧氏, 通称, 在留資格 …)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from jichi.common.errors import ErrorCollector, RuleViolation
from jichi.common.kana import validate_katakana_name
from jichi.registry import timeline
from jichi.registry.codes import (
    Reason,
    ResidentKind,
    normalize_residence_card_no,
    validate_foreign_items,
)
from jichi.registry.models import Household, Movement, Person, PersonVersion
from jichi.registry.relationships import validate_relationship
from jichi.registry.schemas import (
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
from jichi.registry.services._common import (
    HEAD,
    LATE_AFTER_DAYS,
    address_items,
    check_household,
    check_notice_dates,
    close_movement,
    household_by_number,
    members_on,
    new_household,
    open_movement,
)
from jichi.registry.services.removals import leavers, successor_of_head
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

ADDRESS_FIELDS = ("town_code", "town_name", "block", "building", "postal_code")


def _relationship(relationships: dict[str, str], number: str) -> str:
    field = f"relationships.{number}"
    if number not in relationships:
        raise RuleViolation(
            "relationships.required",
            "世帯主以外の人の続柄を指定してください。",
            "Give the relationship of every member other than the head.",
            field,
        )
    value = validate_relationship(relationships[number], field)
    if value == HEAD:
        raise RuleViolation(
            "relationships.head",
            "世帯主は new_head で指定してください。",
            "Name the head with new_head, not as a relationship.",
            field,
        )
    return value


def _one_household(found: list[tuple[Person, PersonVersion]]) -> Household:
    households = {v.household_id for _, v in found}
    if len(households) != 1:
        raise RuleViolation(
            "persons.several_households",
            "一度の異動で扱えるのは一つの世帯の人だけです。",
            "One movement handles persons of one household only.",
            "persons",
        )
    return found[0][1].household


def _amend(
    municipality,
    actor,
    reason,
    notice,
    changes: list[tuple[Person, dict]],
    households: set,
    *,
    subjects=None,
    late_after_days=None,
    notified=None,
) -> Movement:
    notified = notified or check_notice_dates(notice)
    movement = open_movement(
        municipality=municipality,
        actor=actor,
        reason=reason,
        notice=notice,
        notified_on=notified,
        late_after_days=late_after_days,
    )
    timeline.change_many(movement, changes)
    for household in households - {None}:
        check_household(household, notice.effective_on)
    if subjects is None:
        subjects = [(p, None, None) for p, _ in changes]
    return close_movement(movement, actor, subjects)


def _regroup(
    municipality,
    actor,
    reason,
    notice,
    numbers,
    *,
    new_head: str,
    relationships: dict[str, str],
    address: dict | None,
) -> Movement:
    """Part of a household founds a new one (世帯分離, or 転居 of part of a household)."""
    found = leavers(numbers, notice.effective_on)
    old = _one_household(found)
    if new_head not in numbers:
        raise RuleViolation(
            "new_head.not_moving",
            "新しい世帯主は移る人の中から選んでください。",
            "The new head must be one of the persons concerned.",
            "new_head",
        )
    successors = successor_of_head(found, notice.effective_on)
    household = new_household(municipality)
    changes = []
    for person, _version in found:
        head = person.number == new_head
        change = {
            "household": household,
            "is_head": head,
            "relationship": HEAD if head else _relationship(relationships, person.number),
        }
        if address:
            change.update(address, address_since=notice.effective_on)
        changes.append((person, change))
    for version in successors:
        changes.append((version.person, {"is_head": True, "relationship": HEAD}))
    subjects = [(p, old, household) for p, _ in found] + [(v.person, old, old) for v in successors]
    return _amend(
        municipality,
        actor,
        reason,
        notice,
        changes,
        {old, household},
        subjects=subjects,
        late_after_days=LATE_AFTER_DAYS if address else None,
    )


@transaction.atomic
def record_relocation(
    *, municipality: Municipality, actor: Actor, notice: RelocationIn
) -> Movement:
    """転居: a move to another address in the municipality (whole or part of a household)."""
    check_notice_dates(notice)
    address = address_items(municipality, notice.address)
    found = leavers(notice.persons, notice.effective_on)
    household = _one_household(found)
    members = members_on(household, notice.effective_on)
    if {m.person_id for m in members} != {p.id for p, _ in found}:
        if not notice.new_head:
            raise RuleViolation(
                "new_head.required",
                "世帯の一部の人が転居するときは、新しい世帯の世帯主を指定してください。",
                "When part of a household moves, name the head of the new household.",
                "new_head",
            )
        return _regroup(
            municipality,
            actor,
            Reason.MOVE_WITHIN,
            notice,
            notice.persons,
            new_head=notice.new_head,
            relationships=notice.relationships,
            address=address,
        )
    changes = [(p, {**address, "address_since": notice.effective_on}) for p, _ in found]
    return _amend(
        municipality,
        actor,
        Reason.MOVE_WITHIN,
        notice,
        changes,
        {household},
        late_after_days=LATE_AFTER_DAYS,
    )


@transaction.atomic
def record_household_split(
    *, municipality: Municipality, actor: Actor, notice: HouseholdSplitIn
) -> Movement:
    """世帯分離: members found a new household at the same address."""
    found = leavers(notice.persons, notice.effective_on)
    members = members_on(_one_household(found), notice.effective_on)
    if len(members) == len(found):
        raise RuleViolation(
            "persons.whole_household",
            "世帯全員を分離することはできません。",
            "A whole household cannot split from itself.",
            "persons",
        )
    return _regroup(
        municipality,
        actor,
        Reason.HOUSEHOLD_SPLIT,
        notice,
        notice.persons,
        new_head=notice.new_head,
        relationships=notice.relationships,
        address=None,
    )


@transaction.atomic
def record_household_merge(
    *, municipality: Municipality, actor: Actor, notice: HouseholdMergeIn
) -> Movement:
    """世帯合併: persons join another household at the same address."""
    target = household_by_number(notice.into, "into")
    target_members = members_on(target, notice.effective_on)
    if not target_members:
        raise RuleViolation(
            "household.empty",
            "合併先の世帯に住民がいません。",
            "The household to join has no residents.",
            "into",
            status=409,
        )
    found = leavers(notice.persons, notice.effective_on)
    old = _one_household(found)
    if old == target:
        raise RuleViolation(
            "into.same_household",
            "同じ世帯には合併できません。",
            "The persons already belong to this household.",
            "into",
        )
    dwelling = target_members[0]
    if any(
        getattr(v, f) != getattr(dwelling, f)
        for _, v in found
        for f in ("town_code", "block", "building")
    ):
        raise RuleViolation(
            "into.other_address",
            "合併先の世帯と住所が違います。先に転居を記録してください。",
            "The household to join lives at another address: record the move first.",
            "into",
            status=409,
        )
    successors = successor_of_head(found, notice.effective_on)
    changes = [
        (
            p,
            {
                "household": target,
                "is_head": False,
                "relationship": _relationship(notice.relationships, p.number),
            },
        )
        for p, _ in found
    ]
    changes += [(v.person, {"is_head": True, "relationship": HEAD}) for v in successors]
    subjects = [(p, old, target) for p, _ in found] + [(v.person, old, old) for v in successors]
    return _amend(
        municipality,
        actor,
        Reason.HOUSEHOLD_MERGE,
        notice,
        changes,
        {old, target},
        subjects=subjects,
    )


@transaction.atomic
def record_head_change(
    *, municipality: Municipality, actor: Actor, notice: HeadChangeIn
) -> Movement:
    """世帯主変更: a new head, and every other member's 続柄 restated to them."""
    household = household_by_number(notice.household)
    members = members_on(household, notice.effective_on)
    by_number = {m.person.number: m for m in members}
    if notice.new_head not in by_number:
        raise RuleViolation(
            "new_head.not_member",
            "新しい世帯主はこの世帯の住民ではありません。",
            "The new head is not a member of this household.",
            "new_head",
        )
    if by_number[notice.new_head].is_head:
        raise RuleViolation(
            "new_head.already_head",
            "この人は既に世帯主です。",
            "This person is already the head.",
            "new_head",
            status=409,
        )
    for member in members:
        timeline.require_in_order(member, notice.effective_on)
    changes = []
    for number, member in by_number.items():
        head = number == notice.new_head
        changes.append(
            (
                member.person,
                {
                    "is_head": head,
                    "relationship": HEAD if head else _relationship(notice.relationships, number),
                },
            )
        )
    return _amend(
        municipality,
        actor,
        Reason.HEAD_CHANGE,
        notice,
        changes,
        {household},
        subjects=[(m.person, household, household) for m in members],
    )


def _single(
    number: str, on: date, *, foreign: bool | None = None, field: str = "person"
) -> tuple[Person, PersonVersion]:
    [(person, version)] = leavers([number], on, field, indexed=False)
    if foreign is not None and (version.kind == ResidentKind.FOREIGN) != foreign:
        who = "外国人住民" if foreign else "日本人住民"
        raise RuleViolation(
            "person.kind",
            f"この異動は{who}だけが対象です。",
            "This change does not apply to this kind of resident.",
            field,
            status=422,
        )
    return person, version


def _kana_errors(pairs: list[tuple[str, str, bool]]) -> None:
    errors = ErrorCollector()
    for value, field, required in pairs:
        if value or required:
            try:
                validate_katakana_name(value, field)
            except RuleViolation as exc:
                errors.check(exc)
    errors.raise_if_any()


@transaction.atomic
def record_name_change(
    *, municipality: Municipality, actor: Actor, notice: NameChangeIn
) -> Movement:
    """氏名変更 (marriage, adoption, 戸籍 notice …)."""
    person, _version = _single(notice.person, notice.effective_on)
    _kana_errors(
        [
            (notice.family_name_kana, "family_name_kana", True),
            (notice.given_name_kana, "given_name_kana", True),
        ]
    )
    names = {
        f: getattr(notice, f).strip()
        for f in ("family_name", "given_name", "family_name_kana", "given_name_kana")
    }
    for field in ("family_name", "given_name"):
        if not names[field]:
            raise RuleViolation(
                f"{field}.required", "氏名を入力してください。", "The name is required.", field
            )
    change = names
    return _amend(municipality, actor, Reason.NAME_CHANGE, notice, [(person, change)], set())


@transaction.atomic
def record_relationship_change(
    *, municipality: Municipality, actor: Actor, notice: RelationshipChangeIn
) -> Movement:
    """続柄変更 (adoption, marriage within the household …)."""
    person, version = _single(notice.person, notice.effective_on)
    relationship = validate_relationship(notice.relationship)
    if relationship == HEAD or version.is_head:
        raise RuleViolation(
            "relationship.head",
            "世帯主の変更は世帯主変更で記録してください。",
            "Record a change of head as a change of head.",
            "relationship",
        )
    return _amend(
        municipality,
        actor,
        Reason.RELATIONSHIP_CHANGE,
        notice,
        [(person, {"relationship": relationship})],
        set(),
    )


@transaction.atomic
def record_domicile_change(
    *, municipality: Municipality, actor: Actor, notice: DomicileChangeIn
) -> Movement:
    """本籍変更 (転籍, a 戸籍 notice): Japanese residents only."""
    if not notice.domicile.strip():
        raise RuleViolation(
            "domicile.required", "本籍を入力してください。", "The domicile is required.", "domicile"
        )
    changes = []
    for i, number in enumerate(notice.persons):
        person, _ = _single(number, notice.effective_on, foreign=False, field=f"persons.{i}")
        changes.append(
            (
                person,
                {
                    "domicile": notice.domicile.strip(),
                    "domicile_head": notice.domicile_head.strip(),
                },
            )
        )
    return _amend(municipality, actor, Reason.DOMICILE_CHANGE, notice, changes, set())


@transaction.atomic
def record_former_surname(
    *, municipality: Municipality, actor: Actor, notice: FormerSurnameIn
) -> Movement:
    """旧氏の記載 (with a surname) or 旧氏の削除 (with an empty one)."""
    person, version = _single(notice.person, notice.effective_on, foreign=False)
    if notice.former_surname.strip():
        _kana_errors([(notice.former_surname_kana, "former_surname_kana", True)])
        reason = Reason.FORMER_SURNAME_RECORDED
        change = {
            "former_surname": notice.former_surname.strip(),
            "former_surname_kana": notice.former_surname_kana.strip(),
        }
    else:
        if not version.former_surname:
            raise RuleViolation(
                "former_surname.none",
                "削除する旧氏が記録されていません。",
                "No former surname is recorded.",
                "former_surname",
                status=409,
            )
        reason = Reason.FORMER_SURNAME_DELETED
        change = {"former_surname": "", "former_surname_kana": ""}
    return _amend(municipality, actor, reason, notice, [(person, change)], set())


@transaction.atomic
def record_alias(*, municipality: Municipality, actor: Actor, notice: AliasIn) -> Movement:
    """通称の記載 (with an alias) or 通称の削除 (with an empty one): foreign residents."""
    person, version = _single(notice.person, notice.effective_on, foreign=True)
    if notice.alias.strip():
        _kana_errors([(notice.alias_kana, "alias_kana", False)])
        reason = Reason.ALIAS_RECORDED
        change = {"alias": notice.alias.strip(), "alias_kana": notice.alias_kana.strip()}
    else:
        if not version.alias:
            raise RuleViolation(
                "alias.none",
                "削除する通称が記録されていません。",
                "No alias is recorded.",
                "alias",
                status=409,
            )
        reason = Reason.ALIAS_DELETED
        change = {"alias": "", "alias_kana": ""}
    return _amend(municipality, actor, reason, notice, [(person, change)], set())


@transaction.atomic
def record_residence_status_change(
    *, municipality: Municipality, actor: Actor, notice: ResidenceStatusChangeIn
) -> Movement:
    """在留資格等変更: a new 在留資格, 在留期間 or card (foreign residents)."""
    person, _ = _single(notice.person, notice.effective_on, foreign=True)
    items = {
        "residence_status": notice.residence_status,
        "residence_period": notice.residence_period,
        "residence_expiry": notice.residence_expiry,
        "residence_card_no": normalize_residence_card_no(notice.residence_card_no),
    }
    validate_foreign_items(notice.article_30_45, items)
    change = {
        **items,
        "article_30_45": notice.article_30_45,
        "residence_card_no": normalize_residence_card_no(notice.residence_card_no),
    }
    return _amend(
        municipality, actor, Reason.RESIDENCE_STATUS_CHANGE, notice, [(person, change)], set()
    )
