"""Dates with 不詳 parts: parsing, the internal date, display per resident kind, storage."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichi.common.errors import RuleViolation
from jichi.registry.dates import UncertainDate, parse_birth_date

D = datetime.date
TODAY = D(2025, 6, 1)


def parse(text, **kwargs) -> UncertainDate:
    return parse_birth_date(text, today=TODAY, **kwargs)


def refusal_of(text, field="birth_date", **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as refusal:
        parse_birth_date(text, field, today=TODAY, **kwargs)
    return refusal.value


# --- Known dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["2001-04-01", "2001/4/1", "平成13年4月1日", "H13.4.1", "２００１－０４－０１"]
)
def test_known_date_in_any_spelling(text):
    assert parse(text) == UncertainDate(D(2001, 4, 1), "day", "")
    assert not parse(text).is_uncertain


def test_a_date_object_is_a_known_date():
    assert parse(D(2001, 4, 1)) == UncertainDate.exact(D(2001, 4, 1))
    assert parse(datetime.datetime(2001, 4, 1, 9, 30)) == UncertainDate.exact(D(2001, 4, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("明治45年7月30日", D(1912, 7, 30)), ("大正15年12月25日", D(1926, 12, 25))],
)
def test_days_both_eras_name_are_accepted(text, expected):
    assert parse(text) == UncertainDate.exact(expected)


# --- Partial dates without a note ------------------------------------------------------


def test_year_and_month_is_month_precision():
    result = parse("2001-04")
    assert result == UncertainDate(D(2001, 4, 1), "month", "")
    assert result.is_uncertain


def test_year_alone_is_year_precision():
    assert parse("2001") == UncertainDate(D(2001, 1, 1), "year", "")


# --- The standard's 不詳 texts ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("年月日不詳", D.min, "unknown"),
        ("平成13年 月日不詳", D(2001, 1, 1), "year"),
        ("平成13年月日不詳", D(2001, 1, 1), "year"),
        ("2001年 月日不詳", D(2001, 1, 1), "year"),
        ("令和元年 月日不詳", D(2019, 5, 1), "year"),
        ("平成13年4月 日不詳", D(2001, 4, 1), "month"),
        ("平成13年4月頃", D(2001, 4, 1), "month"),
        ("平成13年頃", D(2001, 1, 1), "year"),
        ("令和5年頃", D(2023, 1, 1), "year"),
        ("平成13年4月15日頃", D(2001, 4, 15), "day"),
        ("推定平成13年4月1日", D(2001, 4, 1), "day"),
        ("推定2001年4月", D(2001, 4, 1), "month"),
        ("2001年春", D(2001, 3, 1), "year"),
        ("平成13年4月上旬", D(2001, 4, 1), "month"),
        ("平成13年4月中旬頃", D(2001, 4, 11), "month"),
        ("平成元年1月上旬", D(1989, 1, 8), "month"),
        ("2001年4月1日から4月5日頃までの間", D(2001, 4, 1), "month"),
        ("2001年4月推定1日から5日までの間", D(2001, 4, 1), "month"),
        ("2001年4月1日頃から5月3日頃までの間", D(2001, 4, 1), "year"),
        ("平成１３年　月日不詳", D(2001, 1, 1), "year"),
    ],
)
def test_uncertain_texts_keep_their_note_and_the_first_day_of_their_range(text, value, precision):
    result = parse(text)
    assert (result.value, result.precision, result.note) == (value, precision, text)
    assert result.is_uncertain


def test_note_is_trimmed_but_otherwise_kept_as_written():
    assert parse("  平成13年 月日不詳 ").note == "平成13年 月日不詳"


# --- Refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2001-02-29",
        "2001-13",
        "2001-04-31",
        "平成31年5月1日",
        "昭和64年1月8日",
        "明治45年7月31日",
        "平成32年 月日不詳",
        "令和元年4月頃",
        "昭和64年1月中旬頃",
        "平成0年頃",
        "2001年4月5日から4月1日までの間",
        "2001年2月30日頃",
    ],
)
def test_impossible_dates_are_refused(text):
    refusal = refusal_of(text)
    assert (refusal.code, refusal.field) == ("birth_date.invalid", "birth_date")


@pytest.mark.parametrize(
    "text", ["hello", "2001年", "平成13年4月", "13/4/2001", "不詳", "平成13年4月1日から", "X13.4.1"]
)
def test_garbage_is_refused(text):
    refusal = refusal_of(text)
    assert (refusal.code, refusal.field) == ("birth_date.format", "birth_date")


def test_a_value_of_the_wrong_type_is_refused():
    assert refusal_of(20010401).code == "birth_date.format"


@pytest.mark.parametrize("text", ["", "   ", None])
def test_blank_is_refused(text):
    assert refusal_of(text).code == "birth_date.required"


@pytest.mark.parametrize(
    "text", ["2025-06-02", "2026", "2025-07", "令和8年頃", "推定2025年12月1日"]
)
def test_future_birth_dates_are_refused(text):
    refusal = refusal_of(text)
    assert (refusal.code, refusal.field) == ("birth_date.future", "birth_date")


@pytest.mark.parametrize("text", ["2025-06-01", "2025-06", "令和7年頃"])
def test_a_range_that_starts_by_today_is_accepted(text):
    assert parse(text).value <= TODAY


def test_future_uses_the_local_date_by_default():
    with pytest.raises(RuleViolation) as refusal:
        parse_birth_date("2999-01-01")
    assert refusal.value.code == "birth_date.future"


def test_the_field_name_is_used_in_the_code():
    refusal = refusal_of("2001-02-29", field="became_resident_on")
    assert (refusal.code, refusal.field) == ("became_resident_on.invalid", "became_resident_on")


def test_overlong_note_is_refused():
    refusal = refusal_of("平成13年" + " " * 60 + "月日不詳")
    assert refusal.code == "birth_date.too_long"


@pytest.mark.parametrize(
    ("text", "foreign"), [("平成13年頃", True), ("2001年 月日不詳", False), ("推定H13年4月", True)]
)
def test_a_note_in_the_other_calendar_is_refused_when_the_kind_is_known(text, foreign):
    refusal = refusal_of(text, foreign=foreign)
    assert (refusal.code, refusal.field) == ("birth_date.calendar", "birth_date")


@pytest.mark.parametrize(("text", "foreign"), [("年月日不詳", True), ("年月日不詳", False)])
def test_a_note_without_a_year_fits_either_calendar(text, foreign):
    assert parse(text, foreign=foreign).precision == "unknown"


# --- Display ---------------------------------------------------------------------------


def test_known_date_shows_wareki_for_japanese_and_gregorian_for_foreign_residents():
    d = UncertainDate.exact(D(2001, 4, 1))
    assert d.display(foreign=False) == "平成13年4月1日"
    assert d.display(foreign=True) == "2001年4月1日"
    assert UncertainDate.exact(D(2019, 5, 1)).display(False) == "令和元年5月1日"


def test_uncertain_date_shows_its_note_only():
    d = parse("平成13年4月頃")
    assert d.display(False) == d.display(True) == "平成13年4月頃"


@pytest.mark.parametrize(
    ("text", "japanese", "foreign"),
    [
        ("2001-04", "平成13年4月 日不詳", "2001年4月 日不詳"),
        ("2001", "平成13年 月日不詳", "2001年 月日不詳"),
        ("1989", "昭和64年・平成元年 月日不詳", "1989年 月日不詳"),
        ("1989-01", "昭和64年1月・平成元年1月 日不詳", "1989年1月 日不詳"),
        ("2019-05", "令和元年5月 日不詳", "2019年5月 日不詳"),
    ],
)
def test_partial_date_without_note_shows_the_standard_wording(text, japanese, foreign):
    assert parse(text).display(foreign=False) == japanese
    assert parse(text).display(foreign=True) == foreign


def test_unknown_date_never_shows_its_internal_date():
    assert UncertainDate(D.min, "unknown").display(False) == "年月日不詳"


# --- Ages ------------------------------------------------------------------------------


def test_age_counts_from_the_internal_date():
    assert UncertainDate.exact(D(2001, 4, 2)).age_on(D(2025, 4, 1)) == 23
    assert UncertainDate.exact(D(2001, 4, 2)).age_on(D(2025, 4, 2)) == 24
    assert parse("2001").age_on(D(2025, 1, 1)) == 24


def test_no_age_is_made_up_for_an_unknown_date():
    assert parse("年月日不詳").age_on(TODAY) is None


# --- Storage ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2001-04-01", "2001-04", "年月日不詳", "平成13年4月頃"])
def test_json_round_trip(text):
    d = parse(text)
    assert UncertainDate.from_json(d.to_json()) == d


def test_json_shape():
    assert parse("平成13年4月頃").to_json() == {
        "date": "2001-04-01",
        "precision": "month",
        "note": "平成13年4月頃",
    }


@pytest.mark.parametrize(
    "data",
    [
        None,
        "2001-04-01",
        {},
        {"date": "2001-02-30", "precision": "day"},
        {"date": "2001-04-01", "precision": "week"},
        {"date": 20010401},
        {"date": "2001-04-01", "note": 5},
    ],
)
def test_bad_json_is_refused(data):
    with pytest.raises(RuleViolation) as refusal:
        UncertainDate.from_json(data, field="birth")
    assert (refusal.value.code, refusal.value.field) == ("birth.invalid", "birth")


def test_constructor_rejects_unknown_precision_and_datetimes():
    with pytest.raises(ValueError):
        UncertainDate(D(2001, 1, 1), "week")
    with pytest.raises(TypeError):
        UncertainDate(datetime.datetime(2001, 1, 1), "day")


# --- Properties ------------------------------------------------------------------------

known_dates = st.dates(min_value=D(1868, 1, 25), max_value=TODAY)


@given(known_dates, st.booleans())
def test_display_parses_back_to_the_same_known_date(d, foreign):
    exact = UncertainDate.exact(d)
    assert parse(exact.display(foreign=foreign)) == exact


@given(known_dates)
def test_partial_iso_starts_on_the_first_of_the_month(d):
    result = parse(f"{d.year}-{d.month:02d}")
    assert result.value == d.replace(day=1)
    assert result.precision == "month"


@given(known_dates)
def test_an_uncertain_text_round_trips_through_display(d):
    text = f"{d.year}年{d.month}月頃"
    assert parse(parse(text).display(True)) == parse(text)
