"""Code lists of the register: values, categories, the standard's mapping, foreign items."""

import datetime
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichi.common.errors import RuleViolation
from jichi.registry.codes import (
    REQUIRED_ITEMS_BY_ARTICLE,
    STANDARD_CATEGORIES,
    STANDARD_CATEGORY,
    Article30_45,
    Reason,
    ReasonCategory,
    ResidenceStatus,
    ResidentKind,
    ResidentStatus,
    Sex,
    category_of,
    normalize_residence_card_no,
    parse_reason,
    reason_from_standard,
    validate_foreign_items,
)

# --- Plain code lists ------------------------------------------------------------------


def test_sex_uses_the_mado_codes():
    assert Sex.choices == [("1", "男"), ("2", "女")]


def test_resident_kind_and_status_codes():
    assert ResidentKind.choices == [("1", "日本人住民"), ("2", "外国人住民")]
    assert dict(ResidentStatus.choices) == {
        "1": "住民",
        "2": "転出者",
        "3": "死亡者",
        "9": "消除者",
    }


def test_reason_codes_are_two_digits_and_unique():
    assert all(len(r.value) == 2 and r.value.isdigit() for r in Reason)
    assert len({r.value for r in Reason}) == len(Reason)
    assert Reason("13").label == "出生"
    assert Reason.CLERICAL_CORRECTION == "44"


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        (Reason.MOVE_IN, ReasonCategory.RECORD),
        (Reason.FOREIGN_RESIDENT_RECORDED, ReasonCategory.RECORD),
        (Reason.RECORDED_ON_NATIONALITY_LOSS, ReasonCategory.RECORD),
        (Reason.MOVE_OUT_ABROAD, ReasonCategory.REMOVE),
        (Reason.REMOVED_ON_NATURALISATION, ReasonCategory.REMOVE),
        (Reason.MOVE_WITHIN, ReasonCategory.AMEND),
        (Reason.AMEND_EX_OFFICIO, ReasonCategory.AMEND),
        ("23", ReasonCategory.REMOVE),
    ],
)
def test_category_of_follows_the_first_digit(reason, category):
    assert category_of(reason) == category


def test_every_reason_has_a_category():
    assert {category_of(r) for r in Reason} == set(ReasonCategory)


def test_unknown_reason_code_is_refused():
    with pytest.raises(RuleViolation) as refusal:
        category_of("99")
    assert refusal.value.code == "reason.unknown"
    assert refusal.value.field == "reason"


def test_parse_reason_names_the_field():
    with pytest.raises(RuleViolation) as refusal:
        parse_reason("5", field="movement.reason")
    assert (refusal.value.code, refusal.value.field) == (
        "reason.unknown",
        "movement.reason",
    )


# --- Mapping to the standard's categories ----------------------------------------------


def test_every_reason_maps_to_a_category_of_its_own_kind():
    assert set(STANDARD_CATEGORY) == set(Reason)
    for reason, wording in STANDARD_CATEGORY.items():
        assert wording in STANDARD_CATEGORIES[category_of(reason)], reason


@pytest.mark.parametrize(
    ("reason", "wording"),
    [
        (Reason.MOVE_IN, "国内転入"),
        (Reason.MOVE_OUT_ABROAD, "国外転出"),
        (Reason.NATURALISATION, "職権記載（帰化等）"),
        (Reason.REMOVED_ON_NATURALISATION, "職権消除（帰化等）"),
        (Reason.NATIONALITY_LOST, "職権消除（国籍喪失）"),
        (Reason.RECORDED_ON_NATIONALITY_LOSS, "職権記載（国籍喪失）"),
        (Reason.REMOVE_EX_OFFICIO, "職権消除"),
        (Reason.NAME_CHANGE, "職権修正"),
        (Reason.ALIAS_DELETED, "通称の削除"),
    ],
)
def test_standard_category_wording(reason, wording):
    assert STANDARD_CATEGORY[reason] == wording


@pytest.mark.parametrize("reason", list(Reason))
def test_mapping_round_trips_through_the_standard(reason):
    wording = STANDARD_CATEGORY[reason]
    assert STANDARD_CATEGORY[reason_from_standard(wording)] == wording


