"""Automatic revocation by the register's movements, manual revocation, CRLs and ca.pem."""

from datetime import timedelta

import pytest
from cryptography import x509
from django.db import transaction
from django.utils import timezone

from jichi.audit.models import AuditEntry
from jichi.common.errors import RuleViolation
from jichi.identity import services
from jichi.identity.models import Authority, IssuedCertificate, RevocationReason
from jichi.identity.services.authorities import certificate_of
from jichi.registry import services as registry_services
from jichi.registry.models import Movement
from jichi.registry.schemas import (
    AddressIn,
    CorrectionIn,
    DeathIn,
    DepartureIn,
    DomicileChangeIn,
    NameChangeIn,
    RelocationIn,
)
from jichi.tenancy.context import tenant_scope
from tests.factories import SYSTEM
from tests.identity.conftest import issue
from tests.registry.people import days_ago, record


@pytest.fixture
def child_card(yokohama, household, tmp_path):
    """一郎 (the child, not the head: he may leave alone) and his card."""
    return household[2], issue(yokohama, household[2].number, tmp_path).card


def state(card):
    signing = IssuedCertificate.objects.get(pk=card.signing_id)
    authentication = IssuedCertificate.objects.get(pk=card.authentication_id)
    return signing, authentication


def last_movement(municipality):
    with tenant_scope(municipality.code):
        return Movement.objects.order_by("-recorded_at").first()


def departure(who, **extra) -> DepartureIn:
    return DepartureIn(effective_on=days_ago(1), persons=[who.number], **extra)


@pytest.mark.parametrize(
    ("service", "code"),
    [(registry_services.record_move_out, "21"), (registry_services.record_move_out_abroad, "22")],
)
def test_moving_out_revokes_the_signing_certificate_at_the_recorded_time(
    yokohama, child_card, service, code
):
    child, card = child_card

    record(yokohama, service, departure(child, destination_address="東京都千代田区千代田1番1号"))

    signing, authentication = state(card)
    assert signing.revoked_at == last_movement(yokohama).recorded_at
    assert signing.revocation_reason == RevocationReason.AFFILIATION_CHANGED
    assert signing.revocation_cause == f"registry:{code}"
    assert authentication.revoked_at is None  # the card still logs in after a move


def test_a_relocation_revokes_the_signing_certificate(yokohama, child_card):
    child, card = child_card

    record(
        yokohama,
        registry_services.record_relocation,
        RelocationIn(
            effective_on=days_ago(1),
            persons=[child.number],
            address=AddressIn(town="中区元町", block="3丁目1番1号"),
            new_head=child.number,
        ),
    )

    signing, _ = state(card)
    assert signing.revocation_reason == RevocationReason.AFFILIATION_CHANGED
    assert signing.revocation_cause == "registry:31"


def test_a_name_change_revokes_the_signing_certificate(yokohama, child_card):
    child, card = child_card

    record(
        yokohama,
        registry_services.record_name_change,
        NameChangeIn(
            effective_on=days_ago(1),
            person=child.number,
            family_name="鈴木",
            given_name="一郎",
            family_name_kana="スズキ",
            given_name_kana="イチロウ",
        ),
    )

    signing, _ = state(card)
    assert signing.revocation_reason == RevocationReason.SUPERSEDED
    assert signing.revocation_cause == "registry:36"


def test_a_death_revokes_both_certificates(yokohama, child_card):
    child, card = child_card

    record(
        yokohama,
        registry_services.record_death,
        DeathIn(effective_on=days_ago(2), person=child.number),
    )

    signing, authentication = state(card)
    for certificate in (signing, authentication):
        assert certificate.revocation_reason == RevocationReason.CESSATION_OF_OPERATION
        assert certificate.revoked_at == last_movement(yokohama).recorded_at
    with tenant_scope(yokohama.code):
        assert AuditEntry.objects.filter(action="identity.certificate.revoked").count() == 2


def test_a_correction_of_a_fact_revokes_the_signing_certificate(yokohama, child_card):
    child, card = child_card

    with tenant_scope(yokohama.code):
        registry_services.record_correction(
            municipality=yokohama,
            actor=SYSTEM,
            notice=CorrectionIn(
                person=child.number,
                valid_from=days_ago(30),
                changes={"birth_date": "2015-09-10"},
                note="生年月日の誤記",
            ),
        )

    signing, _ = state(card)
    assert signing.revocation_reason == RevocationReason.SUPERSEDED
    assert signing.revocation_cause == "registry:44"


def test_a_change_that_leaves_the_four_facts_alone_revokes_nothing(yokohama, child_card):
    child, card = child_card

    record(
        yokohama,
        registry_services.record_domicile_change,
        DomicileChangeIn(
            effective_on=days_ago(1), persons=[child.number], domicile="東京都千代田区千代田1番"
        ),
    )

    signing, authentication = state(card)
    assert signing.revoked_at is None and authentication.revoked_at is None


def test_the_revocation_rolls_back_with_its_movement(yokohama, child_card):
    child, card = child_card

    with pytest.raises(RuntimeError), transaction.atomic():
        record(yokohama, registry_services.record_move_out, departure(child))
        raise RuntimeError("the movement fails after the event")

    signing, _ = state(card)
    assert signing.revoked_at is None


def test_a_household_moving_out_remakes_the_crl_once(
    yokohama, household, tmp_path, django_capture_on_commit_callbacks
):
    cards = [issue(yokohama, p.number, tmp_path / p.number).card for p in household]
    services.publish_crl("signing")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record(
            yokohama,
            registry_services.record_move_out,
            DepartureIn(effective_on=days_ago(1), persons=[p.number for p in household]),
        )

    # One CRL remade for the household (beside it, the outbox wakes the webhooks).
    assert [c for c in callbacks if "mark_crl_stale" in c.__qualname__] == callbacks[:1]
    signing_ca = Authority.objects.get(name="signing")
    assert not signing_ca.crl_stale
    listed = x509.load_der_x509_crl(bytes(signing_ca.crl))
    revoked = {format(entry.serial_number, "X") for entry in listed}
    assert revoked == {card.signing.serial for card in cards}


