"""Certificates in a real browser: the counter issues one, anyone checks it by its id."""

import pytest

from jichi.tenancy.roles import Role
from tests import factories
from tests.registry.people import family

pytestmark = pytest.mark.django_db(transaction=True)


def test_counter_issues_a_household_copy_and_the_public_checks_it(live_server, page):
    yokohama = factories.municipality("141003")
    factories.issuer_profile(yokohama)
    head = family(yokohama)[1][0]
    clerk = factories.staff(yokohama, Role.COUNTER_CLERK)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", clerk.username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/certificates/new/?person={head.number}")
    assert page.input_value("#id_person") == head.number
    page.check("#id_household")
    page.select_option("#id_category", "self")
    page.select_option("#id_purpose", "各種手続への添付")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/certificates/*/")
    assert "交付済" in page.locator("main").inner_text()
    certificate_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.click("form[action='/logout/'] button")
    page.goto(f"{live_server.url}/verify/")
    page.fill("#id_id", certificate_id)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/verify/{certificate_id}")
    text = page.locator("main").inner_text()
    assert "住民票の写し" in text and "取り消されていません" in text
    assert "山田" not in text
    assert page.console_errors == []
