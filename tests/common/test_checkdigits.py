"""Check digits: published examples, one refusal per rule, and the detection guarantees."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichi.common.checkdigits import (
    corporate_number_check_digit,
    household_number_check_digit,
    local_government_check_digit,
    local_government_code,
    make_household_number,
    make_resident_number,
    my_number_check_digit,
    normalize_digits,
    resident_number_check_digit,
    resident_record_code_check_digit,
    validate_corporate_number,
    validate_household_number,
    validate_local_government_code,
    validate_my_number,
    validate_resident_number,
    validate_resident_record_code,
)
from jichi.common.errors import RuleViolation


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


sequences = st.integers(min_value=1, max_value=999_999_999)


def single_digit_changes(number: str):
    """Every number that differs from `number` in exactly one digit: (position, number)."""
    for position, original in enumerate(number):
        for replacement in "0123456789":
            if replacement != original:
                yield position, number[:position] + replacement + number[position + 1 :]


def refusal(validate, value, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        validate(value, **kwargs)
    return caught.value


def statutory_my_number_check_digit(eleven: str) -> int:
    """平成26年総務省令第85号 第5条 written out literally, as an independent oracle."""
    p = [int(d) for d in reversed(eleven)]  # p[n - 1] is Pn
    total = sum(p[n - 1] * (n + 1 if n <= 6 else n - 5) for n in range(1, 12))
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


# --- normalize_digits ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("１２３４５６７８９０１８", "123456789018"),
        ("1234-5678-9018", "123456789018"),
        ("1234 5678\u30009018", "123456789018"),
        ("１２３４－５６７８ー９０１８", "123456789018"),
        ("14100３", "141003"),
        ("12a4", "12a4"),
    ],
)
def test_normalize_digits_forgives_width_hyphens_and_spaces(text, expected):
    assert normalize_digits(text) == expected


def test_full_width_digits_are_refused_by_the_validator_itself():
    error = refusal(validate_my_number, "１２３４５６７８９０１８")

    assert error.code == "my_number.not_digits"
    assert error.field == "my_number"


# --- 全国地方公共団体コード ------------------------------------------------------------

PUBLISHED_LOCAL_GOVERNMENT_CODES = [
    "141003",
    "011002",
    "131016",
    "140007",
]  # 横浜 札幌 千代田 神奈川


@pytest.mark.parametrize("code", PUBLISHED_LOCAL_GOVERNMENT_CODES)
def test_published_local_government_codes_check(code):
    assert local_government_check_digit(code[:5]) == code[5]
    assert local_government_code(code[:5]) == code
    assert validate_local_government_code(code) == code


def test_local_government_code_with_a_wrong_check_digit_is_refused():
    error = refusal(validate_local_government_code, "141004", field="address_code")

    assert error.code == "address_code.check_digit"
    assert error.field == "address_code"


@pytest.mark.parametrize(
    "value, rule",
    [
        ("14100", "length"),
        ("1410030", "length"),
        ("14100a", "not_digits"),
        ("１４１００３", "not_digits"),
    ],
)
def test_local_government_code_of_wrong_shape_is_refused(value, rule):
    error = refusal(validate_local_government_code, value)

    assert error.code == f"municipality_code.{rule}"
    assert error.field == "municipality_code"


@given(digits(5))
def test_made_local_government_codes_validate(five):
    assert validate_local_government_code(local_government_code(five)) == five + (
        local_government_check_digit(five)
    )


@given(digits(5))
def test_local_government_code_single_digit_changes_are_caught_unless_the_check_is_one(five):
    # (11 − r) mod 10 sends remainders 0 and 10 both to 1; any other digit has one remainder.
    code = local_government_code(five)
    for position, changed in single_digit_changes(code):
        if position == 5 or code[5] != "1":
            with pytest.raises(RuleViolation):
                validate_local_government_code(changed)


# --- 個人番号 ---------------------------------------------------------------------------


def test_widely_cited_my_number_example_checks():
    # The example of the much-cited Qiita article on the 省令's formula.
    assert my_number_check_digit("12345678901") == "8"
    assert validate_my_number("123456789018") == "123456789018"


def test_my_number_with_a_wrong_check_digit_is_refused():
    error = refusal(validate_my_number, "123456789019", field="applicant_my_number")

    assert error.code == "applicant_my_number.check_digit"
    assert error.field == "applicant_my_number"


@pytest.mark.parametrize("value", ["12345678901", "1234567890180", ""])
def test_my_number_of_wrong_length_is_refused(value):
    error = refusal(validate_my_number, value)

    assert error.code == "my_number.length"
    assert error.field == "my_number"


@pytest.mark.parametrize(
    "value", ["1234-5678-9018", "12345678901a", "１２３４５６７８９０１８", None]
)
def test_my_number_with_other_than_ascii_digits_is_refused(value):
    error = refusal(validate_my_number, value)

    assert error.code == "my_number.not_digits"


def test_my_number_check_digit_needs_eleven_digits():
    with pytest.raises(RuleViolation) as caught:
        my_number_check_digit("123")

    assert caught.value.code == "my_number.length"


@given(digits(11))
def test_my_number_check_digit_follows_the_statutory_formula(eleven):
    assert my_number_check_digit(eleven) == str(statutory_my_number_check_digit(eleven))


@given(digits(11))
def test_my_number_single_digit_changes_are_caught_unless_the_check_is_zero(eleven):
    # Remainders 0 and 1 both give 0, so only a number whose check is not 0 catches all.
    number = eleven + my_number_check_digit(eleven)
    assert validate_my_number(number) == number
    for position, changed in single_digit_changes(number):
        if position == 11 or number[11] != "0":
            with pytest.raises(RuleViolation):
                validate_my_number(changed)


# --- 法人番号 ---------------------------------------------------------------------------


def test_national_tax_agency_corporate_number_checks():
    # 国税庁's own 法人番号, as published on its 法人番号公表サイト.
    assert corporate_number_check_digit("000012050002") == "7"
    assert validate_corporate_number("7000012050002") == "7000012050002"


def test_corporate_number_with_a_wrong_check_digit_is_refused():
    error = refusal(validate_corporate_number, "8000012050002", field="employer")

    assert error.code == "employer.check_digit"
    assert error.field == "employer"


def test_corporate_number_with_the_check_digit_at_the_end_is_refused():
    error = refusal(validate_corporate_number, "0000120500027")

    assert error.code == "corporate_number.check_digit"


@pytest.mark.parametrize(
    ("value", "code"), [("700001205000", "length"), ("7000-12050002", "not_digits")]
)
def test_corporate_number_of_wrong_shape_is_refused(value, code):
    error = refusal(validate_corporate_number, value)

    assert error.code == f"corporate_number.{code}"
    assert error.field == "corporate_number"


@given(digits(12))
def test_corporate_check_digit_is_never_zero(twelve):
    assert corporate_number_check_digit(twelve) in "123456789"


@given(digits(12))
def test_corporate_number_single_digit_changes_are_caught_except_zero_for_nine(twelve):
    # Modulus 9 cannot tell 0 from 9 in a base digit (weights 1 and 2 are units mod 9).
    number = corporate_number_check_digit(twelve) + twelve
    assert validate_corporate_number(number) == number
    for position, changed in single_digit_changes(number):
        if position == 0 or {number[position], changed[position]} != {"0", "9"}:
            with pytest.raises(RuleViolation):
                validate_corporate_number(changed)


# --- 住民票コード -----------------------------------------------------------------------


def test_resident_record_code_uses_modulus_11_weights_2_to_7_from_the_right():
    # Our reading (see the docstring): 1234567890 → from the right 0·2 + 9·3 + 8·4 + 7·5
    # + 6·6 + 5·7 + 4·2 + 3·3 + 2·4 + 1·5 = 195; 195 mod 11 = 8; 11 − 8 = 3.
    assert resident_record_code_check_digit("1234567890") == "3"
    assert validate_resident_record_code("12345678903") == "12345678903"


@pytest.mark.parametrize(
    ("value", "code"),
    [("12345678904", "check_digit"), ("1234567890", "length"), ("1234567890x", "not_digits")],
)
def test_bad_resident_record_code_is_refused(value, code):
    error = refusal(validate_resident_record_code, value, field="juki_code")

    assert error.code == f"juki_code.{code}"
    assert error.field == "juki_code"


@given(digits(10))
def test_resident_record_code_single_digit_changes_are_caught_unless_the_check_is_zero(ten):
    code = ten + resident_record_code_check_digit(ten)
    assert validate_resident_record_code(code) == code
    for position, changed in single_digit_changes(code):
        if position == 10 or code[10] != "0":
            with pytest.raises(RuleViolation):
                validate_resident_record_code(changed)


# --- 宛名番号 / 世帯番号 ------------------------------------------------------------------


def test_first_resident_number_is_zero_padded_with_its_check_digit():
    # 000000001: 1·2 = 2; 2 mod 11 = 2; 11 − 2 = 9.
    assert make_resident_number(1) == "0000000019"


def test_last_resident_number():
    # 9·(2+3+4+5+6+7+2+3+4) = 324; 324 mod 11 = 5; 11 − 5 = 6.
    assert make_resident_number(999_999_999) == "9999999996"


def test_resident_check_of_ten_becomes_zero():
    # 000000005: 5·2 = 10; remainder 10 → 11 − 10 = 1.
    # 000000006: 6·2 = 12; remainder 1 → 11 − 1 = 10 → 0.
    # 000000000: remainder 0 → (11 − 0) mod 11 = 0.
    assert resident_number_check_digit("000000005") == "1"
    assert resident_number_check_digit("000000006") == "0"
    assert resident_number_check_digit("000000000") == "0"


@pytest.mark.parametrize("sequence", [0, -1, 1_000_000_000, True, "1", 1.0])
def test_resident_sequence_outside_1_to_999999999_is_refused(sequence):
    error = refusal(make_resident_number, sequence)

    assert error.code == "resident_number.sequence_range"
    assert error.field == "resident_number"


def test_household_sequence_zero_is_refused_with_the_household_field():
    error = refusal(make_household_number, 0)

    assert error.code == "household_number.sequence_range"
    assert error.field == "household_number"


def test_all_zero_resident_number_is_refused_although_its_digit_checks():
    error = refusal(validate_resident_number, "0000000000")

    assert error.code == "resident_number.sequence_range"


@pytest.mark.parametrize(
    ("value", "code"),
    [("0000000018", "check_digit"), ("000000019", "length"), ("00000000１９", "not_digits")],
)
def test_bad_resident_number_is_refused(value, code):
    error = refusal(validate_resident_number, value, field="person_number")

    assert error.code == f"person_number.{code}"
    assert error.field == "person_number"


@pytest.mark.parametrize(
    ("value", "code"),
    [("0000000018", "check_digit"), ("00000000190", "length"), ("0000-00019", "not_digits")],
)
def test_bad_household_number_is_refused(value, code):
    error = refusal(validate_household_number, value)

    assert error.code == f"household_number.{code}"
    assert error.field == "household_number"


@given(sequences)
def test_made_resident_and_household_numbers_validate(sequence):
    resident = make_resident_number(sequence)
    household = make_household_number(sequence)

    assert validate_resident_number(resident) == resident
    assert validate_household_number(household) == household
    assert resident == household
    assert int(resident[:9]) == sequence


@given(digits(9))
def test_resident_and_household_share_the_rule_of_my_number_weights(nine):
    assert resident_number_check_digit(nine) == household_number_check_digit(nine)
    # Weights 2,3,4,5,6,7,2,3,4 are the first nine Qn of the 個人番号 formula.
    assert resident_number_check_digit(nine) == str(statutory_my_number_check_digit("00" + nine))


@given(sequences)
def test_resident_number_single_digit_changes_are_caught_unless_the_check_is_zero(sequence):
    number = make_resident_number(sequence)
    for position, changed in single_digit_changes(number):
        if position == 9 or number[9] != "0":
            with pytest.raises(RuleViolation):
                validate_resident_number(changed)
