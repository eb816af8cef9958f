"""書かない窓口: one visit, every procedure of a life event prefilled, one confirmation sheet,
all submitted at once (or none), the ticket completed, a 転入予約 confirmed."""

import io
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone
from pypdf import PdfReader

from jichi.audit.models import AuditEntry
from jichi.counter import services as counter
from jichi.counter.models import Visit
from jichi.procedures import services as procedures
from jichi.procedures.applicants import Applicant
from jichi.procedures.models import Application
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.roles import Role
from tests import factories
from tests.counter.conftest import at, make_counter
from tests.registry.people import family

pytestmark = pytest.mark.django_db
MOVING_IN = ["suidou_kaishi", "jidou_teate_nintei", "kokuho_kanyu"]


@pytest.fixture
def people(yokohama):
    return family(yokohama)[1]  # head 山田太郎, 花子, 一郎 (a child), moved in 30 days ago


@pytest.fixture
def clerk(client, yokohama):
    user = factories.staff(yokohama, Role.BACK_OFFICE_CLERK)
    client.force_login(user)
    return user


def _form(people, **overrides) -> dict:
    today = timezone.localdate().isoformat()
    values = {
        "procedure": MOVING_IN,
        "suidou_kaishi__user_name": "山田 太郎",
        "suidou_kaishi__supply_address": "横浜市中区元町1丁目2番3号",
        "suidou_kaishi__start_date": today,
        "suidou_kaishi__payment": "account_transfer",
        "suidou_kaishi__phone": "045-123-4567",
        "jidou_teate_nintei__children": [people[2].number],
        "jidou_teate_nintei__pension": "kosei",
        "jidou_teate_nintei__higher_income": "yes",
        "jidou_teate_nintei__bank_name": "横浜銀行",
        "jidou_teate_nintei__branch_name": "本店",
        "jidou_teate_nintei__account_type": "ordinary",
        "jidou_teate_nintei__account_number": "1234567",
        "jidou_teate_nintei__account_holder_kana": "ヤマダ タロウ",
        "jidou_teate_nintei__phone": "045-123-4567",
        "kokuho_kanyu__members": [p.number for p in people],
        "kokuho_kanyu__reason": "move_in",
        "kokuho_kanyu__reason_date": today,
        "card_checked": "on",
    }
    values.update(overrides)
    return values


def _applications(yokohama):
    with tenant_scope(yokohama.code):
        return list(Application.objects.order_by("procedure_id"))


def test_the_visitor_is_found_and_the_life_event_lists_its_procedures(client, clerk, people):
    found = client.get("/counter/onestop/", {"number": people[0].number}).content.decode()
    assert f"/counter/onestop/{people[0].number}/" in found
    page = client.get(
        f"/counter/onestop/{people[0].number}/", {"event": "moving_in"}
    ).content.decode()
    assert "水道の使用開始" in page and "児童手当 認定請求" in page
    assert "職場の健康保険に加入していない場合" in page  # to confirm with the visitor


def test_the_forms_show_what_the_register_knows_and_ask_the_rest(client, clerk, people):
    page = client.get(
        f"/counter/onestop/{people[0].number}/", {"procedure": MOVING_IN}
    ).content.decode()
    assert 'name="jidou_teate_nintei__bank_name"' in page
    assert 'name="jidou_teate_nintei__claimant_name"' not in page and "山田 太郎" in page
    assert page.count('<fieldset class="stack" id="form-') == 3


def test_one_sheet_lists_every_procedure_for_the_visitor_to_sign(client, clerk, people):
    response = client.post(
        f"/counter/onestop/{people[0].number}/", {**_form(people), "action": "sheet"}
    )
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "申請内容確認書" in text and "署名" in text
    assert "水道の使用開始" in text and "児童手当" in text and "国民健康保険" in text
    assert "横浜銀行" in text and "（住民記録）" in text


def test_all_are_submitted_at_once_with_the_ticket_completed(client, clerk, yokohama, people):
    today = timezone.localdate()
    with tenant_scope(yokohama.code):
        desk = make_counter(yokohama, procedures=MOVING_IN)
        ticket = counter.issue_ticket(
            municipality=yokohama,
            actor=factories.SYSTEM,
            counter=desk,
            procedure_id=MOVING_IN[0],
            now=at(9, day=today),
        )
        called = counter.call_next(
            municipality=yokohama,
            actor=factories.SYSTEM,
            counter=desk,
            desk="2番",
            now=at(9, 5, day=today),
        )
        counter.start(actor=factories.SYSTEM, visit=called, now=at(9, 6, day=today))
    response = client.post(
        f"/counter/onestop/{people[0].number}/",
        {**_form(people), "action": "submit", "ticket": str(ticket.id)},
    )
    assert response.status_code == 200 and "3" in response.content.decode()
    created = _applications(yokohama)
    assert [a.procedure_id for a in created] == sorted(MOVING_IN)
    assert {a.channel for a in created} == {"counter"}
    assert all(a.state in ("submitted", "approved") for a in created)
    with tenant_scope(yokohama.code):
        assert Visit.objects.get(pk=ticket.pk).status == "done"
        entry = AuditEntry.objects.get(action="counter.onestop.completed")
    assert entry.details["procedures"] == MOVING_IN and entry.details["seconds"] >= 0


