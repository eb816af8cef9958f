"""和暦 ⇄ ISO dates: accepted spellings, refusals, formatting and era boundaries."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichi.common.errors import RuleViolation
from jichi.common.kana import to_fullwidth
from jichi.common.wareki import ERAS, Wareki, era_of, format_wareki, parse_wareki, to_wareki

FIRST_DAY = datetime.date(1868, 1, 25)
LAST_DAY = datetime.date(2100, 12, 31)
supported_dates = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
D = datetime.date


# --- parse_wareki: accepted spellings ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和7年4月1日", D(2025, 4, 1)),
        ("令和元年5月1日", D(2019, 5, 1)),
        ("R7.4.1", D(2025, 4, 1)),
        ("R07.04.01", D(2025, 4, 1)),
        ("r7/4/1", D(2025, 4, 1)),
        ("R7-4-1", D(2025, 4, 1)),
        ("H31.4.30", D(2019, 4, 30)),
        ("S64.1.7", D(1989, 1, 7)),
        ("昭和64年1月7日", D(1989, 1, 7)),
        ("平成元年1月8日", D(1989, 1, 8)),
        ("昭64.1.7", D(1989, 1, 7)),
        ("T1.7.30", D(1912, 7, 30)),
        ("明治45年7月29日", D(1912, 7, 29)),
        ("M1.1.25", D(1868, 1, 25)),
        ("令和７年４月１日", D(2025, 4, 1)),
        ("Ｒ７．４．１", D(2025, 4, 1)),
        (" 令和 7年 4月 1日 ", D(2025, 4, 1)),
        ("令和\u30007年4月1日", D(2025, 4, 1)),
        ("㋿7年4月1日", D(2025, 4, 1)),
        ("令和7年4月1", D(2025, 4, 1)),
    ],
)
def test_wareki_spellings_are_accepted(text, expected):
    assert parse_wareki(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-04-01", D(2025, 4, 1)),
        ("2025/4/1", D(2025, 4, 1)),
        ("2025.4.1", D(2025, 4, 1)),
        ("2025年4月1日", D(2025, 4, 1)),
        ("２０２５－０４－０１", D(2025, 4, 1)),
    ],
)
def test_gregorian_dates_are_accepted_for_convenience(text, expected):
    assert parse_wareki(text) == expected


# --- parse_wareki: refusals ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("平成31年5月1日", "wareki_era_range"),
        ("H31.5.1", "wareki_era_range"),
        ("平成32年1月1日", "wareki_era_range"),
        ("S100.1.1", "wareki_era_range"),
        ("昭和64年1月8日", "wareki_era_range"),
        ("令和1年4月30日", "wareki_era_range"),
        ("令和元年4月30日", "wareki_era_range"),
        ("明治1年1月24日", "wareki_era_range"),
        ("大正1年7月29日", "wareki_era_range"),
        ("令和0年5月1日", "wareki_year_zero"),
        ("R0.5.1", "wareki_year_zero"),
        ("令和7年2月30日", "wareki_calendar_date"),
        ("令和7年13月1日", "wareki_calendar_date"),
        ("令和7年4月0日", "wareki_calendar_date"),
        ("2025-02-29", "wareki_calendar_date"),
        ("天保3年1月1日", "wareki_unknown_era"),
        ("X7.4.1", "wareki_unknown_era"),
        ("", "wareki_format"),
        ("hello", "wareki_format"),
        ("令和7年", "wareki_format"),
        ("R7.4", "wareki_format"),
        ("R7.4/1", "wareki_format"),
        ("令和七年四月一日", "wareki_format"),
        ("2025-04-01T00:00", "wareki_format"),
        ("R1000.1.1", "wareki_format"),
        ("R" + "9" * 5000 + ".1.1", "wareki_format"),
    ],
)
def test_bad_wareki_is_refused_with_its_rule(text, code):
    with pytest.raises(RuleViolation) as caught:
        parse_wareki(text, field="birth_date")

    assert caught.value.code == f"birth_date.{code}"
    assert caught.value.field == "birth_date"
    assert caught.value.message_ja and caught.value.message_en


def test_heisei_31_may_first_is_refused():
    with pytest.raises(RuleViolation) as caught:
        parse_wareki("平成31年5月1日", field="birth_date")

    assert caught.value.code == "birth_date.wareki_era_range"
    assert "2019年4月30日" in caught.value.message_ja
    assert "2019-04-30" in caught.value.message_en


def test_showa_64_january_eighth_is_refused():
    with pytest.raises(RuleViolation) as caught:
        parse_wareki("昭和64年1月8日")

    assert caught.value.code == "date.wareki_era_range"
    assert caught.value.field == "date"


def test_non_text_is_refused_as_bad_format():
    with pytest.raises(RuleViolation) as caught:
        parse_wareki(None)  # type: ignore[arg-type]

    assert caught.value.code == "date.wareki_format"


# --- to_wareki / format_wareki -------------------------------------------------------


def test_to_wareki_gives_era_letter_year_month_day():
    assert to_wareki(D(2025, 4, 1)) == Wareki("令和", "R", 7, 4, 1)


def test_to_wareki_drops_the_time_of_a_datetime():
    assert to_wareki(datetime.datetime(1989, 1, 7, 23, 59)) == Wareki("昭和", "S", 64, 1, 7)


@pytest.mark.parametrize(
    ("d", "style", "expected"),
    [
        (D(2025, 4, 1), "long", "令和7年4月1日"),
        (D(2019, 5, 1), "long", "令和元年5月1日"),
        (D(1989, 1, 7), "long", "昭和64年1月7日"),
        (D(1989, 1, 8), "long", "平成元年1月8日"),
        (D(2025, 4, 1), "short", "R7.4.1"),
        (D(2019, 5, 1), "short", "R1.5.1"),
        (D(1912, 7, 30), "short", "T1.7.30"),
        (D(2025, 4, 1), "long_year_month", "令和7年4月"),
        (D(2019, 12, 31), "long_year_month", "令和元年12月"),
    ],
)
def test_format_wareki_styles(d, style, expected):
    assert format_wareki(d, style) == expected


def test_format_wareki_defaults_to_long():
    assert format_wareki(D(2025, 4, 1)) == "令和7年4月1日"


def test_unknown_style_is_a_programming_error():
    with pytest.raises(ValueError):
        format_wareki(D(2025, 4, 1), "medium")  # type: ignore[arg-type]


def test_day_before_meiji_has_no_wareki():
    with pytest.raises(RuleViolation) as caught:
        to_wareki(D(1868, 1, 24), field="birth_date")

    assert caught.value.code == "birth_date.wareki_before_meiji"
    assert caught.value.field == "birth_date"


def test_format_wareki_before_meiji_is_refused():
    with pytest.raises(RuleViolation) as caught:
        format_wareki(D(1800, 1, 1))

    assert caught.value.code == "date.wareki_before_meiji"


def test_era_table_holds_the_five_modern_eras_with_exact_first_days():
    assert [(e.name, e.letter, e.start) for e in ERAS] == [
        ("明治", "M", D(1868, 1, 25)),
        ("大正", "T", D(1912, 7, 30)),
        ("昭和", "S", D(1926, 12, 25)),
        ("平成", "H", D(1989, 1, 8)),
        ("令和", "R", D(2019, 5, 1)),
    ]
    assert ERAS[-1].end is None


# --- properties -----------------------------------------------------------------------


@given(supported_dates)
def test_long_form_round_trips(d):
    assert parse_wareki(format_wareki(d, "long")) == d


@given(supported_dates)
def test_short_form_round_trips(d):
    assert parse_wareki(format_wareki(d, "short")) == d


@given(supported_dates)
def test_full_width_long_form_round_trips(d):
    assert parse_wareki(to_fullwidth(format_wareki(d, "long"))) == d


def test_every_supported_date_round_trips():
    d = FIRST_DAY
    while d <= LAST_DAY:
        assert parse_wareki(format_wareki(d, "long")) == d
        assert parse_wareki(format_wareki(d, "short")) == d
        d += datetime.timedelta(days=1)


@pytest.mark.parametrize("index", range(1, len(ERAS)))
def test_day_before_an_era_starts_belongs_to_the_previous_era(index):
    era, previous = ERAS[index], ERAS[index - 1]
    day_before = era.start - datetime.timedelta(days=1)

    assert era_of(day_before) == previous
    assert era_of(era.start) == era
    assert previous.end == day_before
    assert to_wareki(era.start).year == 1


@given(supported_dates)
def test_a_date_lies_between_its_eras_first_and_last_day(d):
    era = era_of(d)
    w = to_wareki(d)

    assert era.start <= d
    assert era.end is None or d <= era.end
    assert (w.era, w.letter) == (era.name, era.letter)
    assert w.year == d.year - era.start.year + 1
    assert (w.month, w.day) == (d.month, d.day)


def _era_and_a_day_outside_it(era):
    """A day from the era's first Gregorian year on that the era does not hold."""
    before = st.dates(D(era.start.year, 1, 1), era.start - datetime.timedelta(days=1))
    if era.end is None:
        outside = before
    else:
        outside = before | st.dates(era.end + datetime.timedelta(days=1), LAST_DAY)
    return st.tuples(st.just(era), outside)


@given(st.sampled_from(ERAS).flatmap(_era_and_a_day_outside_it))
def test_a_day_written_in_an_era_it_is_not_in_is_refused(era_and_day):
    era, d = era_and_day
    text = f"{era.letter}{d.year - era.start.year + 1}.{d.month}.{d.day}"

    with pytest.raises(RuleViolation) as caught:
        parse_wareki(text)

    assert caught.value.code == "date.wareki_era_range"
