"""Reads of the resident register: as of a date, as recorded at a time, search, statistics.

"As of D" reads the version valid on D; "as recorded at T" reads what the
office knew at T (versions recorded by T and not yet superseded then).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from jichi.common.checkdigits import normalize_digits
from jichi.common.errors import RuleViolation
from jichi.common.kana import is_kana_key, search_key
from jichi.common.secrets import my_number_index
from jichi.registry.codes import ResidentStatus
from jichi.registry.dates import parse_birth_date
from jichi.registry.models import (
    CURRENT,
    Household,
    Movement,
    MovementSubject,
    Person,
    PersonVersion,
    Protection,
    ProtectionOffender,
)


def known_at(recorded_at: datetime | None) -> Q:
    """The versions the office knew at ``recorded_at`` (now when None)."""
    if recorded_at is None:
        return CURRENT
    return Q(recorded_at__lte=recorded_at) & (
        Q(superseded_at__isnull=True) | Q(superseded_at__gt=recorded_at)
    )


def valid_on(on: date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))


def versions_on(
    on: date | None = None, recorded_at: datetime | None = None
) -> QuerySet[PersonVersion]:
    """One version per person: the one valid on ``on`` as known at ``recorded_at``."""
    return PersonVersion.objects.filter(known_at(recorded_at), valid_on(on or timezone.localdate()))


def person(number: str, field: str = "number") -> Person:
    """The person with this 宛名番号 (a 404 naming ``field`` otherwise)."""
    found = Person.objects.filter(number=normalize_digits(number or "")).first()
    if found is None:
        raise RuleViolation(
            "person.not_found",
            "宛名番号に該当する人がいません。",
            "No person has this resident number.",
            field,
            status=404,
        )
    return found


def person_on(
    found: Person, on: date | None = None, recorded_at: datetime | None = None
) -> PersonVersion:
    version = (
        versions_on(on, recorded_at)
        .filter(person=found)
        .select_related("household", "movement")
        .first()
    )
    if version is None:
        raise RuleViolation(
            "person.no_record_on_date",
            "その日付の記録がありません。",
            "The person has no record on that date.",
            "on",
            status=404,
        )
    return version


def numbered_person_on(
    number: str, on: date | None = None, recorded_at: datetime | None = None
) -> PersonVersion:
    """:func:`person_on` of the person with this 宛名番号 (``version.person``) in one
    query; the same 404s as :func:`person` and :func:`person_on`."""
    version = (
        versions_on(on, recorded_at)
        # The person's own tenant key, so its (municipality, number) index serves the join.
        .filter(
            person__number=normalize_digits(number or ""), person__municipality=F("municipality")
        )
        .select_related("person", "household", "movement")
        .first()
    )
    if version is None:
        return person_on(person(number), on, recorded_at)  # raises the 404 that applies
    return version


def timeline(found: Person, recorded_at: datetime | None = None) -> list[PersonVersion]:
    """Every period of the person's record, oldest first, as known at ``recorded_at``."""
    return list(
        PersonVersion.objects.filter(known_at(recorded_at), person=found)
        .select_related("movement", "household")
        .order_by("valid_from")
    )


def timelines(person_ids: list) -> dict:
    """:func:`timeline` of several persons in one query: person id → versions, oldest
    first, each with its ``person``, ``movement`` and ``household`` loaded."""
    found: dict = {}
    versions = (
        PersonVersion.objects.filter(known_at(None), person_id__in=person_ids)
        .select_related("person", "movement", "household")
        .order_by("person_id", "valid_from")
    )
    for version in versions:
        found.setdefault(version.person_id, []).append(version)
    return found


def history(found: Person) -> list[PersonVersion]:
    """Every version ever recorded, superseded ones too (履歴), by 履歴番号."""
    return list(
        PersonVersion.objects.filter(person=found).select_related("movement").order_by("history_no")
    )


def household(number: str, field: str = "number") -> Household:
    """The household with this 世帯番号 (a 404 naming ``field`` otherwise)."""
    found = Household.objects.filter(number=normalize_digits(number or "")).first()
    if found is None:
        raise RuleViolation(
            "household.not_found",
            "世帯番号に該当する世帯がありません。",
            "No household has this number.",
            field,
            status=404,
        )
    return found


def household_members(
    found: Household, on: date | None = None, recorded_at: datetime | None = None
) -> list[PersonVersion]:
    from jichi.registry.relationships import sort_key

    members = list(
        versions_on(on, recorded_at)
        .filter(household=found, status=ResidentStatus.RESIDENT)
        .select_related("person", "household")
    )
    return sorted(members, key=lambda v: sort_key(v.relationship, v.birth_date, v.person.number))


