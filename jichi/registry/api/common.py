"""What the register's endpoints share: the router and the output shapes."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema
from pydantic import Field

from jichi.common.secrets import mask_my_number, open_my_number
from jichi.registry.display import address_of, birth_display
from jichi.registry.models import Movement, Person, PersonVersion

router = Router(tags=["registry"])
BASE = "/municipalities/{code}"
PROTECTION_WARNING_JA = "支援措置対象者です。加害者等への開示は禁止されています。"
PROTECTION_WARNING_EN = (
    "This person is under DV support measures: nothing may be disclosed to listed offenders."
)


class PersonSummaryOut(Schema):
    number: str
    name: str
    name_kana: str
    birth_date: date
    birth_display: str
    sex: str
    address: str
    household: str | None
    relationship: str
    status: str
    protected: bool
    warning: str | None = None
    warning_ja: str | None = None


class PersonOut(Schema):
    number: str
    history_no: int
    valid_from: date
    valid_to: date | None
    recorded_at: datetime
    reason: str
    reason_label: str
    status: str
    status_label: str
    kind: str
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    name_alphabet: str
    former_surname: str
    former_surname_kana: str
    alias: str
    alias_kana: str
    birth_date: date
    birth_precision: str
    birth_display: str
    sex: str
    address: str
    town_code: str
    town_name: str
    block: str
    building: str
    postal_code: str
    household: str | None
    relationship: str
    is_head: bool
    became_resident_on: date
    address_since: date
    previous_address: str
    domicile: str
    domicile_head: str
    resident_code: str
    my_number: str = Field(description="shown only with registry:read_my_number, else masked")
    nationality: str
    article_30_45: str
    residence_status: str
    residence_period: str
    residence_expiry: date | None
    residence_card_no: str
    destination_address: str
    planned_move_out_on: date | None
    protected: bool
    warning: str | None = None
    warning_ja: str | None = None


class MovementOut(Schema):
    id: str
    reason: str
    reason_label: str
    category: str
    effective_on: date
    notified_on: date | None
    recorded_at: datetime
    late: bool
    actor_label: str
    persons: list[str]
    protected: bool = False
    warning: str | None = None
    warning_ja: str | None = None


def summary(municipality, version: PersonVersion, protected: set) -> dict:
    return {
        "number": version.person.number,
        "name": version.full_name,
        "name_kana": version.full_name_kana,
        "birth_date": version.birth_date,
        "birth_display": birth_display(version),
        "sex": version.sex,
        "address": address_of(municipality, version),
        "household": version.household.number if version.household_id else None,
        "relationship": version.relationship,
        "status": version.status,
        **protection_flags(version.person_id in protected),
    }


def protection_flags(protected: bool) -> dict:
    """``protected`` and, for a protected person, the warning every answer carries."""
    if not protected:
        return {"protected": False}
    return {
        "protected": True,
        "warning": PROTECTION_WARNING_EN,
        "warning_ja": PROTECTION_WARNING_JA,
    }


def person_out(
    request, municipality, person: Person, version: PersonVersion, protected: bool
) -> dict:
    may_see = request.principal.has_perm(municipality.code, "registry:read_my_number")
    my_number = ""
    if version.my_number_cipher:
        my_number = (
            open_my_number(version.my_number_cipher, municipality.code)
            if may_see
            else mask_my_number("x")
        )
    data = {
        f.attname: getattr(version, f.attname)
        for f in PersonVersion._meta.concrete_fields
        if f.attname in PersonOut.model_fields
    }
    data.update(
        number=person.number,
        reason_label=version.get_reason_display(),
        status_label=version.get_status_display(),
        birth_display=birth_display(version),
        address=address_of(municipality, version),
        household=version.household.number if version.household_id else None,
        my_number=my_number,
        **protection_flags(protected),
    )
    return data


def movement_out(movement: Movement, protected: set) -> dict:
    """A movement (its subjects read by ``selectors.with_subjects``); flagged when it
    touched a person under an active 支援措置 (ids in ``protected``)."""
    subjects = list(movement.subjects.all())
    flagged = any(s.person_id in protected for s in subjects)
    return recorded_movement_out(movement, [s.person.number for s in subjects], flagged)


def recorded_movement_out(movement: Movement, numbers: list[str], flagged: bool) -> dict:
    """A movement with the 宛名番号 of the persons it touched."""
    return {
        "id": str(movement.id),
        "reason": movement.reason,
        "reason_label": movement.get_reason_display(),
        "category": movement.category,
        "effective_on": movement.effective_on,
        "notified_on": movement.notified_on,
        "recorded_at": movement.recorded_at,
        "late": movement.late,
        "actor_label": movement.actor_label,
        "persons": numbers,
        **protection_flags(flagged),
    }
