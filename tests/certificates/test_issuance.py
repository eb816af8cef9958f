"""Issuance rules: who may have which certificate about whom, with the exact refusals."""

from __future__ import annotations

import hashlib

import pytest

from jichi.audit.models import AuditEntry
from jichi.certificates import rules, selectors, services
from jichi.certificates.models import Certificate, Status
from jichi.linkage.models import OutboxEvent
from jichi.registry import services as registry
from jichi.registry.models import Person
from jichi.registry.schemas import (
    AddressIn,
    DeathIn,
    DepartureIn,
    OffenderIn,
    ProtectionIn,
    RelocationIn,
)
from jichi.tenancy.context import tenant_scope
from tests.certificates.helpers import SUPERVISOR, ask, issue, refused
from tests.factories import SYSTEM
from tests.registry.people import arrival, days_ago, family, person, record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuing")]


@pytest.fixture
def people(yokohama):
    return family(yokohama)[1]  # head, wife, child


def _assess(municipality, request):
    with tenant_scope(municipality.code):
        return rules.assess(request)


def _entries(municipality, action):
    with tenant_scope(municipality.code):
        return list(AuditEntry.objects.filter(action=action).order_by("seq"))


# --- issued at once ------------------------------------------------------------------


def test_own_resident_copy_is_issued_signed_audited_and_announced(yokohama, people):
    certificate = issue(yokohama, ask(people[0]))
    assert certificate.status == Status.ISSUED and certificate.serial == 1
    pdf = bytes(certificate.pdf)
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == certificate.sha256
    assert certificate.fee == 300
    [entry] = _entries(yokohama, "certificates.issued")
    assert entry.object_id == str(certificate.id) and entry.details["serial"] == 1
    with tenant_scope(yokohama.code):
        event = OutboxEvent.objects.get(type="jp.jichi.certificate.issued")
    assert event.data == {"id": str(certificate.id), "kind": "resident_copy", "serial": 1}


def test_serial_numbers_follow_each_other(yokohama, people):
    serials = [issue(yokohama, ask(p)).serial for p in people]
    assert serials == [1, 2, 3]


def test_household_copy_lists_every_member_head_first(yokohama, people):
    assessment = _assess(yokohama, ask(people[2], household=True))
    assert [r.version.person_id for r in assessment.rows] == [p.id for p in people]
    assert assessment.household is not None


def test_options_default_and_can_be_changed(yokohama, people):
    assessment = _assess(yokohama, ask(people[0], options={"domicile": True, "head": False}))
    assert assessment.options == {
        "head": False,
        "relationship": True,
        "previous_address": True,
        "domicile": True,
        "my_number": False,
        "resident_code": False,
    }


def test_same_household_member_may_request(yokohama, people):
    request = ask(people[0], requester={"category": "household", "person": people[1].number})
    assert issue(yokohama, request).status == Status.ISSUED


def test_fees_come_from_the_municipalitys_profile(yokohama, people):
    with tenant_scope(yokohama.code):
        services.update_profile(
            municipality=yokohama,
            actor=SYSTEM,
            mayor_title="横浜市長",
            mayor_name="山中　竹春",
            fees={"resident_copy": 350},
        )
    assert issue(yokohama, ask(people[0])).fee == 350


def test_a_fee_that_is_not_a_whole_number_of_yen_is_refused(yokohama):
    with tenant_scope(yokohama.code), pytest.raises(Exception) as caught:
        services.update_profile(
            municipality=yokohama,
            actor=SYSTEM,
            mayor_title="",
            mayor_name="見本　太郎",
            fees={"move_out": -1},
        )
    assert (caught.value.code, caught.value.field) == ("fees.amount.invalid", "fees.move_out")


# --- what kind for whom ----------------------------------------------------------------


def _die(municipality, someone):
    record(
        municipality,
        registry.record_death,
        DeathIn(effective_on=days_ago(2), person=someone.number),
    )


def _move_out(municipality, *persons, abroad=False):
    service = registry.record_move_out_abroad if abroad else registry.record_move_out
    notice = DepartureIn(
        effective_on=days_ago(1),
        persons=[p.number for p in persons],
        destination_address="東京都港区芝公園4丁目2番8号",
    )
    record(municipality, service, notice)