def movements_of(found: Person) -> QuerySet[Movement]:
    touching = MovementSubject.objects.filter(person=found).values("movement_id")
    return Movement.objects.filter(id__in=touching).order_by("recorded_at")


def persons_of(movement: Movement | str) -> list[Person]:
    """The persons a movement (or the movement of this id) touched, by 宛名番号."""
    movement_id = movement.id if isinstance(movement, Movement) else movement
    touched = MovementSubject.objects.filter(movement_id=movement_id).values("person_id")
    return list(Person.objects.filter(id__in=touched).order_by("number"))


def subjects_of(movement: Movement, on: date | None = None) -> list[tuple[str, bool]]:
    """(宛名番号, under an active 支援措置 on ``on``) of each person ``movement`` touched,
    by 宛名番号, in one query."""
    on = on or timezone.localdate()
    active = Protection.objects.filter(
        person=OuterRef("person_id"), ended_at__isnull=True, starts_on__lte=on, ends_on__gte=on
    )
    return list(
        MovementSubject.objects.filter(movement_id=movement.id)
        .annotate(protected=Exists(active))
        .order_by("person__number")
        .values_list("person__number", "protected")
    )


def with_subjects(movements: QuerySet[Movement]) -> QuerySet[Movement]:
    """``movements`` with the persons each touched, read in one more query."""
    subjects = MovementSubject.objects.select_related("person").order_by("person__number")
    return movements.prefetch_related(Prefetch("subjects", queryset=subjects))


# --- protection --------------------------------------------------------------------


def active_protection(found: Person, on: date | None = None) -> Protection | None:
    on = on or timezone.localdate()
    return Protection.objects.filter(
        person=found, ended_at__isnull=True, starts_on__lte=on, ends_on__gte=on
    ).first()


def protected_person_ids(on: date | None = None) -> set:
    on = on or timezone.localdate()
    return set(
        Protection.objects.filter(
            ended_at__isnull=True, starts_on__lte=on, ends_on__gte=on
        ).values_list("person_id", flat=True)
    )


def protected_numbers(numbers: list[str]) -> set[str]:
    """Which of these 宛名番号 belong to persons under an active 支援措置."""
    wanted = {normalize_digits(n) for n in numbers}
    protected = protected_person_ids()
    if not wanted or not protected:
        return set()
    return set(
        Person.objects.filter(number__in=sorted(wanted), id__in=protected).values_list(
            "number", flat=True
        )
    )


def hidden_from(
    requester_name: str = "", requester_birth: date | None = None, requester: Person | None = None
) -> set:
    """Persons whose listed offenders match the requester: never shown to them."""
    protected = protected_person_ids()
    if not protected:
        return set()
    condition = Q()
    if requester is not None:
        condition |= Q(person=requester)
    if requester_name:
        key = search_key(requester_name)
        by_name = Q(name_key=key) | Q(kana_key=key)
        if requester_birth:
            by_name &= Q(birth_date=requester_birth) | Q(birth_date__isnull=True)
        condition |= by_name
    if not condition:
        return set()
    return set(
        ProtectionOffender.objects.filter(
            condition, protection__person_id__in=protected
        ).values_list("protection__person_id", flat=True)
    )


# --- search ------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    name: str = ""  # kanji or kana, width- and kana-insensitive, prefix of the full name
    birth_date: str = ""  # ISO or 和暦
    town: str = ""  # 町字 code or name (prefix)
    number: str = ""  # 宛名番号
    my_number: str = ""  # 個人番号 (only for roles that may)
    include_removed: bool = False  # 除票 too
    on: date | None = None


def search(
    query: SearchQuery, *, municipality_code: str, hidden: set = frozenset()
) -> QuerySet[PersonVersion]:
    """Current records matching every given criterion, ordered by reading and 宛名番号."""
    versions = versions_on(query.on).select_related("person", "household")
    if not query.include_removed:
        versions = versions.filter(status=ResidentStatus.RESIDENT)
    if query.name.strip():
        key = search_key(query.name)
        versions = versions.filter(**{f"{name_key_of(query)}__prefix": key})
    if query.birth_date.strip():
        versions = versions.filter(
            birth_date=parse_birth_date(query.birth_date, "birth_date").value
        )
    if query.town.strip():
        town = query.town.strip()
        versions = versions.filter(Q(town_code=town) | Q(town_name__prefix=town))
    if query.number.strip():
        # The person's own tenant key, so its (municipality, number) index serves the join.
        versions = versions.filter(
            person__number=normalize_digits(query.number), person__municipality=F("municipality")
        )
    if query.my_number.strip():
        versions = versions.filter(
            my_number_index=my_number_index(query.my_number, municipality_code)
        )
    if hidden:
        versions = versions.exclude(person_id__in=hidden)
    return versions.order_by(*search_order(query))


