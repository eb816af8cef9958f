"""The demo sets up the derived businesses; a second run adds nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from jichi.benefits.allowance.models import Payment, Recipient
from jichi.benefits.elections.models import ElectorEntry, Registration, VotingDistrict
from jichi.benefits.schooling.models import EntryNotice, School
from jichi.tenancy.context import tenant_scope

CODE = "141003"


def _run() -> str:
    out = io.StringIO()
    call_command("demo", municipality=CODE, residents=400, seed=3, stdout=out)
    return out.getvalue()


def _counts() -> dict:
    from jichi.linkage.models import Subscription, Transfer

    with tenant_scope(CODE):
        return {model.__name__: model.objects.count() for model in
                (VotingDistrict, Registration, ElectorEntry, School, Recipient, Payment,
                 EntryNotice, Subscription, Transfer)}  # fmt: skip


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.DEBUG = True
    settings.DATA_DIR = tmp_path
    return _run()


def test_the_demo_has_districts_electors_schools_recipients_and_payments(demo):
    counts = _counts()
    assert counts["VotingDistrict"] == 6 and counts["School"] == 6
    assert counts["Registration"] == 1 and counts["ElectorEntry"] > 100
    assert counts["Recipient"] > 5 and counts["Payment"] > 5
    assert "electors registered" in demo


def test_the_demo_has_a_paused_subscription_and_a_hand_over_at_the_counter(demo):
    from jichi.linkage.models import Subscription, Transfer

    with tenant_scope(CODE):
        assert Subscription.objects.get().state == "paused"
        incoming = Transfer.objects.get(direction="in")
    assert (incoming.counterpart, incoming.status, incoming.persons) == ("141305", "received", 2)
    assert "jichi webhook-receiver --secret whsec_" in demo


def test_running_the_demo_again_adds_nothing(demo):
    before = _counts()
    _run()
    assert _counts() == before


def test_the_staff_home_links_the_businesses_a_role_may_use(client, yokohama):
    from jichi.tenancy.roles import Role
    from tests import factories

    client.force_login(factories.staff(yokohama, Role.BACK_OFFICE_CLERK))
    page = client.get("/").content.decode()
    assert all(f'href="/{path}/"' in page for path in ("elections", "schooling", "allowance"))
    client.force_login(factories.staff(yokohama, Role.AUDITOR))
    assert 'href="/elections/"' not in client.get("/").content.decode()
