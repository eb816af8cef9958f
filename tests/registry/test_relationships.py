"""続柄: the standard's vocabulary, chains with の, and the household member order."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichi.common.errors import RuleViolation
from jichi.registry.dates import UncertainDate
from jichi.registry.relationships import LINK_WORDS, MAX_LINKS, sort_key, validate_relationship

D = datetime.date


def refusal_of(text, field="relationship") -> RuleViolation:
    with pytest.raises(RuleViolation) as refusal:
        validate_relationship(text, field)
    return refusal.value


# --- Accepted --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "世帯主",
        "夫",
        "妻",
        "夫（未届）",
        "妻（未届）",
        "子",
        "父",
        "母",
        "兄",
        "姉",
        "弟",
        "妹",
        "子の子",
        "子の妻",
        "子の夫",
        "妻の父",
        "父の母",
        "子の子の子の子",
        "子の妻（未届）",
        "縁故者",
        "同居人",
    ],
)
def test_standard_relationships_are_accepted_unchanged(text):
    assert validate_relationship(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("妻(未届)", "妻（未届）"),
        ("夫 (未届)", "夫（未届）"),
        ("子の妻(未届)", "子の妻（未届）"),
        (" 子 の 子 ", "子の子"),
        ("世帯主\u3000", "世帯主"),
    ],
)
def test_parentheses_and_spaces_are_normalised(text, expected):
    assert validate_relationship(text) == expected


# --- Refused ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "祖父",
        "祖母",
        "孫",
        "おじ",
        "おば",
        "甥",
        "姪",
        "家事使用人",
        "準世帯主",
        "長男",
        "子の孫",
        "息子",
        "未届",
    ],
)
def test_words_outside_the_vocabulary_are_refused(text):
    refusal = refusal_of(text)
    assert (refusal.code, refusal.field) == ("relationship.vocabulary", "relationship")
    assert "縁故者" in refusal.message_ja and "同居人" in refusal.message_ja


@pytest.mark.parametrize("text", ["子の", "の子", "子のの子"])
def test_an_empty_link_is_refused(text):
    assert refusal_of(text).code == "relationship.vocabulary"


def test_five_links_are_refused_as_too_long():
    refusal = refusal_of("子の子の子の子の子")
    assert (refusal.code, refusal.field) == ("relationship.too_long", "relationship")
    assert "5世代以上" in refusal.message_ja and "縁故者" in refusal.message_ja
    assert "縁故者" in refusal.message_en


@pytest.mark.parametrize("text", ["世帯主の妻", "子の世帯主", "同居人の子", "縁故者の妻"])
def test_standalone_words_are_never_in_a_chain(text):
    refusal = refusal_of(text)
    assert (refusal.code, refusal.field) == ("relationship.standalone", "relationship")


@pytest.mark.parametrize("text", ["妻（未届）の父", "子（未届）", "父(未届)", "子の妻（未届）の子"])
def test_unmarried_only_follows_a_final_husband_or_wife(text):
    refusal = refusal_of(text)
    assert (refusal.code, refusal.field) == ("relationship.unmarried", "relationship")


@pytest.mark.parametrize("text", ["", "  ", None])
def test_blank_is_refused(text):
    assert refusal_of(text).code == "relationship.required"


def test_field_path_names_the_field_but_not_the_code():
    refusal = refusal_of("孫", field="members.2.relationship")
    assert refusal.code == "relationship.vocabulary"
    assert refusal.field == "members.2.relationship"


# --- Properties ------------------------------------------------------------------------

links = st.sampled_from(LINK_WORDS)


@given(st.lists(links, min_size=1, max_size=MAX_LINKS))
def test_any_chain_of_up_to_four_links_validates(chain):
    text = "の".join(chain)
    assert validate_relationship(text) == text


@given(st.lists(links, min_size=MAX_LINKS + 1, max_size=10))
def test_any_chain_of_five_or_more_links_is_refused(chain):
    assert refusal_of("の".join(chain)).code == "relationship.too_long"


@given(st.lists(links, min_size=0, max_size=MAX_LINKS - 1), st.sampled_from(["夫", "妻"]))
def test_unmarried_partner_at_the_end_of_a_chain_validates(chain, spouse):
    text = "の".join([*chain, f"{spouse}（未届）"])
    assert validate_relationship(text) == text


# --- Member order ----------------------------------------------------------------------


def test_household_members_follow_the_standard_order():
    members = [
        ("同居人", D(1990, 1, 1), "0000000108"),
        ("縁故者", D(1950, 1, 1), "0000000107"),
        ("妻の母", D(1945, 1, 1), "0000000106"),
        ("父の父", D(1920, 1, 1), "0000000116"),
        ("兄", D(1968, 1, 1), "0000000105"),
        ("母", D(1942, 1, 1), "0000000104"),
        ("子の子", D(2020, 1, 1), "0000000103"),
        ("子の妻", D(1994, 1, 1), "0000000102"),
        ("子", D(1995, 1, 1), "0000000110"),
        ("子", D(1993, 1, 1), "0000000101"),
        ("妻（未届）", D(1972, 1, 1), "0000000100"),
        ("世帯主", D(1970, 1, 1), "0000000109"),
        ("兄の子", D(2000, 1, 1), "0000000111"),
        ("祖父", D(1900, 1, 1), "0000000112"),
    ]
    ordered = sorted(members, key=lambda m: sort_key(*m))
    assert [m[0] for m in ordered] == [
        "世帯主",
        "妻（未届）",
        "子",
        "子",
        "子の妻",
        "子の子",
        "母",
        "兄",
        "父の父",
        "兄の子",
        "妻の母",
        "縁故者",
        "同居人",
        "祖父",
    ]
    assert [m[1] for m in ordered[2:4]] == [D(1993, 1, 1), D(1995, 1, 1)]


def test_same_rank_and_birth_date_falls_back_to_resident_number():
    a = sort_key("子", D(2000, 1, 1), "0000000200")
    b = sort_key("子", D(2000, 1, 1), "0000000101")
    assert b < a


def test_uncertain_and_missing_birth_dates_sort_by_internal_date_then_last():
    known = sort_key("子", D(2000, 1, 1), "3")
    uncertain = sort_key("子", UncertainDate(D(2001, 1, 1), "year", "2001年頃"), "2")
    missing = sort_key("子", None, "1")
    assert sorted([missing, uncertain, known]) == [known, uncertain, missing]