@pytest.mark.parametrize(
    ("wording", "reason"),
    [
        ("職権修正", Reason.AMEND_EX_OFFICIO),
        ("職権記載（帰化等）", Reason.NATURALISATION),
        ("国外転入等", Reason.MOVE_IN_FROM_ABROAD),
        (" 転居 ", Reason.MOVE_WITHIN),
    ],
)
def test_shared_categories_map_back_to_the_general_reason(wording, reason):
    assert reason_from_standard(wording) == reason


@pytest.mark.parametrize("wording", ["改製", "再製", "異動の取消し（増）", "軽微な修正"])
def test_standard_category_without_a_project_reason_is_refused(wording):
    with pytest.raises(RuleViolation) as refusal:
        reason_from_standard(wording)
    assert refusal.value.code == "reason.standard_unmapped"
    assert refusal.value.field == "reason"


@pytest.mark.parametrize("wording", ["転居取消", "引越し", ""])
def test_words_outside_the_standard_are_refused(wording):
    with pytest.raises(RuleViolation) as refusal:
        reason_from_standard(wording)
    assert refusal.value.code == "reason.standard_unknown"


def test_the_standard_has_no_move_cancel_category():
    assert not any("転居取消" in words for words in STANDARD_CATEGORIES.values())


# --- 法30条の45 区分 and 在留資格 ----------------------------------------------------------


def test_article_30_45_labels():
    assert [a.label for a in Article30_45] == [
        "中長期在留者",
        "特別永住者",
        "一時庇護許可者",
        "仮滞在許可者",
        "出生による経過滞在者",
        "国籍喪失による経過滞在者",
    ]
    assert set(REQUIRED_ITEMS_BY_ARTICLE) == set(Article30_45)


def test_residence_status_list_has_each_variant_and_fits_the_column():
    labels = {s.label for s in ResidenceStatus}
    assert {"高度専門職1号イ", "高度専門職2号", "特定技能1号", "特定技能2号"} <= labels
    assert {"技能実習1号イ", "技能実習3号ロ", "永住者", "定住者", "日本人の配偶者等"} <= labels
    assert all(s.value.isascii() and len(s.value) <= 40 for s in ResidenceStatus)


MEDIUM_LONG_TERM = {
    "residence_status": ResidenceStatus.STUDENT,
    "residence_period": "2年",
    "residence_expiry": datetime.date(2027, 3, 31),
    "residence_card_no": "AB12345678CD",
}