def test_one_refused_procedure_submits_none_and_says_which(client, clerk, yokohama, people):
    response = client.post(
        f"/counter/onestop/{people[0].number}/",
        {**_form(people, **{"jidou_teate_nintei__account_number": "12"}), "action": "submit"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and "7桁の数字" in html
    assert _applications(yokohama) == []


def test_without_the_card_a_procedure_that_needs_it_is_refused(client, clerk, yokohama, people):
    form = _form(people)
    form.pop("card_checked")
    response = client.post(f"/counter/onestop/{people[0].number}/", {**form, "action": "submit"})
    assert response.status_code == 400 and "マイナンバーカード" in response.content.decode()
    assert _applications(yokohama) == []


def test_a_moving_in_reservation_prefills_the_move_in_and_is_confirmed(client, clerk, yokohama):
    answers = {
        "name": "鈴木 一郎",
        "birth_date": "1985-05-05",
        "previous_address": "東京都千代田区千代田1番1号",
        "new_address": "中区元町",
        "move_in_date": timezone.localdate().isoformat(),
        "visit_date": timezone.localdate().isoformat(),
        "persons": 1,
        "phone": "045-123-4567",
    }
    with tenant_scope(yokohama.code):
        reservation = procedures.apply(
            municipality=yokohama,
            actor=factories.SYSTEM,
            procedure_id="tennyu_yoyaku",
            applicant=Applicant("resident", identity="card_signature"),
            channel="online",
            answers=answers,
        )
    page = client.get("/counter/onestop/", {"reservation": str(reservation.id)[:8]}).content
    html = page.decode()
    assert "鈴木 一郎" in html
    link = html.split("/registry/movements/move-in/?")[1].split('"')[0].replace("&amp;", "&")
    prefill = parse_qs(urlparse("?" + link).query)
    assert prefill["persons.0.family_name"] == ["鈴木"] and prefill["persons.0.given_name"] == [
        "一郎"
    ]
    client.force_login(factories.staff(yokohama, Role.COUNTER_CLERK))  # records 転入
    form = client.get(f"/registry/movements/move-in/?{link}").content.decode()
    assert 'value="鈴木"' in form and 'value="1985-05-05"' in form
    client.force_login(clerk)  # a back-office clerk confirms the reservation
    client.post(f"/counter/onestop/reservations/{reservation.id}/confirm/")
    with tenant_scope(yokohama.code):
        assert Application.objects.get(pk=reservation.pk).state == "completed"


def test_an_unknown_reservation_number_is_refused(client, clerk):
    html = client.get("/counter/onestop/", {"reservation": "0000"}).content.decode()
    assert 'role="alert"' in html and "8桁以上" in html


def test_a_document_the_clerk_scans_goes_with_its_procedure(client, clerk, yokohama, people):
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile

    from jichi.procedures.models import Attachment
    from tests.procedures.test_portal import PDF

    today = timezone.localdate()
    form = {
        "procedure": ["inu_touroku"],
        "inu_touroku__dog_name": "ポチ",
        "inu_touroku__breed": "柴犬",
        "inu_touroku__coat_color": "茶",
        "inu_touroku__dog_sex": "male",
        "inu_touroku__dog_birth_date": (today - timedelta(days=400)).isoformat(),
        "inu_touroku__rabies_vaccination_date": (today - timedelta(days=3)).isoformat(),
        "action": "submit",
    }
    missing = client.post(f"/counter/onestop/{people[0].number}/", form)
    assert missing.status_code == 400 and _applications(yokohama) == []
    scanned = SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"/counter/onestop/{people[0].number}/",
        {**form, "inu_touroku__vaccination_certificate": scanned},
    )
    assert response.status_code == 200
    [application] = _applications(yokohama)
    assert application.state == "submitted" and application.channel == "counter"
    with tenant_scope(yokohama.code):
        assert Attachment.objects.get().application_id == application.id


def test_a_bereavement_visit_follows_from_the_deceaseds_record(client, clerk, yokohama):
    """おくやみ: the daughter comes; her father (75, head of the household) died."""
    from jichi.registry import services as registry
    from jichi.registry.schemas import DeathIn
    from tests.registry.people import arrival, days_ago, person, record

    movement = record(
        yokohama,
        registry.record_move_in,
        arrival(
            person(given_name="一郎", given_name_kana="イチロウ", birth_date="1950-01-01"),
            person(
                given_name="花子", given_name_kana="ハナコ", sex="2", birth_date="1985-03-03",
                relationship="子",
            ),
        ),
    )  # fmt: skip
    with tenant_scope(yokohama.code):
        father, daughter = [s.person for s in movement.subjects.order_by("person__number")]
    record(yokohama, registry.record_death, DeathIn(effective_on=days_ago(2), person=father.number))
    url = f"/counter/onestop/{daughter.number}/"
    page = client.get(url, {"event": "bereavement", "deceased": father.number}).content.decode()
    assert "介護保険" in page and "水道" in page  # 75 and head of the household
    assert "亡くなった方が国民健康保険に加入していた場合" in page
    form = client.get(
        url, {"event": "bereavement", "deceased": father.number, "procedure": ["sousaihi"]}
    ).content.decode()
    assert 'value="山田 一郎"' in form  # the deceased's name, filled in
    wrong = client.get(url, {"event": "bereavement", "deceased": daughter.number})
    assert wrong.status_code == 400 and "死亡は記録されていません" in wrong.content.decode()
