"""The staff inbox pages: queues and filters, bulk assignment, review, information requests,
decisions with reasons (for those who may decide), breaches, history, files."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jichi.audit.models import AuditEntry
from jichi.procedures import services
from jichi.procedures.models import Application, Attachment
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.roles import Role
from tests import factories
from tests.procedures.helpers import apply, genkyo_answers, run
from tests.registry.people import family

pytestmark = pytest.mark.django_db
GENKYO = "jidou_teate_genkyo"


@pytest.fixture
def people(yokohama):
    return family(yokohama)[1]


@pytest.fixture
def received(yokohama, people):
    """Two 現況届 received from 山田太郎 (online)."""
    return [
        apply(yokohama, GENKYO, people[0], genkyo_answers([people[2]]), channel="online")
        for _ in range(2)
    ]


def _login(client, yokohama, role):
    user = factories.staff(yokohama, role)
    client.force_login(user)
    return user


def _state(yokohama, application):
    with tenant_scope(yokohama.code):
        return Application.objects.get(pk=application.pk)


def test_the_inbox_lists_and_filters_by_state_and_queue(client, yokohama, received):
    _login(client, yokohama, Role.COUNTER_CLERK)
    html = client.get("/procedures/").content.decode()
    assert html.count('name="application"') == 2 and "児童手当 現況届" in html
    assert (
        client.get("/procedures/", {"state": "in_review"})
        .content.decode()
        .count('name="application"')
        == 0
    )
    other = client.get("/procedures/", {"department": "no_such_queue"}).content.decode()
    assert 'name="application"' not in other


def test_bulk_assignment_gives_both_to_a_reviewer(client, yokohama, received):
    clerk = _login(client, yokohama, Role.COUNTER_CLERK)
    response = client.post(
        "/procedures/assign/",
        {"application": [str(a.id) for a in received], "assignee": str(clerk.id)},
    )
    assert response.status_code == 302
    assert {_state(yokohama, a).assignee for a in received} == {str(clerk.id)}
    mine = client.get("/procedures/", {"assignee": str(clerk.id)}).content.decode()
    assert mine.count('name="application"') == 2


def test_review_request_information_and_a_decision_with_its_reason(client, yokohama, received):
    _login(client, yokohama, Role.BACK_OFFICE_CLERK)
    application = received[0]
    url = f"/procedures/applications/{application.id}/"
    page = client.get(url).content.decode()
    assert "受付" in page and 'value="start_review"' in page
    assert "/registry/households/" in page and "課税・所得証明" in page  # looked up, not attached
    client.post(url, {"action": "start_review"})
    client.post(url, {"action": "request_information", "question": "別居の理由を教えてください。"})
    assert _state(yokohama, application).state == "info_requested"
    run(
        yokohama,
        services.answer_information,
        actor=_resident_actor(application),
        application=application,
        answer="単身赴任です。",
    )
    refused = client.post(url, {"action": "reject", "reason": " "})
    assert refused.status_code == 400 and _state(yokohama, application).state == "in_review"
    client.post(url, {"action": "approve", "reason": "要件を満たす"})
    done = _state(yokohama, application)
    assert done.state == "approved" and done.decision_reason == "要件を満たす"
    history = client.get(url).content.decode()
    assert "補正依頼" in history and "承認" in history
    with tenant_scope(yokohama.code):
        assert AuditEntry.objects.filter(object_id=str(application.id)).count() >= 5


def _resident_actor(application):
    from jichi.tenancy.principals import Actor

    return Actor("resident", str(application.person_id), "resident")


def test_counter_clerks_review_but_do_not_decide(client, yokohama, received):
    _login(client, yokohama, Role.COUNTER_CLERK)
    url = f"/procedures/applications/{received[0].id}/"
    client.post(url, {"action": "start_review"})
    page = client.get(url).content.decode()
    assert 'value="approve"' not in page
    response = client.post(url, {"action": "approve", "reason": "x"})
    assert response.status_code == 403
    assert _state(yokohama, received[0]).state == "in_review"


def test_breaches_are_counted_and_listed(client, yokohama, received):
    with tenant_scope(yokohama.code):
        Application.objects.filter(pk=received[0].pk).update(
            due_on=timezone.localdate() - timedelta(days=1)
        )
    _login(client, yokohama, Role.BACK_OFFICE_CLERK)
    html = client.get("/procedures/", {"breached": "on"}).content.decode()
    assert html.count('name="application"') == 1 and "期限超過" in html


def test_a_file_is_downloaded_with_an_audited_read(client, yokohama, people):
    from tests.procedures.test_portal import PDF

    answers = {
        "dog_name": "ポチ", "breed": "柴犬", "coat_color": "茶", "dog_sex": "male",
        "dog_birth_date": (timezone.localdate() - timedelta(days=400)).isoformat(),
        "rabies_vaccination_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
    }  # fmt: skip
    with tenant_scope(yokohama.code):
        from jichi.procedures.applicants import Applicant
        from tests.procedures.helpers import SYSTEM

        draft = services.save_draft(
            municipality=yokohama, actor=SYSTEM, procedure_id="inu_touroku",
            applicant=Applicant.resident(people[0]), channel="api", answers=answers,
        )  # fmt: skip
        services.add_attachment(
            actor=SYSTEM, application=draft, field="vaccination_certificate",
            filename="cert.pdf", content_type="application/pdf", data=PDF,
        )  # fmt: skip
        services.submit(actor=SYSTEM, application=draft)
        file = Attachment.objects.get()
    _login(client, yokohama, Role.COUNTER_CLERK)
    page = client.get(f"/procedures/applications/{draft.id}/").content.decode()
    assert "cert.pdf" in page
    download = client.get(f"/procedures/applications/{draft.id}/attachments/{file.id}")
    assert download.content == PDF and download["X-Content-Type-Options"] == "nosniff"
    with tenant_scope(yokohama.code):
        assert AuditEntry.objects.filter(action="attachment.read").count() == 1


def test_another_municipalitys_staff_see_nothing(client, yokohama, chiyoda, received):
    _login(client, chiyoda, Role.BACK_OFFICE_CLERK)
    assert 'name="application"' not in client.get("/procedures/").content.decode()
    page = client.get(f"/procedures/applications/{received[0].id}/")
    assert page.status_code == 404


def test_an_administrator_closes_a_procedure_and_sets_its_fee(client, yokohama, people):
    _login(client, yokohama, Role.MUNICIPAL_ADMIN)
    page = client.get("/procedures/settings/").content.decode()
    assert "犬の登録" in page and 'id="open-inu_touroku"' in page
    saved = client.post(
        "/procedures/settings/",
        {"procedure": "inu_touroku", "fee": "3000", "department": "seikatsu_eisei"},
    )
    assert saved.status_code == 302
    with tenant_scope(yokohama.code):
        from jichi.procedures import selectors

        offered = selectors.offered("inu_touroku")
    assert (offered.enabled, offered.fee, offered.department) == (False, 3000, "seikatsu_eisei")
    too_long = client.post(
        "/procedures/settings/",
        {"procedure": "inu_touroku", "enabled": "on", "department": "x" * 61},
    )
    assert too_long.status_code == 400 and "60文字" in too_long.content.decode()
    _login(client, yokohama, Role.COUNTER_CLERK)
    assert client.get("/procedures/settings/").status_code == 403


def test_an_administrator_changes_a_procedures_texts(client, yokohama):
    _login(client, yokohama, Role.MUNICIPAL_ADMIN)
    url = "/procedures/settings/inu_touroku/texts/"
    page = client.get(url).content.decode()
    assert 'name="notifications.approved.ja"' in page and "犬の登録" in page
    saved = client.post(
        url, {"name.ja": "飼い犬の登録", "notifications.approved.en": "Registered."}
    )
    assert saved.status_code == 302
    with tenant_scope(yokohama.code):
        from jichi.procedures import selectors

        offered = selectors.offered("inu_touroku")
    assert (
        offered.text("name", "ja") == "飼い犬の登録"
        and offered.text("name", "en") == "Dog registration"
    )
    assert offered.text("notifications.approved", "en") == "Registered."
    too_long = client.post(url, {"name.ja": "あ" * 501})
    assert too_long.status_code == 400 and "500文字" in too_long.content.decode()
    with tenant_scope(yokohama.code):
        assert selectors.offered("inu_touroku").text("name", "ja") == "飼い犬の登録"
