"""Setting the schools' districts and sending the 就学通知."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from jichi.audit.services import record as audit
from jichi.benefits.areas import TownAreas
from jichi.benefits.schooling import selectors
from jichi.benefits.schooling.models import EntryNotice, School, SchoolKind
from jichi.common.errors import ErrorCollector, RuleViolation
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor


@transaction.atomic
def set_schools(*, municipality: Municipality, actor: Actor, schools: list[dict]) -> int:
    """Replace the schools (each: code, name, kind primary|junior, address, towns)."""
    errors, codes = ErrorCollector(), set()
    areas = TownAreas(municipality.code, errors)
    for i, school in enumerate(schools):
        field = f"schools.{i}"
        code = str(school.get("code", "")).strip()
        if not code or len(code) > 6 or code in codes:
            errors.add(
                "code.invalid",
                "学校コードは重複しない6文字以内です。",
                "A school code is up to 6 characters, each used once.",
                f"{field}.code",
            )
        codes.add(code)
        if not str(school.get("name", "")).strip():
            errors.add(
                "name.required",
                "学校名を入力してください。",
                "Give the school's name.",
                f"{field}.name",
            )
        kind = school.get("kind")
        if kind not in SchoolKind.values:
            errors.add(
                "kind.choice",
                "種類は primary（小学校）か junior（中学校）です。",
                "kind is primary or junior.",
                f"{field}.kind",
            )
        areas.check(
            school.get("towns", []),
            f"{field}.towns",
            code,
            kind=str(kind),
            what_ja=f"{_label(kind)}の学区",
            what_en=f"{kind} schools' districts",
        )
    errors.raise_if_any()
    if EntryNotice.objects.exclude(school__code__in=codes).exists():
        raise RuleViolation(
            "schools.in_use",
            "就学通知を出した学校は削除できません。",
            "A school named in a 就学通知 cannot be removed.",
            "schools",
            status=409,
        )
    kept = {s.code: s for s in School.objects.all()}
    for school in schools:
        obj = kept.pop(str(school["code"]).strip(), None) or School(municipality=municipality)
        obj.code, obj.name = str(school["code"]).strip(), str(school["name"]).strip()[:60]
        obj.kind, obj.address = school["kind"], str(school.get("address", "")).strip()[:200]
        obj.towns = sorted(school.get("towns", []))
        obj.save()
    School.objects.filter(id__in=[s.id for s in kept.values()]).delete()
    audit(actor, "schooling.schools.set", object_type="schools", details={"schools": len(schools)})
    return len(schools)


def _label(kind) -> str:
    return SchoolKind(kind).label if kind in SchoolKind.values else "学校"


@transaction.atomic
def issue_notices(
    *, municipality: Municipality, actor: Actor, entry_year: int, on: date | None = None
) -> dict:
    """就学通知 to every entrant of April ``entry_year`` who has none yet (run again after
    move-ins); children of a 町字 no school covers are reported, not notified."""
    on = on or timezone.localdate()
    if entry_year < on.year or entry_year > on.year + 1:
        raise RuleViolation(
            "entry_year.range",
            "就学通知は今年か来年4月の入学者に出します。",
            "Notices are for the entrants of this or next April.",
            "entry_year",
        )
    done = set(EntryNotice.objects.filter(entry_year=entry_year).values_list("number", flat=True))
    issued, unassigned = [], []
    for row, school in selectors.entrants(entry_year, on):
        if row.number in done:
            continue
        if school is None:
            unassigned.append(row.number)
            continue
        issued.append(
            EntryNotice(
                municipality=municipality,
                number=row.number,
                entry_year=entry_year,
                school=school,
                child_name=row.full_name,
                guardian_name=selectors.guardian_of(row, on),
                address=f"{municipality.prefecture_name}{municipality.display_name}"
                f"{row.town_name}{row.block}",
                birth_date=row.birth_date,
            )
        )
    EntryNotice.objects.bulk_create(issued)
    audit(
        actor,
        "schooling.notices.issued",
        object_type="notices",
        details={"entry_year": entry_year, "issued": len(issued), "unassigned": len(unassigned)},
    )
    return {"issued": len(issued), "unassigned": unassigned, "already": len(done)}
