"""Every kind issued to a signed PDF, what each may not be, and the issuing settings
(the mayor printed, the fees) through the service, the API and the page."""

from __future__ import annotations

import io

import pytest
from cryptography import x509
from pypdf import PdfReader

from jichi.audit.models import AuditEntry
from jichi.certificates import pdf
from jichi.certificates.models import Certificate
from jichi.registry import services as registry
from jichi.registry.schemas import DeathIn, DepartureIn
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.roles import Role
from jichi.tenancy.services import add_local_government
from tests import factories
from tests.certificates.helpers import ask, issue, refused
from tests.certificates.test_self_service import logged_in
from tests.factories import bearer
from tests.registry.people import days_ago, family, record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuing")]


@pytest.fixture
def people(yokohama):
    return family(yokohama)[1]  # head, wife, child (moved in 30 days ago)


def _text(certificate) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(certificate.pdf))).pages)


def _valid(client, certificate) -> bool:
    anchors = x509.load_pem_x509_certificates(client.get("/pki/ca.pem").content)
    result = pdf.validate(bytes(certificate.pdf), anchors)
    return result.ok and result.document_sha256 == certificate.sha256


def test_a_removed_copy_of_a_dead_person_is_a_signed_pdf_with_the_death(client, yokohama, people):
    record(
        yokohama, registry.record_death, DeathIn(effective_on=days_ago(2), person=people[2].number)
    )
    certificate = issue(
        yokohama,
        ask(
            people[2],
            kind="removed_copy",
            requester={"category": "household", "person": people[0].number},
        ),
    )
    text = _text(certificate)
    assert "除票の写し" in text and "死亡" in text and "山田" in text
    assert "除票の原本と相違ないことを証明する" in text
    assert _valid(client, certificate)


def test_a_move_out_certificate_names_the_destination_and_every_mover(client, yokohama, people):
    notice = DepartureIn(
        effective_on=days_ago(1),
        persons=[p.number for p in people],
        destination_address="東京都港区芝公園4丁目2番8号",
    )
    record(yokohama, registry.record_move_out, notice)
    certificate = issue(yokohama, ask(people[0], kind="move_out", household=True))
    text = _text(certificate)
    assert "転出証明書" in text and "東京都港区芝公園4丁目2番8号" in text
    assert all(name in text for name in ("太郎", "花子", "一郎"))
    assert certificate.fee == 0 and _valid(client, certificate)


def test_an_entry_certificate_for_a_past_date_says_so_and_shows_that_day(client, yokohama, people):
    as_of = days_ago(10)
    certificate = issue(yokohama, ask(people[0], kind="entry_certificate", as_of=as_of))
    text = _text(certificate)
    assert "住民票記載事項証明書" in text and "現在、住民票に記載されている事項" in text
    assert certificate.as_of == as_of and _valid(client, certificate)


def test_after_moving_out_only_the_removed_copy_is_issued_even_for_a_past_date(yokohama, people):
    record(
        yokohama,
        registry.record_move_out,
        DepartureIn(effective_on=days_ago(1), persons=[p.number for p in people]),
    )
    for request in (
        ask(people[0]),
        ask(people[0], kind="entry_certificate"),
        ask(people[0], kind="entry_certificate", as_of=days_ago(10)),
    ):
        refusal = refused(yokohama, request)
        assert (refusal.code, refusal.field) == ("person.not_resident", "person")
        assert "除票" in refusal.message_ja
    assert issue(yokohama, ask(people[0], kind="removed_copy")).status == "issued"


def test_a_move_out_certificate_is_never_for_a_third_party(yokohama, people):
    record(
        yokohama,
        registry.record_move_out,
        DepartureIn(effective_on=days_ago(1), persons=[p.number for p in people]),
    )
    third = {
        "category": "third_party",
        "name": "債権者株式会社",
        "reason": "貸金の返還請求訴訟の提起に必要なため",
    }
    refusal = refused(yokohama, ask(people[0], kind="move_out", requester=third))
    assert (refusal.code, refusal.status) == ("kind.not_for_third_party", 403)
    with tenant_scope(yokohama.code):
        assert not Certificate.objects.exists()
        assert AuditEntry.objects.filter(action="certificates.refused").exists()


