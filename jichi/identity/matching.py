"""Matching the 基本4情報 of a signing certificate to residents of the register."""

from __future__ import annotations

from datetime import date

from jichi.identity import facts as card_facts
from jichi.registry import selectors as registry
from jichi.registry.codes import ResidentStatus
from jichi.tenancy.models import Municipality

MAX_CANDIDATES = 200  # residents sharing a name, compared one by one
_FIELDS = ("person__number", "birth_date", "birth_precision", "town_name", "block", "building")


def residents_matching(municipality: Municipality, facts: card_facts.Facts, on: date) -> list[str]:
    """The 宛名番号 of the residents of ``municipality`` on ``on`` whose four facts equal
    ``facts``.

    Equal means equal after :func:`jichi.identity.facts.normalise` (name and
    address) and exactly for sex and birth date, the register's facts written as a
    card writes them (:func:`jichi.identity.facts.of_record`). The name is compared
    in the query: the register's name key is the same normalisation of the same
    name (氏 + 名, or the alphabet name), and indexed. Runs in the municipality's
    tenant scope.
    """
    name, sex, birth_date, address = facts.normalised()
    if not name:
        return []
    rows = (
        registry.versions_on(on)
        .filter(status=ResidentStatus.RESIDENT, kanji_key=name, sex=sex)
        .values_list(*_FIELDS)[:MAX_CANDIDATES]
    )
    return [
        number
        for number, born, precision, town, block, building in rows
        if card_facts.encode_birth_date(born, precision) == birth_date
        and card_facts.normalise_address(card_facts.address_of(municipality, town, block, building))
        == address
    ]
