"""The input rules of counter operations, each with its code and both messages."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from jichi.common.errors import ErrorCollector, RuleViolation

PROCEDURE_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
TICKET_PREFIX = re.compile(r"^[A-Z]{1,2}$")
PHONE = re.compile(r"^0\d{9,10}$")


def conflict(code: str, ja: str, en: str, field: str | None = None) -> RuleViolation:
    """The action does not fit the current state (409): nothing was changed."""
    return RuleViolation(code, ja, en, field, status=409)


def check_procedure_id(errors: ErrorCollector, value: str, field: str = "procedure_id") -> None:
    if not PROCEDURE_ID.match(value or ""):
        errors.add(
            "procedure_id.invalid",
            "手続IDは英小文字で始まる英小文字・数字・_ の2〜64文字です。",
            "A procedure id is 2 to 64 lowercase letters, digits or _ starting with a letter.",
            field,
        )


def check_required(errors: ErrorCollector, value: str, field: str, ja: str, en: str) -> None:
    if not (value or "").strip():
        errors.add(f"{field}.required", f"{ja}を入力してください。", f"Enter the {en}.", field)


def normalized_contact(value: str) -> str:
    """A phone number without hyphens or spaces, or an e-mail address as typed."""
    value = (value or "").strip()
    if "@" in value:
        return value
    return re.sub(r"[-\s()（）ー－]", "", value)


def check_contact(errors: ErrorCollector, value: str, field: str = "contact") -> None:
    """A Japanese phone number (0 and 9 or 10 digits) or an e-mail address."""
    if "@" in value:
        try:
            validate_email(value)
            return
        except ValidationError:
            pass
    elif PHONE.match(value):
        return
    errors.add(
        "contact.invalid",
        "連絡先は電話番号（0から始まる10桁か11桁）かメールアドレスで入力してください。",
        "The contact is a phone number (10 or 11 digits starting with 0) or an e-mail address.",
        field,
    )


def check_range(
    errors: ErrorCollector, value: int, low: int, high: int, field: str, ja: str, en: str
) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        errors.add(
            f"{field}.invalid",
            f"{ja}は{low}から{high}までの整数で入力してください。",
            f"The {en} is a whole number from {low} to {high}.",
            field,
        )
