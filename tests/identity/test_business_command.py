"""jichi business register / suspend / reactivate / verify-audit."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command

from jichi.identity.business.models import AccountStatus, BusinessAccount, BusinessMember
from tests.factories import PASSWORD
from tests.identity.test_business_services import NUMBER, register, tamper

REGISTER = (
    "register", "--corporate-number", NUMBER, "--name", "株式会社テスト商事",
    "--address", "東京都千代田区霞が関三丁目1番1号", "--administrator-name", "代表 太郎",
    "--administrator-email", "admin@example.co.jp",
)  # fmt: skip


def business(*args, stdin: str | None = None, monkeypatch=None) -> str:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("business", *args, stdout=out)
    return out.getvalue()


def test_register_prints_a_one_time_password(db):
    out = business(*REGISTER)
    password = re.search(r"one-time password: (\S+)", out)[1]
    administrator = BusinessMember.objects.get(account__corporate_number=NUMBER)
    assert administrator.must_change_password
    assert check_password(password, administrator.password)


def test_register_reads_the_password_from_stdin(db, monkeypatch):
    out = business(*REGISTER, "--password-stdin", stdin=PASSWORD + "\n", monkeypatch=monkeypatch)
    assert "one-time password" not in out
    administrator = BusinessMember.objects.get(account__corporate_number=NUMBER)
    assert check_password(PASSWORD, administrator.password)
    assert not administrator.must_change_password


def test_register_refuses_a_wrong_check_digit_with_both_messages(db):
    args = list(REGISTER)
    args[args.index(NUMBER)] = "1000012050002"
    with pytest.raises(CommandError, match=r"corporate_number: .*check digit.*検査用数字"):
        business(*args)
    assert not BusinessAccount.objects.exists()


def test_suspend_and_reactivate(db):
    register()
    business("suspend", "--corporate-number", NUMBER, "--reason", "調査中")
    assert BusinessAccount.objects.get().status == AccountStatus.SUSPENDED
    business("reactivate", "--corporate-number", NUMBER)
    assert BusinessAccount.objects.get().status == AccountStatus.ACTIVE


def test_suspending_an_unknown_account_is_refused(db):
    with pytest.raises(CommandError, match="not_found"):
        business("suspend", "--corporate-number", NUMBER, "--reason", "調査中")


def test_verify_audit_reports_the_chain(db):
    register()
    assert "business: ok (1 entries)" in business("verify-audit")


def test_verify_audit_exits_1_naming_the_bad_entry(db):
    register()
    tamper("UPDATE {table} SET action = 'innocent' WHERE seq = 1")
    with pytest.raises(SystemExit) as exited:
        business("verify-audit")
    assert exited.value.code == 1