def name_key_of(query: SearchQuery) -> str:
    """The key a name search compares: the reading for kana (a name written in kana is
    read as written, so its reading matches too), the written name otherwise (kanji,
    alphabet)."""
    return (
        "name_key" if is_kana_key(search_key(query.name)) or not query.name.strip() else "kanji_key"
    )


def search_order(query: SearchQuery) -> tuple[str, str]:
    """The order of search results: by the key searched, then by person (unique, so
    pages never skip or repeat a row)."""
    return (name_key_of(query), "person_id")


# --- statistics (住基人口) ------------------------------------------------------------

BAND_YEARS = 5
TOP_BAND = 100  # 100歳以上


def years_before(on: date, years: int) -> date:
    """The same day ``years`` earlier (28 February for a 29 February that does not exist)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def band_expression(on: date) -> Case:
    """The 5-year age band on ``on`` as SQL: age ≥ n ⟺ born on or before ``n`` years before."""
    whens = [When(birth_date__lte=years_before(on, TOP_BAND), then=Value(f"{TOP_BAND}+"))]
    for low in range(TOP_BAND - BAND_YEARS, -1, -BAND_YEARS):
        whens.append(
            When(birth_date__lte=years_before(on, low), then=Value(f"{low}-{low + BAND_YEARS - 1}"))
        )
    return Case(*whens, default=Value("unborn"), output_field=CharField())


def population(on: date) -> dict:
    """住基人口 on a date: by 町字 × 5-year band × sex, households, Japanese/foreign.

    People with a 転出予定日 later than ``on`` are still residents on ``on``
    (their 転出 version starts on that day). Grouped in the database.
    """
    residents = versions_on(on).filter(status=ResidentStatus.RESIDENT)
    rows = (
        residents.annotate(band=band_expression(on))
        .values_list("town_code", "town_name", "band", "sex", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    cells: dict[tuple[str, str, str, str], int] = {}
    by_kind: dict[str, int] = {}
    town_kinds: dict[tuple[str, str], int] = {}  # (町字, 住民種別) → persons
    for town, name, band, sex, kind, n in rows:
        cells[(town, name, band, sex)] = cells.get((town, name, band, sex), 0) + n
        by_kind[kind] = by_kind.get(kind, 0) + n
        town_kinds[(town, kind)] = town_kinds.get((town, kind), 0) + n
    households = dict(
        residents.values("town_code")
        .annotate(n=Count("household", distinct=True))
        .values_list("town_code", "n")
        .order_by()
    )
    return {
        "on": on,
        "cells": cells,
        "households": households,
        "by_kind": by_kind,
        "town_kinds": town_kinds,
    }


def population_by_town(stats: dict) -> list[dict]:
    """One row per 町字 of :func:`population`'s answer: persons by sex and kind, households."""
    towns: dict[str, dict] = {}
    for (town, name, _band, sex), n in stats["cells"].items():
        row = towns.setdefault(
            town,
            {"town_code": town, "town_name": name, "total": 0, "male": 0, "female": 0},
        )
        row["total"] += n
        row["male" if sex == "1" else "female"] += n
    for row in towns.values():
        row["japanese"] = stats["town_kinds"].get((row["town_code"], "1"), 0)
        row["foreign"] = stats["town_kinds"].get((row["town_code"], "2"), 0)
        row["households"] = stats["households"].get(row["town_code"], 0)
    return [towns[t] for t in sorted(towns)]


BANDS = [f"{low}-{low + BAND_YEARS - 1}" for low in range(0, TOP_BAND, BAND_YEARS)] + [
    f"{TOP_BAND}+"
]


def movements_by_month(year: int) -> dict[tuple[int, str], int]:
    """Movements of a year by month of 異動日 and reason."""
    rows = (
        Movement.objects.filter(effective_on__year=year)
        .values_list("effective_on__month", "reason")
        .annotate(n=Count("id"))
    )
    return {(month, reason): n for month, reason, n in rows}


