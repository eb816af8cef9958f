"""A business member applies from their own session (GビズID-like), to a municipality of
their choice, for the procedures it offers businesses; their account sees its own only."""

import pytest
from django.utils import timezone

from jichi.procedures.models import Application
from jichi.tenancy.context import tenant_scope
from tests.identity.test_business_pages import admin, as_admin, log_in, member  # noqa: F401

pytestmark = pytest.mark.django_db
WATER = "suidou_kaishi"  # businesses may apply; no identity level beyond a login


def _water(**extra) -> dict:
    return {
        "user_name": "見本商事株式会社",
        "supply_address": "横浜市中区港町1丁目1番地",
        "start_date": timezone.localdate().isoformat(),
        "payment": "account_transfer",
        "phone": "045-123-4567",
        **extra,
    }


def test_a_member_applies_for_water_supply_and_follows_it(as_admin, yokohama, admin):  # noqa: F811
    home = as_admin.get("/business/procedures/", {"q": "横浜"}).content.decode()
    assert f"/business/procedures/{yokohama.code}/" in home
    offered = as_admin.get(f"/business/procedures/{yokohama.code}/").content.decode()
    assert "水道の使用開始" in offered and "児童手当" not in offered
    sent = as_admin.post(f"/business/procedures/{yokohama.code}/{WATER}/", _water())
    assert sent.status_code == 302
    with tenant_scope(yokohama.code):
        application = Application.objects.get()
    assert application.applicant_kind == "business"
    assert application.business_member_id == admin.id and application.person_id is None
    page = as_admin.get(sent["Location"]).content.decode()
    assert "見本商事株式会社" in page and 'id="state"' in page


def test_errors_name_the_question(as_admin, yokohama):  # noqa: F811
    response = as_admin.post(f"/business/procedures/{yokohama.code}/{WATER}/", _water(phone="x"))
    assert response.status_code == 400 and 'aria-invalid="true"' in response.content.decode()
    with tenant_scope(yokohama.code):
        assert not Application.objects.exists()


def test_a_procedure_for_residents_only_is_refused(as_admin, yokohama):  # noqa: F811
    response = as_admin.post(f"/business/procedures/{yokohama.code}/jidou_teate_genkyo/", {})
    assert response.status_code == 400 and "申請者区分" in response.content.decode()


def test_another_account_sees_nothing_of_it(client, as_admin, yokohama):  # noqa: F811
    sent = as_admin.post(f"/business/procedures/{yokohama.code}/{WATER}/", _water())
    from tests.identity.test_business_services import register

    register("8000020130001", email="other@example.co.jp")
    other = type(client)()
    assert log_in(other, email="other@example.co.jp").status_code == 302
    assert other.get(sent["Location"]).status_code == 404
    assert (
        sent["Location"] not in other.get(f"/business/procedures/{yokohama.code}/").content.decode()
    )


def test_the_pages_need_a_business_login(client, yokohama):
    response = client.get(f"/business/procedures/{yokohama.code}/")
    assert response.status_code == 302 and "/business/login/" in response["Location"]