def test_no_resident_copy_of_a_dead_person(yokohama, people):
    _die(yokohama, people[2])
    refusal = refused(
        yokohama, ask(people[2], requester={"category": "household", "person": people[0].number})
    )
    assert (refusal.code, refusal.field, refusal.status) == ("person.not_resident", "person", 409)
    assert "除票" in refusal.message_ja


def test_removed_copy_of_a_dead_person_shows_the_last_record_and_the_death(yokohama, people):
    _die(yokohama, people[2])
    request = ask(
        people[2],
        kind="removed_copy",
        requester={"category": "household", "person": people[0].number},
    )
    [row] = _assess(yokohama, request).rows
    assert row.version.status == "1" and row.ended_reason == "死亡" and row.ended_on == days_ago(2)


def test_no_removed_copy_of_a_resident(yokohama, people):
    refusal = refused(yokohama, ask(people[0], kind="removed_copy"))
    assert (refusal.code, refusal.status) == ("person.still_resident", 409)


def test_removed_copies_are_one_person_at_a_time(yokohama, people):
    _die(yokohama, people[2])
    refusal = refused(yokohama, ask(people[2], kind="removed_copy", household=True))
    assert (refusal.code, refusal.field) == ("household.not_for_removed", "household")


def test_move_out_certificate_needs_a_move_out(yokohama, people):
    refusal = refused(yokohama, ask(people[0], kind="move_out"))
    assert (refusal.code, refusal.status) == ("person.no_move_out", 409)


def test_move_out_certificate_lists_who_moved_together_and_where(yokohama, people):
    _move_out(yokohama, *people)
    assessment = _assess(yokohama, ask(people[0], kind="move_out", household=True))
    assert len(assessment.rows) == 3
    assert {r.destination for r in assessment.rows} == {"東京都港区芝公園4丁目2番8号"}
    assert all(r.version.status == "1" for r in assessment.rows)


def test_no_move_out_certificate_for_a_move_abroad(yokohama, people):
    _move_out(yokohama, *people, abroad=True)
    assert refused(yokohama, ask(people[0], kind="move_out")).code == "person.no_move_out"


def test_entry_certificate_shows_the_record_as_of_a_past_date(yokohama, people):
    record(
        yokohama,
        registry.record_relocation,
        RelocationIn(
            effective_on=days_ago(5),
            persons=[p.number for p in people],
            address=AddressIn(town="中区山下町", block="2番地"),
        ),
    )
    past = _assess(yokohama, ask(people[0], kind="entry_certificate", as_of=days_ago(10)))
    now = _assess(yokohama, ask(people[0], kind="entry_certificate"))
    assert (past.rows[0].version.town_name, now.rows[0].version.town_name) == (
        "中区元町",
        "中区山下町",
    )


def test_only_entry_certificates_take_a_past_date(yokohama, people):
    refusal = refused(yokohama, ask(people[0], as_of=days_ago(3)))
    assert (refusal.code, refusal.field) == ("as_of.not_allowed", "as_of")


def test_a_future_date_is_refused(yokohama, people):
    refusal = refused(yokohama, ask(people[0], kind="entry_certificate", as_of=days_ago(-1)))
    assert (refusal.code, refusal.field) == ("as_of.future", "as_of")


def test_entry_certificate_before_the_person_lived_here_is_refused(yokohama, people):
    refusal = refused(yokohama, ask(people[0], kind="entry_certificate", as_of=days_ago(400)))
    assert (refusal.code, refusal.status) == ("person.no_record_on_date", 404)


# --- who asks --------------------------------------------------------------------------


def test_self_request_for_someone_else_is_refused(yokohama, people):
    refusal = refused(
        yokohama, ask(people[0], requester={"category": "self", "person": people[1].number})
    )
    assert (refusal.code, refusal.field, refusal.status) == (
        "requester.not_self",
        "requester.person",
        403,
    )


