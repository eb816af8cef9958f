"""The derived businesses' and the hand-over's pages in a real browser, checked by axe-core."""

from __future__ import annotations

from datetime import date

import pytest

from jichi.benefits.demo import demo_businesses
from jichi.registry import services as registry
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.roles import Role
from tests import factories
from tests.e2e.test_front_yard import accessible, staff_login
from tests.factories import SYSTEM
from tests.registry.people import arrival, days_ago, person, record

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_business_pages_pass_the_accessibility_check(live_server, page):
    yokohama = factories.municipality("141003")
    child = person(given_name="花", given_name_kana="ハナ", relationship="子",
                   birth_date=date(2019, 5, 5).isoformat())  # fmt: skip
    record(
        yokohama,
        registry.record_move_in,
        arrival(person(), child, effective_on=days_ago(400), notified_on=days_ago(399)),
    )
    with tenant_scope(yokohama.code):
        demo_businesses(yokohama, actor=SYSTEM)
    staff_login(page, live_server, factories.staff(yokohama, Role.MUNICIPAL_ADMIN))
    pages = [
        ("/elections/", "選挙人名簿"),
        ("/elections/districts", "投票区"),
        ("/elections/roll/01?purpose=確認", "選挙人名簿"),
        ("/schooling/", "就学"),
        ("/allowance/", "児童手当"),
        ("/transfers/", "他団体からの転出証明書情報"),
    ]
    for path, heading in pages:
        page.goto(live_server.url + path)
        assert heading in page.locator("h1").inner_text(), path
        accessible(page)