def refusal_of(article, items, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as refusal:
        validate_foreign_items(article, items, **kwargs)
    return refusal.value


def test_complete_medium_long_term_resident_passes():
    validate_foreign_items(Article30_45.MEDIUM_LONG_TERM, MEDIUM_LONG_TERM)
    validate_foreign_items("1", {**MEDIUM_LONG_TERM, "residence_expiry": "2027-03-31"})


def test_foreign_resident_without_residence_status_is_refused():
    refusal = refusal_of("1", {**MEDIUM_LONG_TERM, "residence_status": ""})
    assert (refusal.code, refusal.field) == ("residence_status.required", "residence_status")
    assert "在留資格" in refusal.message_ja


def test_medium_long_term_resident_without_expiry_is_refused():
    refusal = refusal_of("1", {**MEDIUM_LONG_TERM, "residence_expiry": None})
    assert (refusal.code, refusal.field) == ("residence_expiry.required", "residence_expiry")


def test_every_missing_item_is_reported_at_once():
    refusal = refusal_of(Article30_45.MEDIUM_LONG_TERM, {})
    assert [(e.code, e.field) for e in refusal.errors] == [
        ("residence_status.required", "residence_status"),
        ("residence_period.required", "residence_period"),
        ("residence_expiry.required", "residence_expiry"),
        ("residence_card_no.required", "residence_card_no"),
    ]


def test_field_prefix_goes_on_the_field_not_the_code():
    refusal = refusal_of("1", {**MEDIUM_LONG_TERM, "residence_status": None}, field_prefix="p.")
    assert (refusal.code, refusal.field) == ("residence_status.required", "p.residence_status")


@pytest.mark.parametrize(
    "card_no", ["AB1234567CD", "ab12345678cd", "AB12345678C", "1212345678CD", "AB-12345678-CD"]
)
def test_malformed_card_number_is_refused(card_no):
    refusal = refusal_of("1", {**MEDIUM_LONG_TERM, "residence_card_no": card_no})
    assert (refusal.code, refusal.field) == ("residence_card_no.format", "residence_card_no")


def test_card_number_can_be_normalised_first():
    assert normalize_residence_card_no("ａｂ 1234-5678 ｃｄ") == "AB12345678CD"


@given(
    st.from_regex(r"[A-Z]{2}[0-9]{8}[A-Z]{2}", fullmatch=True),
)
def test_any_well_formed_card_number_passes(card_no):
    validate_foreign_items("2", {"residence_card_no": card_no})


@given(st.text(min_size=1, max_size=14).filter(lambda s: s.strip()))
def test_anything_else_as_card_number_is_refused(text):
    if re.fullmatch(r"[A-Z]{2}[0-9]{8}[A-Z]{2}", text):
        return
    refusal = refusal_of("2", {"residence_card_no": text})
    assert refusal.code == "residence_card_no.format"


@pytest.mark.parametrize(
    ("article", "item"),
    [
        (Article30_45.SPECIAL_PERMANENT, "residence_card_no"),
        (Article30_45.TEMPORARY_REFUGE, "residence_period"),
        (Article30_45.TEMPORARY_REFUGE, "residence_expiry"),
        (Article30_45.PROVISIONAL_STAY, "residence_period"),
        (Article30_45.PROVISIONAL_STAY, "residence_expiry"),
    ],
)
def test_each_article_requires_its_items(article, item):
    refusal = refusal_of(article, {item: "  "})
    assert (f"{item}.required", item) in [(e.code, e.field) for e in refusal.errors]
    assert article.label in refusal.message_ja


@pytest.mark.parametrize(
    ("article", "period_ja"),
    [(Article30_45.TEMPORARY_REFUGE, "上陸期間"), (Article30_45.PROVISIONAL_STAY, "仮滞在期間")],
)
def test_refuge_and_provisional_stay_name_their_own_period(article, period_ja):
    refusal = refusal_of(article, {"residence_period": "", "residence_expiry": "2027-02-30"})
    messages = [e.message_ja for e in refusal.errors]
    assert any(f"{period_ja}が必要" in m for m in messages)
    assert any(f"{period_ja}の満了の日は西暦" in m for m in messages)


@pytest.mark.parametrize("article", [Article30_45.TEMPORARY_REFUGE, Article30_45.PROVISIONAL_STAY])
def test_refuge_and_provisional_stay_with_their_period_are_accepted(article):
    validate_foreign_items(article, {"residence_period": "6月", "residence_expiry": "2027-05-31"})


@pytest.mark.parametrize(
    "article", [Article30_45.TRANSITIONAL_BY_BIRTH, Article30_45.TRANSITIONAL_BY_NATIONALITY_LOSS]
)
def test_transitional_stayers_need_no_items(article):
    validate_foreign_items(article, {})


@pytest.mark.parametrize("status", [ResidenceStatus.PERMANENT_RESIDENT, "hsp_2"])
def test_statuses_without_a_period_end_need_no_expiry(status):
    items = {**MEDIUM_LONG_TERM, "residence_status": status, "residence_period": "無期限"}
    validate_foreign_items("1", {**items, "residence_expiry": None})


@pytest.mark.parametrize("status", ["temporary_visitor", "diplomat", "official"])
def test_statuses_outside_medium_long_term_are_refused(status):
    refusal = refusal_of("1", {**MEDIUM_LONG_TERM, "residence_status": status})
    assert refusal.code == "residence_status.not_medium_long_term"
    assert refusal.field == "residence_status"


def test_unknown_residence_status_is_refused():
    refusal = refusal_of("1", {**MEDIUM_LONG_TERM, "residence_status": "留学"})
    assert (refusal.code, refusal.field) == ("residence_status.invalid", "residence_status")


def test_expiry_that_is_not_a_date_is_refused():
    refusal = refusal_of("1", {**MEDIUM_LONG_TERM, "residence_expiry": "令和9年3月31日"})
    assert (refusal.code, refusal.field) == ("residence_expiry.invalid", "residence_expiry")


@pytest.mark.parametrize(
    ("article", "code"), [("", "article_30_45.required"), ("7", "article_30_45.invalid")]
)
def test_missing_or_unknown_article_is_refused(article, code):
    refusal = refusal_of(article, MEDIUM_LONG_TERM, field_prefix="p.")
    assert (refusal.code, refusal.field) == (code, "p.article_30_45")
