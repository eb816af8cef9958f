"""Staff pages in a real browser: keyboard-only login, language switch, htmx search."""

import pytest
from playwright.sync_api import expect

from jichi.tenancy.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_keyboard_only_login_reaches_the_staff_home(live_server, page):
    yokohama = factories.municipality("141003")
    clerk = factories.staff(yokohama, Role.COUNTER_CLERK)
    page.goto(f"{live_server.url}/login/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.focus("#id_username")
    page.keyboard.type(clerk.username)
    page.keyboard.press("Tab")
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "職員ホーム"
    assert "横浜市" in page.locator("main").inner_text()
    assert page.console_errors == []


def test_wrong_password_is_announced_to_assistive_technology(live_server, page):
    factories.municipality("141003")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong password")
    page.click("main button[type=submit]")
    alert = page.get_by_role("alert")
    assert "正しくありません" in alert.inner_text()
    assert page.get_attribute("#id_password", "aria-invalid") == "true"


def test_language_switch_turns_the_page_english(live_server, page):
    page.goto(f"{live_server.url}/login/")
    page.select_option("#language-select", "en")
    page.click("form.language button")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Staff login"
    assert page.get_attribute("html", "lang") == "en"


def test_switcher_filters_as_you_type_with_htmx(live_server, page):
    for code in ("141003", "131016", "141305"):
        factories.municipality(code)
    operator = factories.staff(None, operator=True)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", operator.username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/switch/")
    page.fill("#id_q", "千代田")
    expect(page.locator("#municipality-list li")).to_have_count(1)
    assert "131016" in page.locator("#municipality-list li").inner_text()
    page.locator("#municipality-list button").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "千代田区" in page.locator("main").inner_text()
    assert page.console_errors == []
