"""The register's tables an import writes, column by column (see :mod:`jichi.common.bulk`)."""

from __future__ import annotations

from jichi.common.bulk import Inserter
from jichi.registry.models import (
    Household,
    Movement,
    MovementSubject,
    Person,
    PersonVersion,
    Protection,
    ProtectionOffender,
)

# The data items of a version as the file gives them (the rest is keys and derived).
VERSION_DATA = [
    f.attname
    for f in PersonVersion._meta.concrete_fields
    if f.attname
    not in {
        "id",
        "municipality_id",
        "person_id",
        "movement_id",
        "household_id",
        "name_key",
        "kanji_key",
        "my_number_cipher",
        "my_number_index",
    }
]


MOVEMENTS = Inserter(
    Movement,
    [
        "id",
        "municipality_id",
        "reason",
        "category",
        "effective_on",
        "notified_on",
        "recorded_at",
        "actor_kind",
        "actor_id",
        "actor_label",
        "late",
        "note",
        "details",
    ],
)
HOUSEHOLDS = Inserter(Household, ["id", "municipality_id", "number", "created_at"])
PERSONS = Inserter(Person, ["id", "municipality_id", "number", "created_at"])
VERSIONS = Inserter(
    PersonVersion,
    [
        "id",
        "municipality_id",
        "person_id",
        "movement_id",
        "household_id",
        *VERSION_DATA,
        "name_key",
        "kanji_key",
        "my_number_cipher",
        "my_number_index",
    ],
)
SUBJECTS = Inserter(
    MovementSubject,
    [
        "id",
        "municipality_id",
        "movement_id",
        "person_id",
        "household_before_id",
        "household_after_id",
    ],
)
PROTECTIONS = Inserter(
    Protection,
    [
        "id",
        "municipality_id",
        "person_id",
        "starts_on",
        "ends_on",
        "provisional",
        "created_at",
        "ended_at",
    ],
)
OFFENDERS = Inserter(
    ProtectionOffender,
    [
        "id",
        "municipality_id",
        "protection_id",
        "name",
        "name_key",
        "kana_key",
        "birth_date",
        "person_id",
    ],
)
TABLES = (MOVEMENTS, HOUSEHOLDS, PERSONS, VERSIONS, SUBJECTS, PROTECTIONS, OFFENDERS)