def test_self_service_offers_only_its_kinds_whatever_is_posted(client, yokohama, people):
    logged_in(client, yokohama, people[1])
    response = client.post(
        "/resident/certificates/", {"kind": "removed_copy", "person": people[1].number}
    )
    assert response.status_code == 400 and "窓口で請求" in response.content.decode()
    with tenant_scope(yokohama.code):
        assert not Certificate.objects.exists()


def test_nothing_is_issued_before_the_mayors_name_is_set(db):
    town = add_local_government("141305")  # 川崎市, set up without its issuing profile
    factories.activate(town)
    _, people = family(town, town="川崎区砂子")
    refusal = refused(town, ask(people[0]))
    assert (refusal.code, refusal.status) == ("profile.mayor_name_missing", 409)
    factories.issuer_profile(town, mayor_name="福田　紀彦")
    certificate = issue(town, ask(people[0]))
    assert "川崎市長　福田　紀彦" in _text(certificate)


def test_settings_over_the_api_need_their_permission_and_refuse_bad_fees(client, yokohama, people):
    url = f"/api/v1/municipalities/{yokohama.code}/certificate-settings"
    _, reader = factories.token(yokohama, ["certificates:read"])
    _, admin = factories.token(yokohama, ["certificates:read", "certificates:manage"])
    now = client.get(url, **bearer(reader)).json()
    assert now["ready"] is True and now["fees"]["resident_copy"] == 300
    body = {"mayor_title": "横浜市長", "mayor_name": "山中　竹春", "fees": {"resident_copy": 350}}
    put = lambda secret, data: client.put(  # noqa: E731
        url, data, content_type="application/json", **bearer(secret)
    )
    assert put(reader, body).status_code == 403
    saved = put(admin, body).json()
    assert saved["fees"]["resident_copy"] == 350 and saved["fees"]["move_out"] == 0
    assert issue(yokohama, ask(people[0])).fee == 350
    bad = put(admin, {**body, "fees": {"resident_copy": -1}})
    assert bad.status_code == 400 and "fees.resident_copy" in bad.json()["error"]["fields"]
    unnamed = put(admin, {**body, "mayor_name": " "})
    assert unnamed.json()["error"]["code"] == "mayor_name.required"
    assert client.get(url, **bearer(reader)).json()["fees"]["resident_copy"] == 350


def test_the_settings_page_saves_and_shows_errors_by_field(client, yokohama):
    client.force_login(factories.staff(yokohama, Role.MUNICIPAL_ADMIN))
    page = client.get("/certificates/settings/").content.decode()
    assert 'value="見本　太郎"' in page and 'for="id_fee_move_out"' in page
    fees = {f"fee_{k}": "300" for k in ("resident_copy", "entry_certificate", "removed_copy")}
    saved = client.post(
        "/certificates/settings/",
        {"mayor_title": "横浜市長", "mayor_name": "山中　竹春", **fees, "fee_move_out": "0"},
    )
    assert saved.status_code == 302
    wrong = client.post(
        "/certificates/settings/",
        {"mayor_title": "横浜市長", "mayor_name": "山中　竹春", **fees, "fee_move_out": "無料"},
    )
    assert wrong.status_code == 400 and 'role="alert"' in wrong.content.decode()
    client.force_login(factories.staff(yokohama, Role.COUNTER_CLERK))
    assert client.get("/certificates/settings/").status_code == 403


def test_the_ledger_page_filters_by_issue_date(client, yokohama, people):
    issue(yokohama, ask(people[0]))
    client.force_login(factories.staff(yokohama, Role.COUNTER_CLERK))
    today = days_ago(0).isoformat()
    found = client.get("/certificates/", {"issued_from": today}).content.decode()
    none = client.get("/certificates/", {"issued_until": days_ago(1).isoformat()}).content.decode()
    assert people[0].number in found and people[0].number not in none
