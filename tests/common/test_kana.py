"""Kana: search keys, conversions and the katakana name rule."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichi.common.errors import RuleViolation
from jichi.common.kana import (
    NAME_KANA_MAX_LENGTH,
    search_key,
    to_fullwidth,
    to_halfwidth,
    to_hiragana,
    to_katakana,
    validate_katakana_name,
)

HIRAGANA = "".join(chr(c) for c in range(0x3041, 0x3097))
KATAKANA = "".join(chr(c) for c in range(0x30A1, 0x30FB))
HALFWIDTH_KANA = "".join(chr(c) for c in range(0xFF66, 0xFFA0))
ASCII = "abcxyzABCXYZ0189-~"
name_like_text = st.text(alphabet=HIRAGANA + KATAKANA + HALFWIDTH_KANA + ASCII + "ー・･ \u3000")
name_parts = st.text(alphabet=KATAKANA + "ー・", min_size=1, max_size=12)


# --- search_key ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling", ["やまだ　たろう", "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ・タロウ", "ヤマダ タロウ", "ﾔﾏﾀﾞ･ﾀﾛｳ"]
)
def test_search_key_makes_spellings_of_one_name_meet(spelling):
    assert search_key(spelling) == "ヤマダタロウ"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("キャッシュ", "キヤツシユ"),
        ("ぁぃぅぇぉっゃゅょゎ", "アイウエオツヤユヨワ"),
        ("ヵヶゕゖ", "カケカケ"),
        ("ヴァイオリン", "ヴアイオリン"),
        ("ゔぁ", "ヴア"),
        ("ｳﾞｧ", "ヴア"),
        ("スーパー", "スーパー"),
        ("ｽｰﾊﾟｰ", "スーパー"),
        ("smith john", "SMITHJOHN"),
        ("Ｓｍｉｔｈ", "SMITH"),
        ("José", "JOSÉ"),
        ("\t\n a\u3000b ", "AB"),
        ("", ""),
    ],
)
def test_search_key_rules(text, expected):
    assert search_key(text) == expected


def test_search_key_keeps_vu_apart_from_bu():
    assert search_key("ヴ") != search_key("ブ")


@given(st.text())
def test_search_key_is_idempotent(text):
    key = search_key(text)

    assert search_key(key) == key


@given(name_like_text)
def test_search_key_ignores_hiragana_or_katakana(text):
    assert search_key(to_hiragana(text)) == search_key(text)
    assert search_key(to_katakana(text)) == search_key(text)


@given(name_like_text)
def test_search_key_ignores_width(text):
    assert search_key(to_halfwidth(text)) == search_key(text)
    assert search_key(to_fullwidth(text)) == search_key(text)


@given(name_like_text)
def test_search_key_has_no_space_dot_hiragana_or_small_kana(text):
    key = search_key(text)

    assert not any(ch.isspace() or ch in "・･" for ch in key)
    assert not any(ch in HIRAGANA for ch in key)
    assert not any(ch in "ァィゥェォッャュョヮヵヶ" for ch in key)


# --- conversions ---------------------------------------------------------------------


def test_to_katakana_converts_every_hiragana_including_small_ka_and_ke():
    assert to_katakana("あいうゔゕゖ") == "アイウヴヵヶ"


def test_to_hiragana_leaves_katakana_without_a_hiragana():
    assert to_hiragana("アヴヷー") == "あゔヷー"


def test_width_conversions_combine_and_split_voiced_marks():
    assert to_fullwidth("ｶﾞｯｺｳ ABC1") == "ガッコウ\u3000ＡＢＣ１"
    assert to_halfwidth("ガッコウ\u3000ＡＢＣ１") == "ｶﾞｯｺｳ ABC1"


@given(st.text(alphabet=KATAKANA.replace("ヵ", "").replace("ヶ", "") + "ー"))
def test_hiragana_katakana_round_trip_for_katakana_with_a_hiragana(text):
    text = "".join(ch for ch in text if ch not in "ヷヸヹヺ")

    assert to_katakana(to_hiragana(text)) == text


# --- validate_katakana_name ------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "ヤマダ タロウ",
        "ヤマダ\u3000タロウ",
        "スミス・ジョン",
        "ヴァン デル ワールス",
        "キョウコ",
        "ア",
    ],
)
def test_katakana_names_are_returned_unchanged(name):
    assert validate_katakana_name(name) == name


def test_halfwidth_katakana_name_is_returned_in_fullwidth():
    assert validate_katakana_name("ﾔﾏﾀﾞ ﾀﾛｰ･ｽﾐｽ") == "ヤマダ タロー・スミス"


def test_name_of_exactly_the_maximum_length_is_accepted():
    name = "ア" * NAME_KANA_MAX_LENGTH

    assert validate_katakana_name(name) == name


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "required"),
        (None, "required"),
        ("やまだ たろう", "katakana_only"),
        ("山田", "katakana_only"),
        ("ヤマダ1", "katakana_only"),
        ("YAMADA", "katakana_only"),
        ("ヤマダ\tタロウ", "katakana_only"),
        ("ヤマダ゛", "katakana_only"),
        (" ヤマダ", "spacing"),
        ("ヤマダ ", "spacing"),
        ("ヤマダ  タロウ", "spacing"),
        ("ヤマダ \u3000タロウ", "spacing"),
        (" ", "spacing"),
        ("ア" * (NAME_KANA_MAX_LENGTH + 1), "too_long"),
    ],
)
def test_bad_katakana_name_is_refused_with_its_rule(name, code):
    with pytest.raises(RuleViolation) as caught:
        validate_katakana_name(name, field="head_name_kana")

    assert caught.value.code == f"head_name_kana.{code}"
    assert caught.value.field == "head_name_kana"


def test_katakana_name_refusal_names_the_offending_character():
    with pytest.raises(RuleViolation) as caught:
        validate_katakana_name("ヤマダ太郎")

    assert caught.value.code == "name_kana.katakana_only"
    assert "「太」" in caught.value.message_ja


@given(st.lists(name_parts, min_size=1, max_size=5), st.sampled_from([" ", "\u3000"]))
def test_parts_joined_by_single_spaces_are_accepted_unchanged(parts, space):
    name = space.join(parts)

    assert validate_katakana_name(name) == name
