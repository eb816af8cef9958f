"""What every business action of the register shares: lookups, checks, the movement,
its audit entry and its events."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from jichi.audit.services import record as audit
from jichi.common.checkdigits import (
    make_household_number,
    make_resident_number,
    normalize_digits,
    validate_resident_record_code,
)
from jichi.common.errors import ErrorCollector, RuleViolation
from jichi.common.kana import validate_katakana_name
from jichi.common.secrets import seal_my_number
from jichi.linkage.outbox import publish_many
from jichi.registry import selectors
from jichi.registry.codes import (
    Reason,
    ResidentKind,
    ResidentStatus,
    category_of,
    normalize_residence_card_no,
    validate_foreign_items,
)
from jichi.registry.dates import parse_birth_date
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
from jichi.registry.schemas import AddressIn, PersonIn
from jichi.registry.timeline import name_keys
from jichi.registry.towns import find_town
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

HEAD = "世帯主"
LATE_AFTER_DAYS = 14  # 住民基本台帳法 22条・23条・24条: 14 days to notify


def today() -> date:
    return timezone.localdate()


# --- lookups ---------------------------------------------------------------------


def person_by_number(number: str, field: str = "person") -> Person:
    return selectors.person(number, field)


def household_by_number(number: str, field: str = "household") -> Household:
    return selectors.household(number, field)


def _next_serial(municipality: Municipality, name: str, count: int = 1) -> int:
    """Take ``count`` serials of the sequence ``name``; the first of them."""
    sequence, _ = NumberSequence.objects.select_for_update().get_or_create(
        municipality=municipality, name=name
    )
    sequence.last += count
    sequence.save(update_fields=["last"])
    return sequence.last - count + 1


def new_person(municipality: Municipality) -> Person:
    return new_persons(municipality, 1)[0]


def new_persons(municipality: Municipality, count: int) -> list[Person]:
    """``count`` new persons with consecutive 宛名番号 (three statements whatever ``count``)."""
    first = _next_serial(municipality, "resident", count)
    return Person.objects.bulk_create(
        [
            Person(municipality=municipality, number=make_resident_number(first + i))
            for i in range(count)
        ]
    )


def new_household(municipality: Municipality) -> Household:
    return Household.objects.create(
        municipality=municipality,
        number=make_household_number(_next_serial(municipality, "household")),
    )


# --- checks ----------------------------------------------------------------------


def check_notice_dates(notice, *, future_days: int = 0, field: str = "effective_on") -> date:
    """異動日 not beyond what the office allows, 届出日 not in the future; returns 届出日."""
    now = today()
    if notice.effective_on > now + timedelta(days=future_days):
        allowed = "今日" if future_days == 0 else f"今日から{future_days}日後"
        raise RuleViolation(
            f"{field}.future",
            f"異動日は{allowed}までの日付にしてください。",
            f"The effective date may be at most {future_days} day(s) after today.",
            field,
        )
    notified = notice.notified_on or now
    if notified > now:
        raise RuleViolation(
            "notified_on.future",
            "届出日に未来の日付は指定できません。",
            "The notification date cannot be in the future.",
            "notified_on",
        )
    return notified


def address_items(municipality: Municipality, address: AddressIn, field: str = "address") -> dict:
    town = find_town(municipality.code, address.town.strip())
    if town is None:
        raise RuleViolation(
            "town.unknown",
            f"町字「{address.town}」はこの団体の町字一覧にありません。",
            f"The town (町字) {address.town!r} is not in this municipality's list.",
            f"{field}.town",
        )
    name = f"{town.ward_name}{town.name}"
    return {
        "town_code": town.code,
        "town_name": name,
        "block": address.block.strip(),
        "building": address.building.strip(),
        "postal_code": town.postal_code,
    }


def _kana(errors: ErrorCollector, value: str, field: str, required: bool) -> str:
    if not value and not required:
        return ""
    try:
        return validate_katakana_name(value, field)
    except RuleViolation as exc:
        errors.check(exc)
        return value


def person_items(
    municipality: Municipality, data: PersonIn, field: str, errors: ErrorCollector
) -> dict:
    """Validate one person's data items; returns the version's fields (errors collected)."""
    foreign = data.kind == ResidentKind.FOREIGN
    items: dict = {"kind": data.kind, "sex": data.sex}
    if foreign:
        if not (data.name_alphabet or data.family_name):
            errors.add(
                "name_alphabet.required",
                "外国人住民の氏名（ローマ字）を入力してください。",
                "A foreign resident's name in the alphabet is required.",
                f"{field}.name_alphabet",
            )
    else:
        for name in ("family_name", "given_name"):
            if not getattr(data, name).strip():
                errors.add(
                    f"{name}.required",
                    "氏名を入力してください。",
                    "The name is required.",
                    f"{field}.{name}",
                )
        if not data.domicile.strip():
            errors.add(
                "domicile.required",
                "本籍を入力してください（不明のときは「不明」、ないときは「なし」）。",
                "The domicile (本籍) is required: write 不明 or なし if so.",
                f"{field}.domicile",
            )
    for name in (
        "family_name",
        "given_name",
        "name_alphabet",
        "former_surname",
        "alias",
        "domicile",
        "domicile_head",
        "nationality",
    ):
        items[name] = getattr(data, name).strip()
    for name, required in (
        ("family_name_kana", not foreign),
        ("given_name_kana", not foreign),
        ("former_surname_kana", bool(data.former_surname)),
        ("alias_kana", False),
    ):
        items[name] = _kana(errors, getattr(data, name).strip(), f"{field}.{name}", required)
    items.update(name_keys(items))
    try:
        birth = parse_birth_date(
            data.birth_date, f"{field}.birth_date", today=today(), foreign=foreign
        )
        items.update(birth_date=birth.value, birth_precision=birth.precision, birth_note=birth.note)
    except RuleViolation as exc:
        errors.check(exc)
    try:
        items["relationship"] = validate_relationship(data.relationship, f"{field}.relationship")
    except RuleViolation as exc:
        errors.check(exc)
    if data.resident_code:
        try:
            items["resident_code"] = validate_resident_record_code(
                normalize_digits(data.resident_code), f"{field}.resident_code"
            )
        except RuleViolation as exc:
            errors.check(exc)
    if data.my_number:
        try:
            cipher, index = seal_my_number(data.my_number, municipality.code)
            items.update(my_number_cipher=cipher, my_number_index=index)
        except RuleViolation as exc:
            errors.check(
                RuleViolation(exc.code, exc.message_ja, exc.message_en, f"{field}.my_number")
            )
    if foreign:
        try:
            validate_foreign_items(
                data.article_30_45 or "",
                {
                    "residence_status": data.residence_status,
                    "residence_period": data.residence_period,
                    "residence_expiry": data.residence_expiry,
                    "residence_card_no": normalize_residence_card_no(data.residence_card_no),
                },
                field_prefix=f"{field}.",
            )
        except RuleViolation as exc:
            errors.check(exc)
        items.update(
            article_30_45=data.article_30_45 or "",
            residence_status=data.residence_status,
            residence_period=data.residence_period,
            residence_expiry=data.residence_expiry,
            residence_card_no=normalize_residence_card_no(data.residence_card_no),
        )
    return items


def check_none_registered(people: list[dict], fields: list[str]) -> None:
    """None of ``people`` (person items, ``fields`` naming them) is already resident (same
    name, birth date and sex) or recorded with the same 個人番号; one query, and the error
    names the first person found."""
    same = Q(pk__in=[])
    for items in people:
        if items.get("kanji_key"):
            same |= Q(
                kanji_key=items["kanji_key"],
                birth_date=items.get("birth_date"),
                sex=items.get("sex"),
            )
        if items.get("my_number_index"):
            same |= Q(my_number_index=items["my_number_index"])
    residents, numbers = set(), set()  # (name key, birth date, sex) of residents; 個人番号 indexes
    for kanji_key, birth_date, sex, status, index in PersonVersion.objects.filter(
        same, CURRENT, valid_to__isnull=True
    ).values_list("kanji_key", "birth_date", "sex", "status", "my_number_index"):
        if status == ResidentStatus.RESIDENT:
            residents.add((kanji_key, birth_date, sex))
        numbers.add(index)
    for items, field in zip(people, fields, strict=True):
        key = (items.get("kanji_key"), items.get("birth_date"), items.get("sex"))
        if items.get("kanji_key") and key in residents:
            raise RuleViolation(
                "person.duplicate",
                "同じ氏名・生年月日・性別の住民が既に記録されています。",
                "A resident with the same name, birth date and sex is already recorded.",
                field,
                status=409,
            )
        if items.get("my_number_index") and items["my_number_index"] in numbers:
            raise RuleViolation(
                "person.my_number_known",
                "この個人番号の人は既に記録されています（再転入のときは既存の記録を使います）。",
                "A person with this individual number is already recorded (a returning "
                "resident keeps their record).",
                f"{field}.my_number",
                status=409,
            )


def members_on(household: Household, on: date) -> list[PersonVersion]:
    return list(
        PersonVersion.objects.filter(
            CURRENT, household=household, status=ResidentStatus.RESIDENT, valid_from__lte=on
        )
        .exclude(valid_to__lte=on)
        .select_related("person")
    )


def check_household(household: Household, on: date) -> None:
    """A household with members has exactly one head."""
    members = members_on(household, on)
    heads = sum(1 for m in members if m.is_head)
    if members and heads != 1:
        raise RuleViolation(
            "household.head_count",
            f"世帯 {household.number} の世帯主が{heads}人になります。世帯主はちょうど1人です。",
            f"Household {household.number} would have {heads} heads; it needs exactly one.",
            "household",
            status=422,
        )


# --- the movement, its audit entry and its events ----------------------------------


def open_movement(
    *,
    municipality: Municipality,
    actor: Actor,
    reason: str,
    notice,
    notified_on: date | None,
    late_after_days: int | None = LATE_AFTER_DAYS,
    details: dict | None = None,
) -> Movement:
    late = bool(
        late_after_days is not None
        and notified_on is not None
        and (notified_on - notice.effective_on).days > late_after_days
    )
    return Movement.objects.create(
        municipality=municipality,
        reason=reason,
        category=category_of(reason),
        effective_on=notice.effective_on,
        notified_on=notified_on,
        recorded_at=timezone.now(),
        actor_kind=actor.kind,
        actor_id=actor.id[:64],
        actor_label=actor.label[:150],
        late=late,
        note=getattr(notice, "note", ""),
        details=details or {},
    )


EVENT_OF_REASON = {Reason.MOVE_WITHIN: "registry.person.moved"}  # 転居: the address changed
EVENT_OF_CATEGORY = {
    "record": "registry.person.registered",
    "remove": "registry.person.removed",
    "amend": "registry.person.changed",
}


def close_movement(
    movement: Movement,
    actor: Actor,
    subjects: list[tuple[Person, Household | None, Household | None]],
    *,
    event_type: str | None = None,
) -> Movement:
    """Record who was touched, write the audit entry and the events."""
    MovementSubject.objects.bulk_create(
        [
            MovementSubject(
                municipality_id=movement.municipality_id,
                movement=movement,
                person=person,
                household_before=before,
                household_after=after,
            )
            for person, before, after in subjects
        ]
    )
    audit(
        actor,
        f"registry.movement.{movement.reason}",
        object_type="movement",
        object_id=str(movement.id),
        details={
            "reason": movement.reason,
            "effective_on": movement.effective_on.isoformat(),
            "persons": len(subjects),
            "late": movement.late,
        },
    )
    kind = (
        event_type or EVENT_OF_REASON.get(movement.reason) or EVENT_OF_CATEGORY[movement.category]
    )
    events, changed = [], set()
    for person, before, after in subjects:
        events.append(
            (
                kind,
                {
                    "person": str(person.id),
                    "resident_number": person.number,
                    "movement": str(movement.id),
                    "reason": movement.reason,
                    "effective_on": movement.effective_on.isoformat(),
                    "household_before": before.number if before else None,
                    "household_after": after.number if after else None,
                },
                f"person/{person.id}",
            )
        )
        if before != after:
            changed |= {before, after} - {None}
    # One event per household the movement changed, after the persons' events.
    for household in sorted(changed, key=lambda h: h.number):
        events.append(
            (
                "registry.household.changed",
                {"household": household.number, "movement": str(movement.id)},
                f"household/{household.id}",
            )
        )
    publish_many(events)
    return movement