# --- manual revocation ----------------------------------------------------------------------


def test_revoking_twice_is_refused(yokohama, child_card):
    _, card = child_card
    with tenant_scope(yokohama.code):
        services.revoke_certificate(
            certificate=card.signing, actor=SYSTEM, reason="key_compromise", cause="test"
        )
        with pytest.raises(RuleViolation) as caught:
            services.revoke_certificate(
                certificate=card.signing, actor=SYSTEM, reason="key_compromise", cause="test"
            )
    assert caught.value.code == "certificate.already_revoked" and caught.value.status == 409


def test_an_unknown_revocation_reason_is_refused(yokohama, child_card):
    _, card = child_card
    with tenant_scope(yokohama.code), pytest.raises(RuleViolation) as caught:
        services.revoke_certificate(
            certificate=card.signing, actor=SYSTEM, reason="lost", cause="test"
        )
    assert caught.value.code == "reason.unknown" and caught.value.field == "reason"
    assert IssuedCertificate.objects.get(pk=card.signing_id).revoked_at is None


# --- the public files ------------------------------------------------------------------------


def test_crl_lists_the_revoked_certificate_with_its_date_and_reason(yokohama, child_card, client):
    child, card = child_card
    record(yokohama, registry_services.record_move_out, departure(child))

    response = client.get("/pki/crl/signing.crl")

    assert response.status_code == 200 and response["Content-Type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.content)
    issuer = certificate_of(Authority.objects.get(name="signing"))
    assert crl.is_signature_valid(issuer.public_key()) and crl.issuer == issuer.subject
    entry = crl.get_revoked_certificate_by_serial_number(int(card.signing.serial, 16))
    assert entry.revocation_date_utc == last_movement(yokohama).recorded_at.replace(microsecond=0)
    reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    assert reason == x509.ReasonFlags.affiliation_changed
    assert crl.next_update_utc - crl.last_update_utc == timedelta(hours=24)
    assert crl.get_revoked_certificate_by_serial_number(int(card.authentication.serial, 16)) is None


def test_crl_is_remade_after_a_revocation_with_a_higher_number(yokohama, child_card, client):
    _, card = child_card
    before = x509.load_der_x509_crl(client.get("/pki/crl/signing.crl").content)
    with tenant_scope(yokohama.code):
        services.revoke_certificate(
            certificate=card.signing, actor=SYSTEM, reason="key_compromise", cause="test"
        )

    after = x509.load_der_x509_crl(client.get("/pki/crl/signing.crl").content)

    number = lambda crl: crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number  # noqa: E731
    assert number(after) == number(before) + 1
    assert len(before) == 0 and len(after) == 1


def test_a_crl_is_served_again_until_it_nears_its_next_update(yokohama, child_card, client):
    first = client.get("/pki/crl/signing.crl").content
    assert client.get("/pki/crl/signing.crl").content == first
    Authority.objects.filter(name="signing").update(
        crl_next_update=timezone.now() + timedelta(minutes=30)
    )

    assert client.get("/pki/crl/signing.crl").content != first


def test_an_unknown_crl_is_a_404(db, client):
    services.init_pki()
    assert client.get("/pki/crl/nosuch.crl").status_code == 404


def test_ca_pem_holds_the_root_and_the_three_intermediates_without_login(db, client):
    assert client.get("/pki/ca.pem").status_code == 404  # before jichi pki init
    services.init_pki()

    response = client.get("/pki/ca.pem")

    assert response.status_code == 200
    certificates = x509.load_pem_x509_certificates(response.content)
    names = [c.subject.rfc4514_string() for c in certificates]
    assert len(certificates) == 4 and "Root" in names[0]
    for intermediate in certificates[1:]:
        intermediate.verify_directly_issued_by(certificates[0])


def test_openssl_checks_a_card_signature_against_ca_pem_and_the_crl(
    yokohama, card, client, tmp_path
):
    import subprocess

    from cryptography.hazmat.primitives.serialization import Encoding

    from tests.identity.conftest import CONTENT, openssl_sign

    (tmp_path / "signature.der").write_bytes(openssl_sign(card))
    (tmp_path / "content.bin").write_bytes(CONTENT)

    def openssl_verify() -> subprocess.CompletedProcess:
        """openssl cms -verify with the CAs and the current CRL (in one file, as cms wants)."""
        crl = x509.load_der_x509_crl(client.get("/pki/crl/signing.crl").content)
        anchors = client.get("/pki/ca.pem").content
        (tmp_path / "trust.pem").write_bytes(anchors + crl.public_bytes(Encoding.PEM))
        return subprocess.run(
            ["openssl", "cms", "-verify", "-binary", "-inform", "DER",
             "-in", str(tmp_path / "signature.der"), "-content", str(tmp_path / "content.bin"),
             "-CAfile", str(tmp_path / "trust.pem"), "-crl_check", "-purpose", "any",
             "-out", "/dev/null"],
            capture_output=True, text=True,
        )  # fmt: skip

    first = openssl_verify()
    assert first.returncode == 0, first.stderr
    with tenant_scope(yokohama.code):
        services.revoke_certificate(
            certificate=IssuedCertificate.objects.get(serial=card.serial),
            actor=SYSTEM,
            reason="key_compromise",
            cause="test",
        )
    refused = openssl_verify()
    assert refused.returncode != 0 and "revoked" in refused.stderr