def _twin(municipality, of):
    """Same name, birth date and address as the wife, another household (and sex)."""
    notice = arrival(
        person(given_name="花子", given_name_kana="ハナコ", birth_date="1982-06-15", sex="1")
    )
    movement = record(municipality, registry.record_move_in, notice)
    with tenant_scope(municipality.code):
        return Person.objects.get(movements__movement=movement)


def test_a_member_of_another_household_is_not_the_household(yokohama, people):
    other = _twin(yokohama, people[1])
    request = ask(people[0], requester={"category": "household", "person": other.number})
    refusal = refused(yokohama, request)
    assert (refusal.code, refusal.status) == ("requester.not_same_household", 403)


def test_two_residents_alike_in_everything_but_household_are_told_apart(yokohama, people):
    twin = _twin(yokohama, people[1])
    request = ask(people[1], requester={"category": "household", "person": twin.number})
    assert refused(yokohama, request).code == "requester.not_same_household"


def test_an_agent_needs_a_power_of_attorney(yokohama, people):
    refusal = refused(yokohama, ask(people[0], requester={"category": "agent", "name": "佐藤一郎"}))
    assert (refusal.code, refusal.field) == (
        "power_of_attorney.required",
        "requester.power_of_attorney",
    )


def test_an_agent_with_a_power_of_attorney_is_served(yokohama, people):
    request = ask(
        people[0],
        requester={
            "category": "agent",
            "name": "佐藤一郎",
            "power_of_attorney": "2026-11-20付 委任状",
        },
    )
    assert issue(yokohama, request).status == Status.ISSUED


def test_numbers_are_printed_only_for_the_person_or_household(yokohama, people):
    request = ask(
        people[0],
        requester={"category": "agent", "name": "佐藤一郎", "power_of_attorney": "委任状"},
        options={"my_number": True},
    )
    refusal = refused(yokohama, request)
    assert (refusal.code, refusal.field, refusal.status) == (
        "my_number.not_permitted",
        "options.my_number",
        403,
    )


def test_a_third_party_must_state_a_reason(yokohama, people):
    refusal = refused(
        yokohama, ask(people[0], requester={"category": "third_party", "name": "債権者株式会社"})
    )
    assert (refusal.code, refusal.field) == ("reason.required", "requester.reason")


def _third_party(municipality, someone):
    requester = {
        "category": "third_party",
        "name": "債権者株式会社",
        "reason": "貸金債権の回収のため、債務者の現住所を確認する必要がある（契約書あり）。",
    }
    return issue(municipality, ask(someone, requester=requester))


def test_third_party_requests_wait_for_a_second_persons_approval(yokohama, people):
    held = _third_party(yokohama, people[0])
    assert (held.status, held.approval_reasons, held.pdf) == (Status.PENDING, ["third_party"], None)
    with tenant_scope(yokohama.code):
        with pytest.raises(Exception) as caught:
            services.approve_certificate(municipality=yokohama, actor=SYSTEM, certificate=held)
        assert caught.value.code == "approval.same_person"
        issued = services.approve_certificate(
            municipality=yokohama, actor=SUPERVISOR, certificate=held, note="理由を確認"
        )
    assert issued.status == Status.ISSUED and bytes(issued.pdf).startswith(b"%PDF")
    assert issued.decided_by == SUPERVISOR.id
    assert [e.action for e in _entries(yokohama, "certificates.approved")] == [
        "certificates.approved"
    ]


def test_a_refused_request_keeps_its_reason_and_is_audited_as_denied(yokohama, people):
    held = _third_party(yokohama, people[0])
    with tenant_scope(yokohama.code):
        with pytest.raises(Exception) as caught:
            services.refuse_certificate(actor=SUPERVISOR, certificate=held, note=" ")
        assert caught.value.code == "note.required"
        done = services.refuse_certificate(actor=SUPERVISOR, certificate=held, note="理由が不十分")
        with pytest.raises(Exception) as again:
            services.approve_certificate(municipality=yokohama, actor=SUPERVISOR, certificate=done)
    assert done.status == Status.REFUSED and again.value.code == "certificate.not_pending"
    [entry] = _entries(yokohama, "certificates.refused")
    assert entry.outcome == "denied"


