"""誤記修正: a wrong record of the past is corrected by a new recording, never an edit.

The versions of the period are superseded and restated with the corrected
values; "as recorded at" a time before the correction still shows what the
office believed then.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from jichi.common.errors import RuleViolation
from jichi.common.kana import validate_katakana_name
from jichi.registry import timeline
from jichi.registry.codes import Reason, Sex
from jichi.registry.dates import parse_birth_date
from jichi.registry.models import Movement
from jichi.registry.schemas import CorrectionIn
from jichi.registry.services._common import (
    close_movement,
    open_movement,
    person_by_number,
    today,
)
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

_KANA = {"family_name_kana", "given_name_kana"}
_DATES = {"became_resident_on", "address_since"}


def _value(field: str, raw: str, foreign: bool) -> dict:
    where = f"changes.{field}"
    raw = raw.strip()
    if field == "birth_date":
        birth = parse_birth_date(raw, where, today=today(), foreign=foreign)
        return {
            "birth_date": birth.value,
            "birth_precision": birth.precision,
            "birth_note": birth.note,
        }
    if field == "sex":
        if raw not in Sex.values:
            raise RuleViolation(
                "sex.invalid",
                "性別は 1（男）または 2（女）です。",
                "Sex is 1 (male) or 2 (female).",
                where,
            )
        return {"sex": raw}
    if field in _KANA:
        return {field: validate_katakana_name(raw, where)}
    if field in _DATES:
        try:
            return {field: date.fromisoformat(raw)}
        except ValueError as exc:
            raise RuleViolation(
                f"{field}.invalid",
                "日付は YYYY-MM-DD で指定してください。",
                "Give the date as YYYY-MM-DD.",
                where,
            ) from exc
    return {field: raw}


@transaction.atomic
def record_correction(
    *, municipality: Municipality, actor: Actor, notice: CorrectionIn
) -> Movement:
    """誤記修正 of ``notice.changes`` over ``[valid_from, valid_to)`` (to now if open)."""
    person = person_by_number(notice.person)
    versions = timeline.current_versions(person)
    if notice.valid_from < versions[0].valid_from:
        raise RuleViolation(
            "valid_from.before_record",
            "修正する期間が、この人の最初の記録より前から始まっています。",
            "The period starts before the person's first record.",
            "valid_from",
        )
    if notice.valid_from > today():
        raise RuleViolation(
            "valid_from.future",
            "誤記修正は過去の記録に対して行います（開始日が未来です）。",
            "A clerical correction concerns the past: the period starts in the future.",
            "valid_from",
        )
    if notice.valid_to is not None and notice.valid_to <= notice.valid_from:
        raise RuleViolation(
            "valid_to.order",
            "期間の終わりは始まりより後の日付です。",
            "The end of the period is after its start.",
            "valid_to",
        )
    foreign = versions[-1].kind == "2"
    changes: dict = {}
    for field, raw in notice.changes.items():
        changes.update(_value(field, raw, foreign))
    movement = open_movement(
        municipality=municipality,
        actor=actor,
        reason=Reason.CLERICAL_CORRECTION,
        notice=_Dated(notice),
        notified_on=today(),
        late_after_days=None,
        details={
            "fields": sorted(notice.changes),
            "valid_from": notice.valid_from.isoformat(),
            "valid_to": notice.valid_to.isoformat() if notice.valid_to else None,
        },
    )
    timeline.rewrite(person, movement, notice.valid_from, notice.valid_to, changes)
    return close_movement(movement, actor, [(person, None, None)])


class _Dated:
    """The movement of a correction takes effect from the start of the corrected period."""

    def __init__(self, notice: CorrectionIn) -> None:
        self.effective_on = notice.valid_from
        self.note = notice.note
