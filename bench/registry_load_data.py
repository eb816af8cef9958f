"""What the clerks of ``registry_api_load`` ask for, drawn from the generated register.

Reads draw from a random sample of residents (by name in kana and kanji, birth
date in ISO and 和暦, surname, 宛名番号, 世帯番号). Every movement has a target
of its own, so no two requests touch the same person: whole households for
転居 and 転出, one Japanese resident for 氏名変更, new households (names, birth
dates and 個人番号 that no resident has) for 転入. A few targets of each kind are
kept back for the in-process measurements (:mod:`bench.registry_load_cost`).
"""

from __future__ import annotations

import random
from datetime import timedelta

CODE = "141003"  # 横浜市
SCOPES = ["municipality:read", "registry:read", "registry:write", "registry:read_my_number"]
PURPOSE = "窓口での本人確認"
READ_SAMPLE = 5000
RESERVE = 32  # targets of each movement kept for the in-process measurements
# The mix of one clerk's actions: (name, weight, kind). Reads 82 %, movements 15 %,
# the trivial reference endpoint 3 %.
MIX = [
    ("search_kana", 14, "read"),
    ("search_kanji", 8, "read"),
    ("search_name_birth", 8, "read"),
    ("search_birth", 4, "read"),
    ("search_surname", 3, "read"),
    ("search_number", 4, "read"),
    ("person", 20, "read"),
    ("household", 10, "read"),
    ("timeline", 7, "read"),
    ("person_movements", 4, "read"),
    ("relocation", 6, "write"),
    ("move_in", 4, "write"),
    ("move_out", 2, "write"),
    ("name_change", 3, "write"),
    ("municipality", 3, "reference"),
]
WRITES = [name for name, _, kind in MIX if kind == "write"]
# Who arrives in a 転入: (続柄, sex, age range in years); the first one, two or three.
ARRIVING = [("世帯主", "1", (20, 60)), ("妻", "2", (20, 60)), ("子", "1", (0, 15))]
DESTINATIONS = ["東京都千代田区千代田1番1号", "大阪府大阪市北区中之島1丁目3番20号"]


def counter_pools(needed: dict[str, int], seed: int = 7) -> dict:
    """Read targets and, per movement, ``needed[name]`` bodies (+ a reserve)."""
    from jichi.tenancy.context import tenant_scope

    rng = random.Random(seed)
    with tenant_scope(CODE, "bench targets"):
        persons = _read_sample()
        households = _households(sum(needed[w] + RESERVE for w in WRITES if w != "move_in"))
        pools = {"persons": [_read_target(v) for v in persons]}
        towns = sorted({v.town_code for v in persons})
        for name in ("relocation", "move_out", "name_change"):
            take = needed[name] + RESERVE
            chosen, households = households[:take], households[take:]
            pools[name] = [_BODIES[name](members, rng, towns, persons) for members in chosen]
        pools["move_in"] = _arrivals(needed["move_in"] + RESERVE, rng, towns, persons)
    pools["reserve"] = {w: [pools[w].pop() for _ in range(RESERVE)] for w in WRITES}
    return pools


def _read_sample() -> list:
    from jichi.registry.codes import ResidentStatus
    from jichi.registry.selectors import versions_on

    return list(
        versions_on()
        .filter(status=ResidentStatus.RESIDENT)
        .select_related("person", "household")
        .order_by("?")[:READ_SAMPLE]
    )


def _read_target(v) -> dict:
    from jichi.common.wareki import format_wareki

    japanese = v.kind == "1"
    return {
        "number": v.person.number,
        "household": v.household.number,
        "kana": f"{v.family_name_kana} {v.given_name_kana}" if japanese else v.name_alphabet,
        "kanji": f"{v.family_name} {v.given_name}" if v.family_name else v.name_alphabet,
        "surname_kana": v.family_name_kana if japanese else v.name_alphabet.split()[0],
        "birth": v.birth_date.isoformat(),
        "birth_wareki": format_wareki(v.birth_date) if v.birth_date.year >= 1873 else "",
    }


