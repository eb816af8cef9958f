"""The rules of business identity: input checks and the refusals, each with its code.

The checks add to an :class:`~jichi.common.errors.ErrorCollector`, so a form
with several bad fields hears about all of them at once; the refusals are
:class:`~jichi.common.errors.RuleViolation` factories (a fresh exception each
time), shared by the services and the pages.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from jichi.common.checkdigits import validate_corporate_number
from jichi.common.errors import ErrorCollector, RuleViolation
from jichi.identity.business.models import BusinessAccount, BusinessMember, MemberRole

# --- input checks ---------------------------------------------------------------------


def text(errors: ErrorCollector, value, field: str, limit: int, what_ja: str, what_en: str):
    """``value`` stripped; required and at most ``limit`` characters (``<field>.required``)."""
    value = (value or "").strip()
    if not value or len(value) > limit:
        errors.add(
            f"{field}.required",
            f"{what_ja}を入力してください（{limit}文字以内）。",
            f"The {what_en} is required (at most {limit} characters).",
            field,
        )
    return value


def corporate_number(errors: ErrorCollector, value) -> str:
    """A 法人番号 whose check digit holds and that no account has yet."""
    try:
        number = validate_corporate_number(value)
    except RuleViolation as exc:
        errors.check(exc)
        return ""
    if BusinessAccount.objects.filter(corporate_number=number).exists():
        errors.check(corporate_number_taken())
    return number


def email(errors: ErrorCollector, value, field: str) -> str:
    """An e-mail address in lower case that no active member uses."""
    address = (value or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        errors.add(
            "email.invalid",
            "メールアドレスの形式が正しくありません。",
            "The e-mail address is not valid.",
            field,
        )
        return address
    if BusinessMember.objects.filter(email=address, is_active=True).exists():
        errors.check(email_taken(field))
    return address


def role(errors: ErrorCollector, value) -> str:
    if value not in MemberRole.values:
        errors.add("role.unknown", f"不明な役割です: {value}", f"Unknown role: {value}", "role")
    return value


def reason(value) -> str:
    value = (value or "").strip()
    if not value or len(value) > 200:
        raise RuleViolation(
            "reason.required",
            "利用停止の理由を入力してください（200文字以内）。",
            "A reason of at most 200 characters is required.",
            "reason",
        )
    return value


# --- refusals -------------------------------------------------------------------------


def corporate_number_taken() -> RuleViolation:
    return RuleViolation(
        "corporate_number.taken",
        "この法人番号のアカウントは既に登録されています。",
        "An account with this corporate number is already registered.",
        "corporate_number",
        status=409,
    )


def email_taken(field: str) -> RuleViolation:
    return RuleViolation(
        "email.taken",
        "このメールアドレスは既に登録されています。",
        "This e-mail address is already registered.",
        field,
        status=409,
    )


def account_suspended() -> RuleViolation:
    return RuleViolation(
        "account.suspended",
        "この事業者アカウントは利用停止中です。",
        "This business account is suspended.",
        status=403,
    )


def administrator_required() -> RuleViolation:
    return RuleViolation(
        "member.administrator_required",
        "この操作はアカウントの管理者だけが行えます。",
        "Only an administrator of the account may do this.",
        status=403,
    )


def member_inactive() -> RuleViolation:
    return RuleViolation(
        "member.inactive",
        "このメンバーは利用を終了しています。",
        "This member has been deactivated.",
        "member",
        status=409,
    )


def last_administrator() -> RuleViolation:
    return RuleViolation(
        "member.last_administrator",
        "最後の管理者は外せません。先に別のメンバーを管理者にしてください。",
        "The last active administrator cannot be removed; make another member an "
        "administrator first.",
        "member",
        status=409,
    )


def current_password_wrong() -> RuleViolation:
    return RuleViolation(
        "current_password.wrong",
        "現在のパスワードが正しくありません。",
        "The current password is not correct.",
        "current_password",
    )


def password_unchanged() -> RuleViolation:
    return RuleViolation(
        "new_password.unchanged",
        "新しいパスワードは現在のものと別にしてください。",
        "The new password must differ from the current one.",
        "new_password",
    )


def invalid_login() -> RuleViolation:
    return RuleViolation(
        "auth.invalid_credentials",
        "メールアドレスまたはパスワードが正しくありません。",
        "The e-mail address or password is not correct.",
        status=401,
    )


def locked() -> RuleViolation:
    return RuleViolation(
        "auth.locked",
        "ログインの失敗が続いたため、このアカウントは一時的にロックされています。",
        "This account is locked for a while after repeated failed logins.",
        status=401,
    )


def login_suspended() -> RuleViolation:
    return RuleViolation(
        "auth.account_suspended",
        "この事業者アカウントは利用停止中のため、ログインできません。",
        "This business account is suspended: its members cannot log in.",
        status=403,
    )
