"""Writes of the resident register: one function per business action, each one
transaction with its movement, audit entry and events."""

from jichi.registry.services.amendments import (
    record_alias,
    record_domicile_change,
    record_former_surname,
    record_head_change,
    record_household_merge,
    record_household_split,
    record_name_change,
    record_relationship_change,
    record_relocation,
    record_residence_status_change,
)
from jichi.registry.services.corrections import record_correction
from jichi.registry.services.protection import end_protection, extend_protection, start_protection
from jichi.registry.services.records import (
    record_birth,
    record_by_authority,
    record_foreign_resident,
    record_move_in,
    record_move_in_from_abroad,
)
from jichi.registry.services.removals import (
    record_death,
    record_move_out,
    record_move_out_abroad,
    remove_by_authority,
)

__all__ = [
    "end_protection",
    "extend_protection",
    "record_alias",
    "record_birth",
    "record_by_authority",
    "record_correction",
    "record_death",
    "record_domicile_change",
    "record_foreign_resident",
    "record_former_surname",
    "record_head_change",
    "record_household_merge",
    "record_household_split",
    "record_move_in",
    "record_move_in_from_abroad",
    "record_move_out",
    "record_move_out_abroad",
    "record_name_change",
    "record_relationship_change",
    "record_relocation",
    "record_residence_status_change",
    "remove_by_authority",
    "start_protection",
]