def _households(count: int) -> list[list]:
    """``count`` random resident households with two or more … or one member, each as the
    list of its members' current versions."""
    from jichi.registry.codes import ResidentStatus
    from jichi.registry.selectors import versions_on

    resident = versions_on().filter(status=ResidentStatus.RESIDENT)
    ids = list(
        resident.filter(is_head=True).order_by("?").values_list("household_id", flat=True)[:count]
    )
    members: dict = {}
    for v in resident.filter(household_id__in=ids).select_related("person"):
        members.setdefault(v.household_id, []).append(v)
    return [members[i] for i in ids]


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _relocation(members, rng, towns, persons) -> dict:
    town = rng.choice([t for t in towns if t != members[0].town_code])
    return {
        "effective_on": _today().isoformat(),
        "persons": [m.person.number for m in members],
        "address": {
            "town": town,
            "block": f"{rng.randint(1, 4)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号",
        },
    }


def _move_out(members, rng, towns, persons) -> dict:
    return {
        "effective_on": (_today() + timedelta(days=7)).isoformat(),
        "persons": [m.person.number for m in members],
        "destination_address": rng.choice(DESTINATIONS),
    }


def _name_change(members, rng, towns, persons) -> dict:
    who = next((m for m in members if m.kind == "1"), None) or members[0]
    other = rng.choice([p for p in persons if p.kind == "1"])
    return {
        "effective_on": _today().isoformat(),
        "person": who.person.number,
        "family_name": other.family_name,
        "family_name_kana": other.family_name_kana,
        "given_name": who.given_name or other.given_name,
        "given_name_kana": who.given_name_kana or other.given_name_kana,
    }


_BODIES = {"relocation": _relocation, "move_out": _move_out, "name_change": _name_change}


def _arrivals(count: int, rng, towns, persons) -> list[dict]:
    """転入 bodies: households of one to three new persons whose name, birth date and sex
    no resident (and no other body) has, with 個人番号 and 住民票コード nobody has."""
    from jichi.registry.models import CURRENT, PersonVersion

    japanese = [p for p in persons if p.kind == "1"]
    by_sex = {sex: [p for p in japanese if p.sex == sex] for sex in ("1", "2")}
    bodies = []
    for i in range(count):
        family = rng.choice(japanese)
        members = ARRIVING[: rng.choice((1, 1, 2, 3))]
        givens = [rng.choice(by_sex[sex]) for _, sex, _ in members]
        people = []
        for k, ((relationship, sex, (young, old)), given) in enumerate(
            zip(members, givens, strict=True)
        ):
            days = rng.randint(young * 365 + 30, old * 365)
            people.append(
                {
                    "family_name": family.family_name,
                    "given_name": given.given_name,
                    "family_name_kana": family.family_name_kana,
                    "given_name_kana": given.given_name_kana,
                    "birth_date": (_today() - timedelta(days=days)).isoformat(),
                    "sex": sex,
                    "relationship": relationship,
                    "domicile": family.domicile,
                    "domicile_head": family.family_name + givens[0].given_name,
                    **_numbers(i * 4 + k),
                }
            )
        bodies.append(
            {
                "effective_on": (_today() - timedelta(days=2)).isoformat(),
                "address": {"town": rng.choice(towns), "block": f"{rng.randint(1, 40)}番地"},
                "previous_address": rng.choice(DESTINATIONS),
                "persons": people,
            }
        )
    keys = {_identity(p)[0] for b in bodies for p in b["persons"]}
    taken = set(
        PersonVersion.objects.filter(CURRENT, kanji_key__in=keys).values_list(
            "kanji_key", "birth_date", "sex"
        )
    )
    kept = []
    for body in bodies:
        identities = [_identity(p) for p in body["persons"]]
        if len(set(identities)) == len(identities) and not taken & set(identities):
            kept.append(body)
            taken |= set(identities)
    return kept


def _numbers(index: int) -> dict:
    from bench.population.sql import SPARE_SERIAL, my_number_of, resident_code_of

    serial = SPARE_SERIAL + 1_000 + index
    return {"my_number": my_number_of(serial), "resident_code": resident_code_of(serial)}


def _identity(person: dict) -> tuple:
    """What the service compares to refuse a duplicate registration (person.duplicate)."""
    from datetime import date

    from jichi.common.kana import search_key

    return (
        search_key(person["family_name"] + person["given_name"]),
        date.fromisoformat(person["birth_date"]),
        person["sex"],
    )