# --- 支援措置 --------------------------------------------------------------------------


def _protect(municipality, someone, offender="山田太郎"):
    with tenant_scope(municipality.code):
        registry.start_protection(
            municipality=municipality,
            actor=SYSTEM,
            request=ProtectionIn(
                person=someone.number,
                starts_on=days_ago(3),
                offenders=[OffenderIn(name=offender, name_kana="ヤマダタロウ")],
            ),
        )


def test_a_listed_offender_gets_nothing_and_the_refusal_is_audited(yokohama, people):
    _protect(yokohama, people[1])
    request = ask(
        people[1],
        requester={"category": "agent", "name": "山田 太郎", "power_of_attorney": "委任状"},
    )
    refusal = refused(yokohama, request)
    assert (refusal.code, refusal.status) == ("protection.offender", 403)
    with tenant_scope(yokohama.code):
        assert not Certificate.objects.exists()
    [entry] = _entries(yokohama, "certificates.refused")
    assert (entry.outcome, entry.details["code"]) == ("denied", "protection.offender")


def test_an_offender_in_the_household_cannot_get_the_household_copy(yokohama, people):
    _protect(yokohama, people[1])  # the head is the listed offender
    request = ask(people[0], household=True, requester={"category": "self"})
    assert refused(yokohama, request).code == "protection.offender"


def test_any_other_request_about_a_protected_person_waits_for_approval(yokohama, people):
    _protect(yokohama, people[1], offender="加害者次郎")
    held = issue(yokohama, ask(people[1]))
    assert (held.status, held.approval_reasons) == (Status.PENDING, ["protection"])


def test_reading_by_kana_also_finds_the_offender(yokohama, people):
    _protect(yokohama, people[1])
    request = ask(
        people[1], requester={"category": "agent", "name": "ﾔﾏﾀﾞ ﾀﾛｳ", "power_of_attorney": "委任状"}
    )
    assert refused(yokohama, request).code == "protection.offender"


# --- tenancy ---------------------------------------------------------------------------


def test_another_municipalitys_resident_is_not_found(yokohama, kawasaki, people):
    refusal = refused(kawasaki, ask(people[0]))
    assert (refusal.code, refusal.status) == ("person.not_found", 404)


# --- revocation -----------------------------------------------------------------------


def test_revoked_certificates_say_so_publicly_and_can_be_reissued(yokohama, people):
    first = issue(yokohama, ask(people[0]))
    with tenant_scope(yokohama.code):
        again = services.revoke_certificate(
            municipality=yokohama,
            actor=SUPERVISOR,
            certificate=first,
            reason="氏名の誤り",
            reissue=True,
        )
        first.refresh_from_db()
    assert first.status == Status.REVOKED and again.replaces_id == first.id
    assert again.status == Status.ISSUED and again.serial == 2 and again.sha256 != first.sha256
    assert selectors.public_facts(first.id).revoked is True
    assert selectors.public_facts(again.id).revoked is False


def test_only_issued_certificates_can_be_revoked(yokohama, people):
    held = _third_party(yokohama, people[0])
    with tenant_scope(yokohama.code), pytest.raises(Exception) as caught:
        services.revoke_certificate(
            municipality=yokohama, actor=SUPERVISOR, certificate=held, reason="誤り"
        )
    assert caught.value.code == "certificate.not_issued"


def test_a_revocation_needs_a_reason(yokohama, people):
    first = issue(yokohama, ask(people[0]))
    with tenant_scope(yokohama.code), pytest.raises(Exception) as caught:
        services.revoke_certificate(
            municipality=yokohama, actor=SUPERVISOR, certificate=first, reason=""
        )
    assert caught.value.code == "reason.required"


def test_public_facts_carry_no_personal_content(yokohama, people):
    certificate = issue(yokohama, ask(people[0]))
    facts = selectors.public_facts(certificate.id)
    assert facts.municipality_name == "神奈川県横浜市" and facts.serial == 1
    text = repr(facts)
    assert "山田" not in text and people[0].number not in text