# --- for the businesses derived from the register --------------------------------------

# What the derived businesses (選挙人名簿, 就学, 児童手当 …) read of each person; they get
# these rows and never the register's tables.
RESIDENT_ROW_FIELDS = (
    "person_id", "person__number", "kind", "status", "family_name", "given_name",
    "family_name_kana", "given_name_kana", "name_alphabet", "birth_date", "sex",
    "town_code", "town_name", "block", "building", "household__number", "relationship",
    "is_head", "became_resident_on", "valid_from",
)  # fmt: skip


NUMBERS_A_QUERY = 1000  # well under SQLite's limit of bound parameters


@dataclass(frozen=True)
class ResidentRow:
    person_id: object
    number: str  # 宛名番号
    kind: str
    status: str
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    name_alphabet: str
    birth_date: date
    sex: str
    town_code: str
    town_name: str
    block: str
    building: str
    household: str | None  # 世帯番号
    relationship: str
    is_head: bool
    became_resident_on: date
    since: date  # the first day of this version (the day of a 転出 for one who left)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.given_name) if p) or self.name_alphabet

    @property
    def full_name_kana(self) -> str:
        return " ".join(p for p in (self.family_name_kana, self.given_name_kana) if p)


def _resident_versions(
    on: date,
    statuses: tuple[str, ...],
    kind: str | None,
    born_on_or_before: date | None,
    born_after: date | None,
    resident_since_on_or_before: date | None,
) -> QuerySet[PersonVersion]:
    versions = versions_on(on).filter(status__in=statuses)
    if kind is not None:
        versions = versions.filter(kind=kind)
    if born_on_or_before is not None:
        versions = versions.filter(birth_date__lte=born_on_or_before)
    if born_after is not None:
        versions = versions.filter(birth_date__gt=born_after)
    if resident_since_on_or_before is not None:
        versions = versions.filter(became_resident_on__lte=resident_since_on_or_before)
    return versions


def resident_rows(
    on: date,
    *,
    statuses: tuple[str, ...] = (ResidentStatus.RESIDENT,),
    kind: str | None = None,
    born_on_or_before: date | None = None,
    born_after: date | None = None,
    resident_since_on_or_before: date | None = None,
    numbers: list[str] | None = None,
    chunk_size: int = 20_000,
):
    """The persons as the register has them on ``on``, one :class:`ResidentRow` each,
    streamed in 宛名番号 order, narrowed by status, 住民種別, birth date and
    住民となった日, and to the 宛名番号 ``numbers`` if given (read a thousand at a time)."""
    versions = _resident_versions(
        on, statuses, kind, born_on_or_before, born_after, resident_since_on_or_before
    ).order_by("person__number")
    if numbers is None:
        parts = [versions]
    else:
        wanted = sorted(set(numbers))
        parts = [
            versions.filter(person__number__in=wanted[i : i + NUMBERS_A_QUERY])
            for i in range(0, len(wanted), NUMBERS_A_QUERY)
        ]
    for part in parts:
        for row in part.values_list(*RESIDENT_ROW_FIELDS).iterator(chunk_size=chunk_size):
            yield ResidentRow(*row)


# No person id: loading a UUID costs ten times the rest of a row; the 宛名番号 is a key too.
RESIDENT_KEY_FIELDS = (
    "person__number", "status", "sex", "town_code", "became_resident_on", "valid_from",
)  # fmt: skip


def resident_keys(on: date, *, chunk_size: int = 50_000, **narrowing):
    """As :func:`resident_rows`, only the tuples ``(宛名番号, status, sex, 町字,
    住民となった日, since)`` and in no order: what a computation over a whole
    register needs."""
    versions = _resident_versions(
        on,
        narrowing.get("statuses", (ResidentStatus.RESIDENT,)),
        narrowing.get("kind"),
        narrowing.get("born_on_or_before"),
        narrowing.get("born_after"),
        narrowing.get("resident_since_on_or_before"),
    )
    rows = versions.order_by().values_list(*RESIDENT_KEY_FIELDS)
    if connection.vendor != "postgresql":
        return rows.iterator(chunk_size=chunk_size)
    return _raw_rows(rows, chunk_size)


def _raw_rows(rows: QuerySet, chunk_size: int):
    """The rows of ``rows`` as psycopg gives them (UUIDs, dates, strings need no Django
    conversion): a quarter of the cost of the ORM's iterator over a million rows."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(chunk_size):
            yield from chunk
