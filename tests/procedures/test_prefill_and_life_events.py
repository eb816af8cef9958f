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


def test_bereavement_lists_what_the_deceaseds_record_implies(yokohama):
    """おくやみ: computed from the deceased's record on the day before the death."""
    from jichi.registry import services as registry_services
    from jichi.registry.schemas import DeathIn
    from tests.registry.people import arrival, days_ago, person, record

    elder = record(
        yokohama,
        registry_services.record_move_in,
        arrival(person(given_name="一郎", given_name_kana="イチロウ", birth_date="1950-01-01")),
    )
    with tenant_scope(yokohama.code):
        deceased = elder.subjects.get().person
    record(
        yokohama,
        registry_services.record_death,
        DeathIn(effective_on=days_ago(2), person=deceased.number),
    )
    young = family(yokohama)[1][2]  # a child, not a head
    with tenant_scope(yokohama.code):
        before = person_on(deceased, days_ago(3))
        items = {i.procedure: i for i in compute("bereavement", before, days_ago(3))}
        child = {
            i.procedure for i in compute("bereavement", person_on(young), timezone.localdate())
        }
    assert items["kaigo_soushitsu"].status == "applies"  # 65 or over
    assert items["suidou_meigi"].status == "applies"  # was the head of the household
    assert items["kokuho_soushitsu"].status == "to_confirm" and items["kokuho_soushitsu"].question
    assert "kaigo_soushitsu" not in child and "suidou_meigi" not in child
    assert before.status == "1"  # the record read is the living one
