"""The front yard in a real browser (Debian's Chromium), each page checked by axe-core:
a resident applies online for 児童手当 認定請求; a clerk serves a 転入 with three related
procedures in one visit; reservation → ticket → served → the dashboard counts it."""

import base64
import re
import subprocess
from datetime import time, timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.utils import timezone

from jichi.counter import services as counter
from jichi.counter.models import Visit
from jichi.identity import services as identity
from jichi.procedures.models import Application
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.roles import Role
from tests import factories
from tests.registry.people import family

pytestmark = pytest.mark.django_db(transaction=True)
MOVING_IN = ["suidou_kaishi", "jidou_teate_nintei", "kokuho_kanyu"]


def accessible(page) -> None:
    """axe-core finds no violation of WCAG 2.1 A/AA on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    result = Axe().run(page, options=options)
    problems = [(v["id"], [n["target"] for n in v["nodes"]]) for v in result.response["violations"]]
    assert problems == [], (page.url, problems)


def staff_login(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_a_resident_applies_online_for_the_child_allowance(live_server, page, tmp_path):
    yokohama = factories.municipality("141003")
    head = family(yokohama)[1][0]
    card = tmp_path / "card"
    with tenant_scope(yokohama.code):
        issued = identity.issue_card(
            municipality=yokohama, actor=factories.SYSTEM, person_number=head.number
        )
    identity.write_card(issued, card)
    # Log in: sign the page's challenge with the card's authentication key.
    page.goto(f"{live_server.url}/resident/login/?next=/resident/procedures/")
    accessible(page)
    challenge = page.input_value("#id_challenge")
    key = serialization.load_pem_private_key((card / "auth-key.pem").read_bytes(), None)
    signature = key.sign(challenge.encode(), padding.PKCS1v15(), hashes.SHA256())
    page.fill("#id_certificate", (card / "auth-cert.pem").read_text())
    page.fill("#id_signature", base64.b64encode(signature).decode())
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/resident/procedures/")
    accessible(page)
    page.fill("#id_q", "児童手当")
    page.keyboard.press("Enter")
    page.click("text=児童手当 認定請求")
    page.wait_for_url("**/resident/procedures/jidou_teate_nintei/")
    accessible(page)
    main = page.locator("main").inner_text()
    assert "山田 太郎" in main and "住民記録から" in main  # shown, not asked
    assert "山田 一郎" in main  # the only child: the register answers for the children too
    page.select_option("#q-pension", "kosei")
    page.check("#q-higher_income-yes")
    page.fill("#q-bank_name", "横浜銀行")
    page.fill("#q-branch_name", "本店")
    page.select_option("#q-account_type", "ordinary")
    page.fill("#q-account_number", "1234567")
    page.fill("#q-account_holder_kana", "ヤマダ タロウ")
    page.fill("#q-phone", "045-123-4567")
    page.click("button[value=submit]")
    page.wait_for_url("**/sign/")
    accessible(page)
    content = page.input_value("#id_content").encode()
    (tmp_path / "application.json").write_bytes(content)
    signed = subprocess.run(
        ["openssl", "cms", "-sign", "-binary", "-in", str(tmp_path / "application.json"),
         "-signer", str(card / "signing-cert.pem"), "-inkey", str(card / "signing-key.pem"),
         "-outform", "PEM"],
        check=True, capture_output=True,
    ).stdout.decode()  # fmt: skip
    page.fill("#id_signature", signed)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/resident/procedures/applications/[0-9a-f-]+/$"))
    accessible(page)
    assert page.locator("#state").inner_text() == "受付"
    with tenant_scope(yokohama.code):
        application = Application.objects.get()
    assert application.state == "submitted" and application.channel == "online"
    assert page.console_errors == []


def test_a_clerk_serves_a_move_in_with_three_procedures_in_one_visit(live_server, page):
    yokohama = factories.municipality("141003")
    head = family(yokohama)[1][0]
    staff_login(page, live_server, factories.staff(yokohama, Role.COUNTER_CLERK))
    page.goto(f"{live_server.url}/counter/onestop/")
    accessible(page)
    page.fill("#id_number", head.number)
    page.click("text=来庁者を探す")
    page.click(f"text={head.number}")
    accessible(page)
    page.select_option("#id_event", "moving_in")
    page.click("text=手続を表示")
    for procedure in MOVING_IN:
        page.check(f"#s-{procedure}")
    page.click("text=申請書を用意する")
    accessible(page)
    today = timezone.localdate().isoformat()
    fill = {
        "suidou_kaishi-user_name": "山田 太郎",
        "suidou_kaishi-supply_address": "横浜市中区元町1丁目2番3号",
        "suidou_kaishi-start_date": today,
        "suidou_kaishi-phone": "045-123-4567",
        "jidou_teate_nintei-bank_name": "横浜銀行",
        "jidou_teate_nintei-branch_name": "本店",
        "jidou_teate_nintei-account_number": "1234567",
        "jidou_teate_nintei-account_holder_kana": "ヤマダ タロウ",
        "jidou_teate_nintei-phone": "045-123-4567",
        "kokuho_kanyu-reason_date": today,
    }
    for field, value in fill.items():
        page.fill(f"#q-{field}", value)
    page.select_option("#q-suidou_kaishi-payment", "account_transfer")
    page.select_option("#q-jidou_teate_nintei-pension", "kosei")
    page.select_option("#q-jidou_teate_nintei-account_type", "ordinary")
    page.select_option("#q-kokuho_kanyu-reason", "move_in")
    page.check("#q-jidou_teate_nintei-higher_income-yes")
    for box in page.locator("input[name='kokuho_kanyu__members']").all():
        box.check()
    page.check("#id_card_checked")
    page.click("button[value=submit]")
    page.get_by_role("status").wait_for()
    accessible(page)
    assert "3件の手続を提出しました" in page.locator("main").inner_text()
    with tenant_scope(yokohama.code):
        created = sorted(Application.objects.values_list("procedure_id", "channel"))
    assert created == [(p, "counter") for p in sorted(MOVING_IN)]
    assert page.console_errors == []


def test_a_reservation_becomes_a_ticket_is_served_and_counted(live_server, page):
    now = timezone.localtime()
    if now.hour == 23 and now.minute >= 45:
        pytest.skip("the slot of this test must start and end today")
    yokohama = factories.municipality("141003")
    with tenant_scope(yokohama.code):
        desk = counter.create_counter(
            municipality=yokohama, actor=factories.SYSTEM, name="市民課", department="市民課",
            office="main", ticket_prefix="A", procedure_ids=["juminhyo_utsushi"],
            opens_at=time(0, 0), closes_at=time(23, 59),
        )  # fmt: skip
        start = (now + timedelta(minutes=2)).replace(second=0, microsecond=0)
        counter.create_slots(
            municipality=yokohama, actor=factories.SYSTEM, counter=desk,
            procedure_id="juminhyo_utsushi", starts_at=start, duration_minutes=10,
            capacity=2, count=1,
        )  # fmt: skip
    page.goto(f"{live_server.url}/reserve/{yokohama.code}/juminhyo_utsushi/")
    accessible(page)
    page.locator("input[name=slot]").first.check()
    page.fill("#r-name", "山田 花子")
    page.fill("#r-contact", "090-1234-5678")
    page.click("main form button[type=submit]")
    accessible(page)
    reference = page.locator("main .reference").inner_text().strip()
    page.goto(f"{live_server.url}/queue/{yokohama.code}/kiosk/")
    accessible(page)
    page.fill("#k-reference", reference)
    page.click("text=受付する")
    accessible(page)
    clerk = factories.staff(yokohama, Role.BACK_OFFICE_CLERK)
    factories.grant(clerk, yokohama, Role.COUNTER_CLERK)
    staff_login(page, live_server, clerk)
    page.goto(f"{live_server.url}/counter/")
    accessible(page)
    page.click("text=次の人を呼ぶ")
    page.click("text=対応開始")
    page.click("text=完了")
    with tenant_scope(yokohama.code):
        visit = Visit.objects.get()
    assert visit.status == "done" and visit.reservation_id is not None
    page.goto(f"{live_server.url}/counter/dashboard/")
    accessible(page)
    assert "juminhyo_utsushi" in page.locator("main").inner_text()
    assert page.console_errors == []


def test_the_accessibility_check_does_find_violations(page):
    page.set_content('<html lang="ja"><body><main><img src="x.png"><input></main></body></html>')
    with pytest.raises(AssertionError) as caught:
        accessible(page)
    assert "image-alt" in str(caught.value) and "label" in str(caught.value)


def test_a_visit_is_reserved_with_the_keyboard_alone(live_server, page):
    yokohama = factories.municipality("141003")
    with tenant_scope(yokohama.code):
        desk = counter.create_counter(
            municipality=yokohama, actor=factories.SYSTEM, name="市民課", department="市民課",
            office="main", ticket_prefix="A", procedure_ids=["juminhyo_utsushi"],
            opens_at=time(8, 30), closes_at=time(17, 15),
        )  # fmt: skip
        tomorrow = timezone.localtime() + timedelta(days=1)
        counter.create_slots(
            municipality=yokohama, actor=factories.SYSTEM, counter=desk,
            procedure_id="juminhyo_utsushi",
            starts_at=tomorrow.replace(hour=10, minute=0, second=0, microsecond=0),
            duration_minutes=15, capacity=1, count=1,
        )  # fmt: skip
    page.goto(f"{live_server.url}/reserve/{yokohama.code}/juminhyo_utsushi/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")  # to the main content
    for _ in range(40):  # Tab until the first slot's radio button has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "slot":
            break
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "r-name"
    page.keyboard.type("山田 花子")
    page.keyboard.press("Tab")
    page.keyboard.type("090-1234-5678")
    page.keyboard.press("Enter")
    page.locator("main .reference").wait_for()
    assert len(page.locator("main .reference").inner_text().strip()) >= 6
