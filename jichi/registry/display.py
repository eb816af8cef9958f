"""How a record's items are written out (API, pages, certificates): addresses, birth dates."""

from __future__ import annotations

from jichi.registry.codes import ResidentKind
from jichi.registry.dates import UncertainDate
from jichi.registry.models import PersonVersion


def address_of(municipality, version: PersonVersion) -> str:
    """The full address: prefecture, municipality (with the ward), 町字, 番地 (no 方書)."""
    return (
        f"{municipality.prefecture_name}{municipality.display_name}"
        f"{version.town_name}{version.block}"
    )


def full_address(municipality, version: PersonVersion) -> str:
    """The address with its 方書 after a full-width space (前住所 in another register)."""
    address = address_of(municipality, version)
    return f"{address}\u3000{version.building}" if version.building else address


def birth_display(version: PersonVersion) -> str:
    """The birth date as the register writes it: 和暦 for Japanese residents, with 不詳 parts."""
    birth = UncertainDate(version.birth_date, version.birth_precision, version.birth_note)
    return birth.display(foreign=version.kind == ResidentKind.FOREIGN)
