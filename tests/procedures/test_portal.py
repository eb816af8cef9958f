"""The resident portal: find, answer only what the register does not know, draft, sign
with the card where asked, submit, follow, answer the office, withdraw; own applications
only."""

import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jichi.audit.models import AuditEntry
from jichi.procedures import services
from jichi.procedures.models import Application
from jichi.tenancy.context import tenant_scope
from tests.certificates.test_self_service import logged_in
from tests.identity.conftest import issue
from tests.procedures.helpers import CLERK, neighbour, run
from tests.registry.people import family

pytestmark = pytest.mark.django_db
CHILD_ALLOWANCE = "jidou_teate_nintei"  # signed with the card
BULKY_WASTE = "sodai_gomi"  # no identity needed, approved at once
DOG = "inu_touroku"  # a login is enough, reviewed by the office; a file to attach
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(yokohama):
    return family(yokohama)[1]  # 山田太郎 (head), 花子, 一郎 (child)


@pytest.fixture
def parent(client, yokohama, people):
    logged_in(client, yokohama, people[0])
    return people[0]


def _applications(yokohama):
    with tenant_scope(yokohama.code):
        return list(Application.objects.order_by("created_at"))


def _answers(procedure_id: str, page: str) -> dict:
    """Valid answers to the questions the form asks (names read off the page)."""
    from jichi.procedures.selectors import procedure

    answers = {}
    for spec in procedure(procedure_id).fields:
        if f'name="{spec.name}"' not in page:
            continue
        if spec.type == "choice":
            answers[spec.name] = spec.choices[0].value
        elif spec.type == "date":
            from tests.procedures.helpers import iso

            days = 7 if spec.max_days is None else spec.max_days
            answers[spec.name] = iso(max(spec.min_days or 0, days) if days > 0 else days)
        elif spec.type == "integer":
            answers[spec.name] = str(spec.min or 1)
        elif spec.type == "boolean":
            answers[spec.name] = "yes"
        elif spec.type == "phone":
            answers[spec.name] = "045-123-4567"
        elif spec.type == "email":
            answers[spec.name] = "yamada@example.jp"
        elif spec.type == "text" and spec.pattern:
            raise AssertionError(f"no sample for {spec.name}")
        elif spec.type == "text":
            answers[spec.name] = "テスト"
    return answers


def test_the_home_finds_procedures_and_offers_life_events(client, parent):
    html = client.get("/resident/procedures/", {"q": "児童手当"}).content.decode()
    assert "児童手当 認定請求" in html and "粗大ごみ" not in html
    assert "/resident/procedures/life-events/moving_out/" in html


def test_a_life_event_lists_what_concerns_the_household_with_reasons(client, parent):
    html = client.get("/resident/procedures/life-events/moving_out/").content.decode()
    assert "転出届" in html and "児童手当" in html  # the household has a child under 18
    assert "犬を飼っている場合" in html  # only the resident knows


def test_the_form_asks_only_what_the_register_does_not_know(client, parent):
    html = client.get(f"/resident/procedures/{CHILD_ALLOWANCE}/").content.decode()
    assert "山田 太郎" in html and "住民記録から" in html  # shown, not asked
    assert 'name="claimant_name"' not in html and 'name="bank_name"' in html
    assert "一郎" in html  # the child, from the household


