"""Hand-over between municipalities of one deployment: issue on 転出, receive, accept, notify."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jichi.common.errors import RuleViolation
from jichi.common.secrets import open_my_number
from jichi.linkage import handover
from jichi.linkage.models import Transfer, TransferDirection, TransferStatus
from jichi.linkage.tasks import send_arrival, send_transfer
from jichi.registry import selectors
from jichi.registry import services as registry
from jichi.registry.models import Person
from jichi.registry.schemas import AddressIn, DepartureIn
from jichi.tenancy.context import tenant_scope
from tests import factories
from tests.factories import SYSTEM, bearer
from tests.registry.people import days_ago, family, person, record, today

KAWASAKI_ADDRESS = "神奈川県川崎市川崎区駅前本町11番地2"
NEW_HOME = AddressIn(town="川崎区駅前本町", block="11番地2", building="駅前ハイツ305")


def _move_out(municipality, people, destination=KAWASAKI_ADDRESS, on=None):
    notice = DepartureIn(
        persons=[p.number for p in people],
        effective_on=on or days_ago(2),
        notified_on=days_ago(3),
        destination_address=destination,
    )
    return record(municipality, registry.record_move_out, notice)


def _outgoing(municipality) -> Transfer:
    with tenant_scope(municipality.code):
        return Transfer.objects.get(direction=TransferDirection.OUTGOING)


def _incoming(municipality) -> Transfer:
    with tenant_scope(municipality.code):
        return Transfer.objects.get(direction=TransferDirection.INCOMING)


def _accept(municipality, transfer, **overrides):
    values = dict(address=NEW_HOME, effective_on=days_ago(1), notified_on=today())
    values.update(overrides)
    with tenant_scope(municipality.code):
        return handover.accept_transfer(
            municipality=municipality, actor=SYSTEM, transfer=transfer, **values
        )


@pytest.fixture
def moved(yokohama, kawasaki):
    """A family of 横浜市 that moved out to 川崎市, its hand-over sent."""
    _, people = family(yokohama)
    _move_out(yokohama, people)
    outgoing = _outgoing(yokohama)
    assert send_transfer.call(yokohama.code, str(outgoing.id)) == TransferStatus.SENT
    return people


def test_a_move_out_issues_a_signed_hand_over_to_the_destination(yokohama, kawasaki, moved):
    outgoing = _outgoing(yokohama)
    assert (outgoing.counterpart, outgoing.persons) == ("141305", 3)
    assert outgoing.status == TransferStatus.SENT and outgoing.sent_at
    incoming = _incoming(kawasaki)
    assert incoming.transfer_id == outgoing.transfer_id
    assert (incoming.counterpart, incoming.status) == ("141003", TransferStatus.RECEIVED)
    document = handover.document_of(incoming)
    assert document["previous_address"].startswith("神奈川県横浜市中区元町1丁目2番3号")
    assert [p["items"]["given_name"] for p in document["persons"]] == ["太郎", "花子", "一郎"]
    assert b"\xe5\xa4\xaa\xe9\x83\x8e" not in bytes(incoming.document_sealed)  # 太郎, sealed


def test_the_destination_records_the_move_in_without_retyping(yokohama, kawasaki, moved):
    accepted = _accept(kawasaki, _incoming(kawasaki))
    assert accepted.status == TransferStatus.ACCEPTED
    with tenant_scope(kawasaki.code):
        arrived = selectors.persons_of(str(accepted.movement_id))
        versions = [selectors.person_on(p, days_ago(1)) for p in arrived]
    assert sorted(v.given_name for v in versions) == ["一郎", "太郎", "花子"]
    head = next(v for v in versions if v.is_head)
    assert head.previous_address.startswith("神奈川県横浜市中区元町")
    assert head.town_name == "川崎区駅前本町" and head.building == "駅前ハイツ305"
    assert set(accepted.links) == {p.number for p in moved}

    assert send_arrival.call(kawasaki.code, str(accepted.id)) == TransferStatus.ACCEPTED
    settled = _outgoing(yokohama)
    assert settled.status == TransferStatus.ARRIVED
    assert str(settled.counterpart_movement_id) == str(accepted.movement_id)
    assert settled.links == accepted.links
    assert _incoming(kawasaki).sent_at is not None


def test_the_individual_number_travels_and_is_sealed_again_for_the_destination(yokohama, kawasaki):
    from tests.registry.people import arrival

    notice = arrival(person(given_name="次郎", given_name_kana="ジロウ", my_number="123456789018"))
    moved_in = record(yokohama, registry.record_move_in, notice)
    with tenant_scope(yokohama.code):
        jiro = selectors.persons_of(moved_in)[0]
    _move_out(yokohama, [jiro])
    send_transfer.call(yokohama.code, str(_outgoing(yokohama).id))
    accepted = _accept(kawasaki, _incoming(kawasaki))
    with tenant_scope(kawasaki.code):
        there = selectors.persons_of(str(accepted.movement_id))[0]
        cipher = selectors.person_on(there, days_ago(1)).my_number_cipher
    assert open_my_number(cipher, kawasaki.code) == "123456789018"


def test_a_hand_over_is_used_once(yokohama, kawasaki, moved):
    incoming = _incoming(kawasaki)
    _accept(kawasaki, incoming)
    with pytest.raises(RuleViolation) as again:
        _accept(kawasaki, incoming)
    assert again.value.code == "transfer.used" and again.value.status == 409


def test_a_hand_over_received_twice_is_refused_the_second_time(yokohama, kawasaki, moved):
    envelope = handover.envelope_of(_outgoing(yokohama))
    with pytest.raises(RuleViolation) as twice:
        handover.receive_transfer(envelope)
    assert twice.value.code == "transfer.duplicate"
    with tenant_scope(kawasaki.code):
        assert Transfer.objects.count() == 1


def test_a_tampered_hand_over_is_refused(yokohama, kawasaki):
    _, people = family(yokohama)
    _move_out(yokohama, people)
    envelope = handover.envelope_of(_outgoing(yokohama))
    envelope["document"]["persons"][0]["items"]["given_name"] = "偽郎"
    with pytest.raises(RuleViolation) as refused:
        handover.receive_transfer(envelope)
    assert refused.value.code == "transfer.signature"
    assert "改ざん" in refused.value.message_ja
    with tenant_scope(kawasaki.code):
        assert not Transfer.objects.exists()


def test_an_expired_hand_over_is_refused(yokohama, kawasaki):
    _, people = family(yokohama)
    _move_out(yokohama, people)
    document = handover.envelope_of(_outgoing(yokohama))["document"]
    document["expires_at"] = (timezone.now() - timedelta(seconds=1)).isoformat()
    with pytest.raises(RuleViolation) as refused:
        handover.receive_transfer(handover.seal(document))
    assert refused.value.code == "transfer.expired"


def test_a_hand_over_that_expired_after_receipt_cannot_be_used(yokohama, kawasaki, moved):
    incoming = _incoming(kawasaki)
    with tenant_scope(kawasaki.code):
        Transfer.objects.filter(pk=incoming.pk).update(expires_at=timezone.now())
    with pytest.raises(RuleViolation) as refused:
        _accept(kawasaki, incoming)
    assert refused.value.code == "transfer.expired"


def test_a_hand_over_signed_by_an_unknown_key_is_refused(yokohama, kawasaki):
    _, people = family(yokohama)
    _move_out(yokohama, people)
    envelope = handover.envelope_of(_outgoing(yokohama))
    envelope["key_id"] = "0123456789abcdef"
    with pytest.raises(RuleViolation) as refused:
        handover.receive_transfer(envelope)
    assert refused.value.code == "transfer.issuer_unknown" and refused.value.status == 403


def test_a_move_out_to_a_municipality_served_nowhere_waits_unroutable(yokohama):
    _, people = family(yokohama)
    _move_out(yokohama, people, destination="北海道石狩郡当別町白樺町1番地")
    outgoing = _outgoing(yokohama)
    assert outgoing.counterpart == "013030"
    assert send_transfer.call(yokohama.code, str(outgoing.id)) == TransferStatus.UNROUTABLE


def test_a_ward_address_goes_to_the_city_that_keeps_the_register(yokohama, kawasaki):
    _, people = family(yokohama)
    _move_out(yokohama, people)
    assert _outgoing(yokohama).counterpart == "141305"  # 川崎区 141313 is not served


@pytest.mark.parametrize("destination", ["", "アメリカ合衆国カリフォルニア州", "どこか"])
def test_no_hand_over_without_a_known_destination(yokohama, destination):
    _, people = family(yokohama)
    _move_out(yokohama, people, destination=destination)
    with tenant_scope(yokohama.code):
        assert not Transfer.objects.exists()


def test_a_person_resident_at_the_destination_already_is_refused(yokohama, kawasaki, moved):
    from tests.registry.people import arrival

    twin = arrival(person(), town="川崎区駅前本町")
    record(kawasaki, registry.record_move_in, twin)  # 山田太郎 lives in 川崎市 already
    with pytest.raises(RuleViolation) as refused:
        _accept(kawasaki, _incoming(kawasaki))
    assert "duplicate" in refused.value.code
    assert _incoming(kawasaki).status == TransferStatus.RECEIVED


# --- through the API -------------------------------------------------------------------


def test_the_counter_reads_and_accepts_a_hand_over_through_the_api(
    client, yokohama, kawasaki, moved
):
    _, secret = factories.token(kawasaki)
    base = "/api/v1/municipalities/141305/transfers"
    listed = client.get(base, {"direction": "in"}, **bearer(secret)).json()
    assert [(t["counterpart"], t["status"]) for t in listed] == [("141003", "received")]
    transfer_id = listed[0]["id"]
    detail = client.get(f"{base}/{transfer_id}", {"purpose": "転入届"}, **bearer(secret))
    assert detail.status_code == 200
    items = detail.json()["persons_items"]
    assert [p["given_name"] for p in items] == ["太郎", "花子", "一郎"]
    assert all("my_number" not in p for p in items)
    answer = client.post(
        f"{base}/{transfer_id}/accept",
        {
            "effective_on": days_ago(1).isoformat(),
            "address": {"town": "川崎区駅前本町", "block": "11番地2"},
        },
        content_type="application/json",
        **bearer(secret),
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "accepted" and len(answer.json()["links"]) == 3
    with tenant_scope(kawasaki.code):
        assert Person.objects.count() == 3


def test_a_peer_post_with_a_bad_signature_is_refused_by_the_api(client, yokohama, kawasaki):
    _, people = family(yokohama)
    _move_out(yokohama, people)
    envelope = handover.envelope_of(_outgoing(yokohama))
    envelope["document"]["destination_address"] = "どこか"
    answer = client.post("/api/v1/transfers", envelope, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "transfer.signature"


def test_the_counter_page_records_the_move_in_from_a_hand_over(client, yokohama, kawasaki, moved):
    from jichi.tenancy.roles import Role

    client.force_login(factories.staff(kawasaki, Role.COUNTER_CLERK))
    listed = client.get("/transfers/").content.decode()
    assert "横浜市" in listed and "転入を記録する" in listed
    transfer = _incoming(kawasaki)
    page = client.get(f"/transfers/{transfer.transfer_id}/").content.decode()
    assert "太郎" in page and "花子" in page and "神奈川県横浜市中区元町" in page
    refused = client.post(
        f"/transfers/{transfer.transfer_id}/", {"town": "どこか", "effective_on": ""}
    )
    assert refused.status_code == 200 and "異動日" in refused.content.decode()
    done = client.post(f"/transfers/{transfer.transfer_id}/", {
        "town": "川崎区駅前本町", "block": "11番地2", "effective_on": days_ago(1).isoformat(),
        "notified_on": today().isoformat()})  # fmt: skip
    assert done.status_code == 302
    assert _incoming(kawasaki).status == TransferStatus.ACCEPTED
