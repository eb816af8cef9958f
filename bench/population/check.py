"""Is the generated register what the services would have written?

Three kinds of evidence, each failing loudly (:class:`PopulationMismatch`):

1. invariants over every row: one head per resident household, one open
   current version per person, the code columns inside their vocabularies;
2. a sample of rows through the project's own functions: check digits of
   宛名番号, 世帯番号, 住民票コード; the 個人番号 opened with the data key and
   found again by its blind index; the search keys recomputed from the names;
3. the services themselves on the generated data: a 転入 (Japanese household)
   and a 国外転入 (foreign resident) written by the services are compared
   column by column (empty, null or set) with generated rows of the same kind,
   and a 転居 of a generated household must succeed and write the same shape as
   the generated 転居.
"""

from __future__ import annotations

from datetime import timedelta

SAMPLE = 300
_SKIPPED = {"id", "recorded_at", "superseded_at", "building"}  # 方書 is optional


class PopulationMismatch(AssertionError):
    """The generated data differs from what the services write."""


def check(code: str) -> dict:
    """Run every check in ``code``'s register; returns what was checked."""
    from jichi.tenancy.context import tenant_scope

    with tenant_scope(code, "bench population check"):
        invariants = _invariants()
        sampled = _sample(code)
    with tenant_scope(code, "bench population check"):
        compared = _against_services(code)
    return {**invariants, **sampled, **compared}


def _fail_if(condition: bool, what: str) -> None:
    if condition:
        raise PopulationMismatch(what)


def _invariants() -> dict:
    from django.db import connection

    from jichi.registry.codes import Reason, ResidentKind, ResidentStatus, Sex
    from jichi.registry.relationships import validate_relationship

    with connection.cursor() as c:
        c.execute(
            "SELECT count(*) FROM (SELECT household_id FROM registry_personversion WHERE "
            "superseded_at IS NULL AND valid_to IS NULL AND status = '1' GROUP BY household_id "
            "HAVING count(*) FILTER (WHERE is_head) <> 1) x"
        )
        _fail_if(c.fetchone()[0], "a resident household without exactly one head")
        c.execute(
            "SELECT (SELECT count(*) FROM registry_person), count(*), count(DISTINCT person_id) "
            "FROM registry_personversion WHERE superseded_at IS NULL AND valid_to IS NULL"
        )
        persons, open_versions, with_one = c.fetchone()
        _fail_if(
            not persons == open_versions == with_one,
            "a person without exactly one open current version",
        )
        vocabularies = {
            "reason": set(Reason.values),
            "status": set(ResidentStatus.values),
            "kind": set(ResidentKind.values),
            "sex": set(Sex.values),
        }
        for column, allowed in vocabularies.items():
            c.execute(f"SELECT DISTINCT {column} FROM registry_personversion")
            found = {row[0] for row in c.fetchall()}
            _fail_if(bool(found - allowed), f"{column} outside its codes: {found - allowed}")
        c.execute("SELECT DISTINCT relationship FROM registry_personversion")
        relationships = [row[0] for row in c.fetchall()]
        for value in relationships:
            validate_relationship(value)
        c.execute(
            "SELECT count(*) FILTER (WHERE status = '1'), count(*) FROM registry_personversion "
            "WHERE superseded_at IS NULL AND valid_to IS NULL"
        )
        residents, persons = c.fetchone()
    return {"residents_checked": residents, "persons_checked": persons}


def _sample(code: str) -> dict:
    from jichi.common.checkdigits import (
        validate_household_number,
        validate_resident_number,
        validate_resident_record_code,
    )
    from jichi.common.secrets import my_number_index, open_my_number
    from jichi.registry.models import CURRENT, PersonVersion
    from jichi.registry.timeline import name_keys

    versions = (
        PersonVersion.objects.filter(CURRENT)
        .select_related("person", "household")
        .order_by("?")[:SAMPLE]
    )
    for v in versions:
        validate_resident_number(v.person.number)
        validate_household_number(v.household.number)
        validate_resident_record_code(v.resident_code)
        number = open_my_number(v.my_number_cipher, code)
        _fail_if(my_number_index(number, code) != v.my_number_index, "個人番号 index")
        items = {f: getattr(v, f) for f in ("family_name", "given_name", "name_alphabet")}
        items.update(family_name_kana=v.family_name_kana, given_name_kana=v.given_name_kana)
        expected = name_keys(items)
        _fail_if(
            (v.name_key, v.kanji_key) != (expected["name_key"], expected["kanji_key"]),
            f"search keys of {v.person.number}",
        )
    return {"sampled_versions": len(versions)}


def _shape(row) -> dict:
    """Each column of a row as null, blank or set (values differ, shapes must not)."""
    shape = {}
    for f in type(row)._meta.concrete_fields:
        if f.attname in _SKIPPED:
            continue
        value = getattr(row, f.attname)
        shape[f.attname] = "null" if value is None else "blank" if value in ("", b"") else "set"
    return shape


def _compare(generated, written, what: str) -> None:
    a, b = _shape(generated), _shape(written)
    differ = {k: (a[k], b[k]) for k in a if a[k] != b[k]}
    _fail_if(bool(differ), f"{what}: generated vs services differ in {differ}")


