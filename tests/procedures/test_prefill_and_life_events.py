"""書かない: prefill from the register, the remaining questions, life events' conditions."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jichi.procedures.life_events import compute
from jichi.procedures.loading import catalog
from jichi.procedures.prefill import prefill, remaining_fields
from jichi.registry.selectors import person_on
from jichi.tenancy.context import tenant_scope
from tests.procedures.helpers import neighbour
from tests.registry.people import family

pytestmark = pytest.mark.django_db


def test_prefill_reads_the_register_with_sources(yokohama):
    people = family(yokohama)[1]
    with tenant_scope(yokohama.code):
        known = prefill(catalog()["tenshutsu"], person_on(people[0]), timezone.localdate())
    assert known["name"].value == "山田 太郎" and known["name"].source == "register:name"
    assert known["address"].value.endswith("1丁目2番3号") and known["address"].source
    assert known["movers"].value == [p.number for p in people]
    remaining = [f.name for f in remaining_fields(catalog()["tenshutsu"], known)]
    assert remaining == ["movers", "move_out_date", "destination_address", "phone"]


def test_a_household_without_children_gets_no_children_list(yokohama):
    alone = neighbour(yokohama)
    with tenant_scope(yokohama.code):
        known = prefill(catalog()["jidou_teate_nintei"], person_on(alone), timezone.localdate())
    assert "children" not in known and known["claimant_name"].value == "佐藤 太郎"


def test_moving_out_without_children_skips_the_child_procedures(yokohama):
    alone = neighbour(yokohama)
    with tenant_scope(yokohama.code):
        items = compute("moving_out", person_on(alone), timezone.localdate())
    found = {i.procedure: i for i in items}
    assert "shugaku_tenkou" not in found and "jidou_teate_shoumetsu" not in found
    assert found["tenshutsu"].status == "applies"
    assert found["kokuho_soushitsu"].question.ja == "国民健康保険に加入している場合"


def test_birth_asks_for_a_new_claim_only_without_older_children(yokohama):
    people = family(yokohama)[1]
    alone = neighbour(yokohama)
    with tenant_scope(yokohama.code):
        parents = {
            i.procedure for i in compute("birth", person_on(people[0]), timezone.localdate())
        }
        single = {i.procedure for i in compute("birth", person_on(alone), timezone.localdate())}
    assert "jidou_teate_gakukaitei" in parents and "jidou_teate_nintei" not in parents
    assert "jidou_teate_nintei" in single and "jidou_teate_gakukaitei" not in single
