"""Self-service issuance: a resident gets their own or their household's certificates, only."""

from __future__ import annotations

import pytest

from jichi.certificates.models import Certificate
from jichi.registry import services as registry
from jichi.registry.models import Person
from jichi.registry.schemas import OffenderIn, ProtectionIn
from jichi.tenancy.context import tenant_scope
from tests.factories import SYSTEM
from tests.identity.test_login import answer, card_of, challenge_of
from tests.registry.people import arrival, days_ago, family, person, record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuing")]


@pytest.fixture
def people(yokohama):
    return family(yokohama)[1]


@pytest.fixture
def twin(yokohama, people):
    """山田花子 with the same name, birth date and address as the wife, in another household."""
    notice = arrival(
        person(given_name="花子", given_name_kana="ハナコ", birth_date="1982-06-15", sex="1")
    )
    movement = record(yokohama, registry.record_move_in, notice)
    with tenant_scope(yokohama.code):
        return Person.objects.get(movements__movement=movement)


def logged_in(client, municipality, someone):
    card = card_of(municipality, someone)
    assert answer(client, card, challenge_of(client)).status_code == 302


def test_a_resident_issues_their_own_certificate_and_downloads_it(client, yokohama, people):
    logged_in(client, yokohama, people[1])
    response = client.post(
        "/resident/certificates/", {"kind": "resident_copy", "person": people[1].number}
    )
    assert response.status_code == 302
    with tenant_scope(yokohama.code):
        certificate = Certificate.objects.get()
    assert (certificate.channel, certificate.requester_category) == ("self_service", "self")
    download = client.get(f"/resident/certificates/{certificate.id}.pdf")
    assert download.status_code == 200 and download.content.startswith(b"%PDF")


def test_a_resident_issues_a_household_members_certificate(client, yokohama, people):
    logged_in(client, yokohama, people[1])
    client.post("/resident/certificates/", {"kind": "resident_copy", "person": people[2].number})
    with tenant_scope(yokohama.code):
        certificate = Certificate.objects.get()
    assert certificate.person_id == people[2].id and certificate.requester_category == "household"


def test_a_look_alike_in_another_household_gets_nothing_of_the_other(
    client, yokohama, people, twin
):
    logged_in(client, yokohama, twin)
    page = client.get("/resident/certificates/").content.decode()
    assert people[1].number not in page and people[0].number not in page
    response = client.post(
        "/resident/certificates/", {"kind": "resident_copy", "person": people[1].number}
    )
    assert response.status_code == 403 and "同一の世帯" in response.content.decode()
    with tenant_scope(yokohama.code):
        assert not Certificate.objects.exists()


def test_a_resident_cannot_download_someone_elses_certificate(client, yokohama, people, twin):
    logged_in(client, yokohama, people[1])
    client.post("/resident/certificates/", {"kind": "resident_copy", "person": people[1].number})
    with tenant_scope(yokohama.code):
        certificate = Certificate.objects.get()
    client.post("/resident/logout/")
    logged_in(client, yokohama, twin)
    assert client.get(f"/resident/certificates/{certificate.id}.pdf").status_code == 404


def test_a_protected_resident_gets_their_own_certificate_without_waiting(client, yokohama, people):
    with tenant_scope(yokohama.code):
        registry.start_protection(
            municipality=yokohama,
            actor=SYSTEM,
            request=ProtectionIn(
                person=people[1].number,
                starts_on=days_ago(2),
                offenders=[OffenderIn(name="加害者一郎")],
            ),
        )
    logged_in(client, yokohama, people[1])
    client.post("/resident/certificates/", {"kind": "resident_copy", "person": people[1].number})
    with tenant_scope(yokohama.code):
        assert Certificate.objects.get().status == "issued"
