"""Counter pages and the public check of a certificate."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jichi.certificates.models import Certificate
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.roles import Role
from tests import factories
from tests.certificates.helpers import ask, issue
from tests.registry.people import family

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuing")]


@pytest.fixture
def people(yokohama):
    return family(yokohama)[1]


@pytest.fixture
def clerk(client, yokohama):
    user = factories.staff(yokohama, Role.COUNTER_CLERK)
    client.force_login(user)
    return user


def _form(person, **overrides):
    form = {
        "kind": "resident_copy",
        "person": person.number,
        "household": "on",
        "head": "on",
        "relationship": "on",
        "category": "self",
        "purpose": "各種手続への添付",
    }
    form.update(overrides)
    return form


def test_counter_form_issues_and_shows_the_certificate(client, clerk, yokohama, people):
    response = client.post("/certificates/new/", _form(people[0]))
    assert response.status_code == 302
    with tenant_scope(yokohama.code):
        certificate = Certificate.objects.get()
    assert response["Location"] == f"/certificates/{certificate.id}/"
    html = client.get(response["Location"]).content.decode()
    assert certificate.sha256 in html and f"/certificates/{certificate.id}.pdf" in html
    pdf = client.get(f"/certificates/{certificate.id}.pdf")
    assert pdf.content.startswith(b"%PDF")


def test_counter_form_shows_the_rule_next_to_its_input(client, clerk, yokohama, people):
    response = client.post(
        "/certificates/new/", _form(people[0], category="agent", requester_name="佐藤")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "委任状" in html and 'role="alert"' in html
    with tenant_scope(yokohama.code):
        assert not Certificate.objects.exists()


def test_every_input_of_the_counter_form_has_a_label(client, clerk):
    html = client.get("/certificates/new/").content.decode()
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    assert len(ids) >= 15
    for field_id in ids:
        assert f'for="{field_id}"' in html, field_id


def test_ledger_lists_certificates(client, clerk, yokohama, people):
    issue(yokohama, ask(people[0]))
    html = client.get("/certificates/").content.decode()
    assert "住民票の写し" in html and people[0].number in html


def test_counter_clerks_cannot_decide_or_revoke(client, clerk, yokohama, people):
    certificate = issue(yokohama, ask(people[0]))
    assert (
        client.post(f"/certificates/{certificate.id}/revoke/", {"reason": "誤り"}).status_code
        == 403
    )


def test_a_back_office_clerk_revokes_with_a_reason(client, yokohama, people):
    certificate = issue(yokohama, ask(people[0]))
    client.force_login(factories.staff(yokohama, Role.BACK_OFFICE_CLERK))
    response = client.post(
        f"/certificates/{certificate.id}/revoke/", {"reason": "住所の誤り", "reissue": "on"}
    )
    assert response.status_code == 302
    with tenant_scope(yokohama.code):
        certificate.refresh_from_db()
        again = Certificate.objects.get(replaces=certificate)
    assert certificate.status == "revoked" and response["Location"] == f"/certificates/{again.id}/"


def test_public_check_shows_facts_and_never_the_content(client, yokohama, people):
    certificate = issue(yokohama, ask(people[0]))
    html = client.get(f"/verify/{certificate.id}").content.decode()
    assert "住民票の写し" in html and certificate.sha256 in html and "横浜市" in html
    assert "山田" not in html and people[0].number not in html


def test_public_check_compares_a_file_with_the_issued_one(client, yokohama, people):
    certificate = issue(yokohama, ask(people[0]))
    pdf = bytes(certificate.pdf)
    same = client.post(f"/verify/{certificate.id}", {"pdf": SimpleUploadedFile("c.pdf", pdf)})
    changed = client.post(
        f"/verify/{certificate.id}", {"pdf": SimpleUploadedFile("c.pdf", pdf + b"%")}
    )
    assert same.context["matches"] is True and changed.context["matches"] is False


def test_an_unknown_id_is_not_found(client):
    assert client.get("/verify/not-a-uuid").status_code == 404
    assert client.get("/verify/0190b4f2-0000-7000-8000-000000000000.json").status_code == 404