def _against_services(code: str) -> dict:
    from jichi.tenancy.models import Municipality
    from jichi.tenancy.principals import Actor

    context = (Municipality.objects.get(code=code), Actor.system("bench-check"))
    _arrivals(*context)
    _relocation(*context)
    _move_out(*context)
    return {"compared_with_services": ["転入", "国外転入", "転居", "転出"]}


def _current():
    from jichi.registry.models import CURRENT, PersonVersion

    return PersonVersion.objects.filter(CURRENT)


def _arrivals(municipality, actor) -> None:
    """A Japanese couple that never moved, and a foreign resident from abroad."""
    from django.utils import timezone

    from jichi.registry import services
    from jichi.registry.schemas import ArrivalIn

    spouse = _current().filter(kind="1", history_no=1, relationship__in=["妻", "夫"]).first()
    head = _current().filter(household=spouse.household, is_head=True).first()
    foreign = _current().filter(kind="2", history_no=1, is_head=True).exclude(family_name="")
    arrivals = [
        (services.record_move_in, [head, spouse], "転入"),
        (services.record_move_in_from_abroad, [foreign.first()], "国外転入"),
    ]
    for call, (service, generated, label) in enumerate(arrivals):
        notice = ArrivalIn(
            effective_on=timezone.localdate() - timedelta(days=3),
            address={
                "town": generated[0].town_code,
                "block": generated[0].block,
                "building": generated[0].building,
            },
            previous_address=generated[0].previous_address,
            persons=[_person_in(v, call * 10 + i) for i, v in enumerate(generated)],
        )
        movement = service(municipality=municipality, actor=actor, notice=notice)
        written = sorted(movement.versions.all(), key=lambda v: not v.is_head)
        for g, w in zip(generated, written, strict=True):
            _compare(g, w, f"{label} version")
        _compare(generated[0].movement, movement, f"{label} movement")
        _compare(generated[0].movement.subjects.first(), movement.subjects.first(), label)


def _relocation(municipality, actor) -> None:
    """A household that moved (転居) moves again: the new versions, the restated one."""
    from django.utils import timezone

    from jichi.registry import services
    from jichi.registry.models import PersonVersion
    from jichi.registry.schemas import RelocationIn

    moved = _current().filter(history_no=3, reason="31", status="1", is_head=True).first()
    restated = _current().get(person=moved.person, history_no=2)
    members = {m.person_id: m for m in _current().filter(household=moved.household, valid_to=None)}
    other = _current().exclude(town_code=moved.town_code).first()
    movement = services.record_relocation(
        municipality=municipality,
        actor=actor,
        notice=RelocationIn(
            effective_on=timezone.localdate(),
            persons=[m.person.number for m in members.values()],
            address={"town": other.town_code, "block": "1丁目2番3号"},
        ),
    )
    for new in movement.versions.all():
        _compare(members[new.person_id], new, "転居 version")
    again = PersonVersion.objects.get(
        person=moved.person, recorded_at=movement.recorded_at, valid_to__isnull=False
    )
    _compare(restated, again, "転居 restated version")
    _compare(moved.movement, movement, "転居 movement")
    _compare(moved.movement.subjects.first(), movement.subjects.first(), "転居 subject")


def _move_out(municipality, actor) -> None:
    """A household that never moved leaves (転出), as the generated 除票 did."""
    from django.utils import timezone

    from jichi.registry import services
    from jichi.registry.schemas import DepartureIn

    gone = _current().filter(history_no=3, reason="21", is_head=True).first()
    stays = _current().filter(history_no=1, status="1", is_head=True).first()
    members = _current().filter(household=stays.household, valid_to=None)
    movement = services.record_move_out(
        municipality=municipality,
        actor=actor,
        notice=DepartureIn(
            effective_on=timezone.localdate() + timedelta(days=7),
            persons=[m.person.number for m in members],
            destination_address=gone.destination_address,
        ),
    )
    head = movement.versions.get(is_head=True)
    _compare(gone, head, "転出 version")
    _compare(gone.movement, movement, "転出 movement")
    _compare(gone.movement.subjects.first(), movement.subjects.first(), "転出 subject")


def _person_in(version, index: int) -> dict:
    """A service's input for a person like ``version`` (another given name: no duplicate)."""
    from bench.population.sql import SPARE_SERIAL, my_number_of, resident_code_of

    data = {f: getattr(version, f) for f in PERSON_FIELDS}
    data.update(
        given_name=version.given_name + "子" if version.given_name else "",
        birth_date=version.birth_date.isoformat(),
        my_number=my_number_of(SPARE_SERIAL + index),
        resident_code=resident_code_of(SPARE_SERIAL + index),
    )
    return {k: v for k, v in data.items() if v not in ("", None)}


PERSON_FIELDS = (
    "kind",
    "family_name",
    "family_name_kana",
    "given_name_kana",
    "name_alphabet",
    "sex",
    "relationship",
    "domicile",
    "domicile_head",
    "nationality",
    "article_30_45",
    "residence_status",
    "residence_period",
    "residence_expiry",
    "residence_card_no",
)
