"""The CLI: national list, demo, staff and token commands."""

import io

import pytest
from django.core.management import CommandError, call_command

from jichi.tenancy.models import ApiToken, Municipality, MunicipalityKind, StaffUser
from jichi.tenancy.services import authenticate_staff
from jichi.web.management.commands.demo import DEMO_PASSWORD


def test_load_municipalities_loads_the_whole_country_once(db, capsys):
    call_command("load-municipalities")
    total = Municipality.objects.count()
    assert 1900 < total < 2000
    assert Municipality.objects.filter(kind=MunicipalityKind.PREFECTURE).count() == 47
    assert Municipality.objects.filter(kind=MunicipalityKind.DESIGNATED_CITY).count() == 20
    assert Municipality.objects.filter(kind=MunicipalityKind.SPECIAL_WARD).count() == 23
    tsurumi = Municipality.objects.get(code="141011")
    assert tsurumi.display_name == "横浜市鶴見区" and tsurumi.parent_id == "141003"
    call_command("load-municipalities")
    assert Municipality.objects.count() == total
    assert "0 created, 0 updated" in capsys.readouterr().out


def test_demo_creates_staff_for_every_role_and_a_working_token(db, settings, client):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo", municipality="141003", stdout=out)
    text = out.getvalue()
    secret = text.split("API token (shown once, 30 days): ")[1].split()[0]
    response = client.get("/api/v1/municipalities/141003", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    for username in (
        "demo-counter-141003",
        "demo-admin-141003",
        "demo-auditor-141003",
        "demo-backoffice-141003",
        "demo-prefecture-14",
        "demo-operator",
    ):
        assert username in text
        assert authenticate_staff(username=username, password=DEMO_PASSWORD)


def test_demo_is_idempotent(db, settings):
    settings.DEBUG = True
    call_command("demo", stdout=io.StringIO())
    users = StaffUser.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert StaffUser.objects.count() == users
    live = ApiToken.objects.filter(name="demo system", revoked_at__isnull=True)
    assert live.count() == 1


def test_demo_refuses_to_run_in_production_mode(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="JICHI_DEBUG"):
        call_command("demo", stdout=io.StringIO())


def test_demo_refuses_a_prefecture(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="not a municipality"):
        call_command("demo", municipality="140007", stdout=io.StringIO())


def test_create_token_command_prints_a_usable_secret(yokohama, client):
    out = io.StringIO()
    call_command(
        "create-token", municipality="141003", name="gis", scope=["municipality:read"], stdout=out
    )
    secret = out.getvalue().strip().splitlines()[-1]
    assert (
        client.get(
            "/api/v1/municipalities/141003", HTTP_AUTHORIZATION=f"Bearer {secret}"
        ).status_code
        == 200
    )


def test_create_staff_command_refuses_a_weak_password(yokohama, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="password"):
        call_command(
            "create-staff", "weakling", municipality="141003", role=["auditor"], password_stdin=True
        )


def test_adding_one_local_government_brings_its_parents(db):
    from jichi.tenancy.services import add_local_government

    ward = add_local_government("141011")
    assert ward.display_name == "横浜市鶴見区"
    assert set(Municipality.objects.values_list("code", flat=True)) == {
        "141011",
        "141003",
        "140007",
    }


def test_adding_an_unknown_code_is_refused(db):
    from jichi.common.errors import RuleViolation
    from jichi.tenancy.services import add_local_government

    with pytest.raises(RuleViolation) as caught:
        add_local_government("999999")
    assert caught.value.code == "municipality_code.unknown"
    assert caught.value.field == "municipality_code"
    assert not Municipality.objects.exists()