def test_errors_name_each_question_and_nothing_is_stored(client, yokohama, parent):
    response = client.post(f"/resident/procedures/{BULKY_WASTE}/", {"action": "submit"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and "入力してください" in html
    assert _applications(yokohama) == []


def _certificate():
    return SimpleUploadedFile("vaccination.pdf", PDF, content_type="application/pdf")


def test_a_draft_is_saved_with_its_file_then_submitted_and_followed(client, yokohama, parent):
    page = client.get(f"/resident/procedures/{DOG}/").content.decode()
    assert 'type="file"' in page and 'name="vaccination_certificate"' in page
    answers = _answers(DOG, page)
    saved = client.post(
        f"/resident/procedures/{DOG}/",
        {**answers, "vaccination_certificate": _certificate(), "action": "draft"},
    )
    assert saved.status_code == 302
    [draft] = _applications(yokohama)
    assert draft.state == "draft" and draft.channel == "online"
    assert draft.answers["vaccination_certificate"]  # the attachment's id
    submitted = client.post(f"/resident/procedures/applications/{draft.id}/", {"action": "submit"})
    assert submitted.status_code == 302
    html = client.get(f"/resident/procedures/applications/{draft.id}/").content.decode()
    assert "受付" in html and "提出" in html


def test_the_office_asks_and_the_resident_answers(client, yokohama, parent):
    page = client.get(f"/resident/procedures/{DOG}/").content.decode()
    sent = client.post(
        f"/resident/procedures/{DOG}/",
        {**_answers(DOG, page), "vaccination_certificate": _certificate()},
    )
    assert sent.status_code == 302
    [application] = _applications(yokohama)
    run(yokohama, services.start_review, actor=CLERK, application=application)
    run(
        yokohama,
        services.request_information,
        actor=CLERK,
        application=application,
        question="狂犬病予防注射の済票番号を教えてください。",
    )
    url = f"/resident/procedures/applications/{application.id}/"
    assert "狂犬病予防注射の済票番号を教えてください。" in client.get(url).content.decode()
    client.post(url, {"action": "answer", "answer": "R8-1234 です。"})
    with tenant_scope(yokohama.code):
        assert Application.objects.get().state == "in_review"


CLAIM = {
    "pension": "kosei",
    "higher_income": "yes",
    "bank_name": "横浜銀行",
    "branch_name": "本店",
    "account_type": "ordinary",
    "account_number": "1234567",
    "account_holder_kana": "ヤマダ タロウ",
    "phone": "045-123-4567",
}


def _sign_with(directory, content: bytes, tmp_path) -> str:
    (tmp_path / "application.json").write_bytes(content)
    return subprocess.run(
        ["openssl", "cms", "-sign", "-binary", "-in", str(tmp_path / "application.json"),
         "-signer", str(directory / "signing-cert.pem"),
         "-inkey", str(directory / "signing-key.pem"), "-outform", "PEM"],
        check=True, capture_output=True,
    ).stdout.decode()  # fmt: skip


def _claim(client, yokohama, people):
    """The child allowance claim filled in: kept as a draft, sent to be signed."""
    response = client.post(
        f"/resident/procedures/{CHILD_ALLOWANCE}/", {**CLAIM, "children": [people[2].number]}
    )
    assert response.status_code == 302 and response["Location"].endswith("/sign/")
    [draft] = _applications(yokohama)
    assert draft.state == "draft"
    content = client.get(f"{response['Location']}application.json").content
    return response["Location"], draft, content


def test_a_signed_child_allowance_claim_is_verified_and_submitted(
    client, yokohama, people, parent, tmp_path
):
    url, draft, content = _claim(client, yokohama, people)
    issue(yokohama, people[0].number, tmp_path / "card")
    signed = client.post(url, {"signature": _sign_with(tmp_path / "card", content, tmp_path)})
    assert signed.status_code == 302
    [application] = _applications(yokohama)
    assert application.id == draft.id and application.state == "submitted"
    assert application.answers["children"] == [people[2].number]
    assert application.answers["claimant_name"] == "山田 太郎"  # the register answered
    with tenant_scope(yokohama.code):
        entry = AuditEntry.objects.get(action="procedures.application.signature_verified")
    assert entry.details["certificate"]


def test_a_signature_by_another_card_or_over_other_content_is_refused(
    client, yokohama, people, parent, tmp_path
):
    url, _draft, content = _claim(client, yokohama, people)
    issue(yokohama, people[1].number, tmp_path / "wife")  # 花子's card, not 太郎's
    refused = client.post(url, {"signature": _sign_with(tmp_path / "wife", content, tmp_path)})
    assert refused.status_code == 422 and "ご自分のカード" in refused.content.decode()
    issue(yokohama, people[0].number, tmp_path / "own")
    other = content.replace(b"1234567", b"7654321")
    changed = client.post(url, {"signature": _sign_with(tmp_path / "own", other, tmp_path)})
    assert changed.status_code == 422
    assert [a.state for a in _applications(yokohama)] == ["draft"]


def test_a_draft_of_a_signed_procedure_cannot_be_submitted_without_the_card(
    client, yokohama, people, parent
):
    _url, draft, _content = _claim(client, yokohama, people)
    response = client.post(f"/resident/procedures/applications/{draft.id}/", {"action": "submit"})
    assert response.status_code == 403 and "マイナンバーカード" in response.content.decode()
    assert [a.state for a in _applications(yokohama)] == ["draft"]


def test_nobody_sees_another_residents_application(client, yokohama, people):
    other = neighbour(yokohama)
    logged_in(client, yokohama, other)
    page = client.get(f"/resident/procedures/{BULKY_WASTE}/").content.decode()
    client.post(f"/resident/procedures/{BULKY_WASTE}/", _answers(BULKY_WASTE, page))
    [theirs] = _applications(yokohama)
    client.post("/resident/logout/")
    logged_in(client, yokohama, people[0])
    assert client.get(f"/resident/procedures/applications/{theirs.id}/").status_code == 404
    assert str(theirs.id) not in client.get("/resident/procedures/").content.decode()


def test_the_portal_needs_a_resident_login(client):
    response = client.get("/resident/procedures/")
    assert response.status_code == 302 and "/resident/login/" in response["Location"]


def test_a_file_over_the_limit_is_refused_and_nothing_kept(client, yokohama, parent):
    page = client.get(f"/resident/procedures/{DOG}/").content.decode()
    big = SimpleUploadedFile(
        "big.pdf", PDF + b"0" * (5120 * 1024), content_type="application/pdf"
    )  # 5,120 KB is the question's limit
    response = client.post(
        f"/resident/procedures/{DOG}/",
        {**_answers(DOG, page), "vaccination_certificate": big, "action": "draft"},
    )
    assert response.status_code == 400  # the form is shown again with the file's error
    assert "5120KB以下にしてください" in response.content.decode()
    assert _applications(yokohama) == []


def test_a_post_without_the_csrf_token_is_refused(yokohama, people):
    from django.test import Client

    guarded = Client(enforce_csrf_checks=True)
    response = guarded.post(f"/resident/procedures/{BULKY_WASTE}/", {"action": "submit"})
    assert response.status_code == 403 and b"CSRF" in response.content
    assert _applications(yokohama) == []
