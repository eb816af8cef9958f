"""Check digits of the numbers the standards use.

Each ``*_check_digit`` function computes the digit from the base digits;
each ``validate_*`` function raises :class:`RuleViolation` naming the field
and the rule, and returns the normalised value. Validators take ASCII digits
only; forms call :func:`normalize_digits` first to forgive full-width digits,
hyphens and spaces.

The numbers and their rules:

- 全国地方公共団体コード (6 digits): 5-digit code + check digit,
  last digit of 11 − ((d1·6 + d2·5 + d3·4 + d4·3 + d5·2) mod 11).
- 個人番号 (My Number, 12 digits, last is the check digit): 平成26年総務省令第85号.
- 法人番号 (corporate number, 13 digits, FIRST is the check digit): modulus 9.
- 住民票コード (11 digits, last is the check digit): see
  :func:`resident_record_code_check_digit` — the formula is our reading and
  must be confirmed.
- 宛名番号 (per-person number) and 世帯番号 (household number) — THE PROJECT'S
  OWN RULE: 10 digits = a 9-digit zero-padded sequence (1…999,999,999) + one
  check digit. Modulus 11 with weights 2,3,4,5,6,7,2,3,4 applied from the
  rightmost sequence digit; check = (11 − sum mod 11) mod 11, and a result of
  10 becomes 0. (That is the same digit as the 個人番号 rule gives.) Sequence
  0 is never issued, so ``0000000000`` is refused although its digit checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from jichi.common.errors import RuleViolation


def local_government_check_digit(five: str) -> str:
    """全国地方公共団体コード: check digit of the 5-digit code.

    11 − ((d1·6 + d2·5 + d3·4 + d4·3 + d5·2) mod 11), last digit kept
    (so remainders 0 and 1 give 1 and 0).
    """
    _ascii_digits(five, 5, "municipality_code", "団体コード(5桁)", "5-digit local government code")
    total = sum(int(d) * w for d, w in zip(five, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


def local_government_code(five: str) -> str:
    """The 6-digit code for a 5-digit one (``"14100"`` → ``"141003"``)."""
    return five + local_government_check_digit(five)


def validate_local_government_code(value: str, field: str = "municipality_code") -> str:
    """A 6-digit 全国地方公共団体コード whose last digit checks."""
    _ascii_digits(value, 6, field, "全国地方公共団体コード", "local government code")
    if local_government_check_digit(value[:5]) != value[5]:
        raise _wrong_check_digit(field, "全国地方公共団体コード", "local government code")
    return value


# --- Shared pieces -------------------------------------------------------------------

# Full-width digits to ASCII; hyphen-like signs (incl. the long-vowel mark people type
# for a hyphen) and all whitespace are dropped.
_FULLWIDTH_DIGITS = {ord("０") + i: str(i) for i in range(10)}
_HYPHENS = "-－‐‑‒–—―−ーｰ"


def normalize_digits(text: str) -> str:
    """What a form should call before a ``validate_*``: ``"１２３４-５６７８"`` → ``"12345678"``.

    Validators refuse full-width digits and separators on purpose (the stored value is
    plain ASCII); this is the one place that forgives them. Other characters are kept
    so that the validator can name the problem.
    """
    translated = text.translate(_FULLWIDTH_DIGITS)
    return "".join(ch for ch in translated if ch not in _HYPHENS and not ch.isspace())


def _ascii_digits(value: str, length: int, field: str, what_ja: str, what_en: str) -> str:
    """`value` if it is exactly `length` ASCII digits; one error code per broken rule."""
    if not isinstance(value, str) or not all("0" <= ch <= "9" for ch in value):
        raise RuleViolation(
            f"{field}.not_digits",
            f"{what_ja}は半角数字（0〜9）だけで入力してください。",
            f"The {what_en} may contain ASCII digits (0-9) only.",
            field,
        )
    if len(value) != length:
        raise RuleViolation(
            f"{field}.length",
            f"{what_ja}は{length}桁です（入力は{len(value)}桁）。",
            f"The {what_en} must be {length} digits long (got {len(value)}).",
            field,
        )
    return value


def _wrong_check_digit(field: str, what_ja: str, what_en: str) -> RuleViolation:
    return RuleViolation(
        f"{field}.check_digit",
        f"{what_ja}の検査用数字（チェックデジット）が正しくありません。入力を確認してください。",
        f"The check digit of the {what_en} is wrong; please check the number.",
        field,
    )


def _mod11_weights_2_to_7(base: str) -> str:
    """Modulus 11, weights 2,3,4,5,6,7,2,3,… from the rightmost base digit.

    Check = 11 − (sum mod 11), and 0 when the remainder is 0 or 1 (11 − r would be
    11 or 10). 個人番号, 住民票コード and our 宛名番号/世帯番号 all use this rule.
    """
    total = sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(base)))
    remainder = total % 11
    return "0" if remainder <= 1 else str(11 - remainder)


# --- 個人番号 (My Number) -------------------------------------------------------------


def my_number_check_digit(eleven: str) -> str:
    """個人番号: the 検査用数字 of the 11 base digits.

    平成26年総務省令第85号 第5条: 11 − (Σ Pn·Qn mod 11), 0 when the remainder is ≤ 1;
    Pn is the n-th base digit from the right, Qn = n+1 (1 ≤ n ≤ 6), n−5 (7 ≤ n ≤ 11).
    Those Qn are the weights 2…7, 2…6 of :func:`_mod11_weights_2_to_7`.
    """
    _ascii_digits(eleven, 11, "my_number", "個人番号（検査用数字を除く）", "My Number base")
    return _mod11_weights_2_to_7(eleven)


def validate_my_number(value: str, field: str = "my_number") -> str:
    """A 12-digit 個人番号 whose last digit checks. Never log the value."""
    _ascii_digits(value, 12, field, "個人番号", "My Number")
    if my_number_check_digit(value[:11]) != value[11]:
        raise _wrong_check_digit(field, "個人番号", "My Number")
    return value


# --- 法人番号 (corporate number) -----------------------------------------------------


def corporate_number_check_digit(twelve: str) -> str:
    """法人番号: the 検査用数字 (the FIRST of the 13 digits) of the 12 base digits.

    法人番号の指定等に関する省令 (国税庁 publishes it): 9 − (Σ Pn·Qn mod 9), Pn the n-th base digit
    from the right, Qn = 1 for odd n and 2 for even n. The result is 1…9, never 0.
    """
    _ascii_digits(
        twelve, 12, "corporate_number", "法人番号（検査用数字を除く）", "corporate number base"
    )
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(twelve), 1))
    return str(9 - total % 9)


def validate_corporate_number(value: str, field: str = "corporate_number") -> str:
    """A 13-digit 法人番号 whose first digit checks the other twelve."""
    _ascii_digits(value, 13, field, "法人番号", "corporate number")
    if corporate_number_check_digit(value[1:]) != value[0]:
        raise _wrong_check_digit(field, "法人番号", "corporate number")
    return value


# --- 住民票コード (resident record code) ---------------------------------------------


def resident_record_code_check_digit(ten: str) -> str:
    """住民票コード: the 検査数字 of the 10 random digits.

    住民基本台帳法施行規則 第1条 fixes the shape (10 random digits + 1 check digit)
    and leaves the formula to 平成14年総務省告示第436号, which we could not read.
    PROJECT'S READING, TO BE CONFIRMED against that notice: modulus 11 with weights
    2…7 repeating from the rightmost digit, check = 11 − remainder, 10 and 11 → 0.
    """
    _ascii_digits(
        ten,
        10,
        "resident_record_code",
        "住民票コード（検査数字を除く）",
        "resident record code base",
    )
    return _mod11_weights_2_to_7(ten)


def validate_resident_record_code(value: str, field: str = "resident_record_code") -> str:
    """An 11-digit 住民票コード whose last digit checks (see the formula's caveat)."""
    _ascii_digits(value, 11, field, "住民票コード", "resident record code")
    if resident_record_code_check_digit(value[:10]) != value[10]:
        raise _wrong_check_digit(field, "住民票コード", "resident record code")
    return value


# --- 宛名番号 / 世帯番号 (the project's own sequence numbers) --------------------------

_SEQUENCE_MAX = 999_999_999


@dataclass(frozen=True)
class _SequenceNumber:
    """One kind of 9-digit sequence + check digit number; see the module docstring."""

    field: str
    name_ja: str
    name_en: str

    def check_digit(self, nine: str) -> str:
        _ascii_digits(
            nine, 9, self.field, f"{self.name_ja}（検査数字を除く）", f"{self.name_en} sequence"
        )
        return _mod11_weights_2_to_7(nine)

    def make(self, sequence: int) -> str:
        if (
            isinstance(sequence, bool)
            or not isinstance(sequence, int)
            or not 1 <= sequence <= _SEQUENCE_MAX
        ):
            raise self._out_of_range(self.field)
        nine = f"{sequence:09d}"
        return nine + self.check_digit(nine)

    def validate(self, value: str, field: str) -> str:
        _ascii_digits(value, 10, field, self.name_ja, self.name_en)
        if self.check_digit(value[:9]) != value[9]:
            raise _wrong_check_digit(field, self.name_ja, self.name_en)
        if value[:9] == "000000000":
            raise self._out_of_range(field)
        return value

    def _out_of_range(self, field: str) -> RuleViolation:
        return RuleViolation(
            f"{field}.sequence_range",
            f"{self.name_ja}の連番は1から{_SEQUENCE_MAX:,}までです。",
            f"The {self.name_en} sequence runs from 1 to {_SEQUENCE_MAX:,}.",
            field,
        )


_RESIDENT = _SequenceNumber("resident_number", "宛名番号", "resident number")
_HOUSEHOLD = _SequenceNumber("household_number", "世帯番号", "household number")


def resident_number_check_digit(nine: str) -> str:
    """宛名番号: the check digit of the 9-digit sequence."""
    return _RESIDENT.check_digit(nine)


def make_resident_number(sequence: int) -> str:
    """宛名番号 for `sequence` (1…999,999,999): ``1`` → ``"0000000019"``."""
    return _RESIDENT.make(sequence)


def validate_resident_number(value: str, field: str = "resident_number") -> str:
    """A 10-digit 宛名番号 whose last digit checks."""
    return _RESIDENT.validate(value, field)


def household_number_check_digit(nine: str) -> str:
    """世帯番号: the check digit of the 9-digit sequence (same rule as 宛名番号)."""
    return _HOUSEHOLD.check_digit(nine)


def make_household_number(sequence: int) -> str:
    """世帯番号 for `sequence` (1…999,999,999)."""
    return _HOUSEHOLD.make(sequence)


def validate_household_number(value: str, field: str = "household_number") -> str:
    """A 10-digit 世帯番号 whose last digit checks."""
    return _HOUSEHOLD.validate(value, field)
