"""verify_signed: signatures made with the openssl binary, each refusal with its exact code."""

import base64
from datetime import timedelta

import pytest
from cryptography import x509
from django.utils import timezone

from jichi.common.errors import RuleViolation
from jichi.identity import facts as card_facts
from jichi.identity import services, x509build
from jichi.identity.models import AuthorityName, IssuedCertificate
from jichi.identity.verification import verify_signed
from jichi.registry import services as registry_services
from jichi.registry.models import Person
from jichi.registry.schemas import BirthIn
from jichi.tenancy.context import tenant_scope
from tests.factories import SYSTEM
from tests.identity.conftest import CONTENT, CardFiles, mint, openssl_sign, write_pair
from tests.registry.people import arrival, days_ago, person, record

YAMADA = card_facts.Facts(
    name="山田 太郎", sex="1", birth_date="319800401", address="神奈川県横浜市中区元町1丁目2番3号"
)


def verify(signature, content=CONTENT, **kwargs):
    kwargs.setdefault("municipality_code", "141003")
    return verify_signed(content, signature, **kwargs)


def codes(result):
    return [reason.code for reason in result.reasons]


def now():
    return timezone.now().replace(microsecond=0)


# --- valid signatures in every accepted shape --------------------------------------------


def test_a_detached_der_signature_by_a_card_is_valid_and_names_the_resident(card, household):
    result = verify(openssl_sign(card))

    assert result.valid, result.reasons
    assert result.code == "valid" and result.notes == []
    assert result.person_number == household[0].number
    assert result.certificate_serial == card.serial
    assert result.signing_time_source == "signed_attribute"
    assert abs(result.signing_time - timezone.now()) < timedelta(minutes=1)


def test_an_attached_signature_needs_no_separate_content(card):
    result = verify(openssl_sign(card, detached=False), content=None)

    assert result.valid, result.reasons
    assert result.content == CONTENT


@pytest.mark.parametrize("shape", ["pem", "base64"])
def test_pem_and_base64_are_read_like_der(card, shape):
    if shape == "pem":
        signature = openssl_sign(card, outform="PEM")
        assert signature.startswith(b"-----BEGIN CMS-----")
    else:
        signature = base64.b64encode(openssl_sign(card)).decode()

    assert verify(signature).valid


def test_a_signature_without_signing_time_is_checked_as_of_its_receipt(card):
    received = now() - timedelta(minutes=1)

    result = verify(openssl_sign(card, attributes=False), at=received)

    assert result.valid, result.reasons
    assert result.signing_time == received and result.signing_time_source == "receipt"
    assert [n.code for n in result.notes] == ["signing_time.absent"]


def test_facts_written_differently_still_match_after_normalisation(yokohama, household, tmp_path):
    written = card_facts.Facts(
        name="山田\u3000太郎 ",
        sex="1",
        birth_date="319800401",
        address="神奈川県 横浜市中区元町１丁目２番３号",
    )
    files = mint(
        yokohama, tmp_path, facts=written, not_before=now() - timedelta(days=1),
        not_after=now() + timedelta(days=30),
    )  # fmt: skip

    result = verify(openssl_sign(files))

    assert result.valid, result.reasons
    assert result.person_number == household[0].number


# --- unreadable input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    [
        b"\x30\x82\x01\x00garbage",
        b"-----BEGIN CMS-----\nnot base64!\n-----END CMS-----\n",
        "これは署名ではありません",
        b"",
    ],
)
def test_malformed_der_or_pem_is_refused(yokohama, signature):
    with pytest.raises(RuleViolation) as caught:
        verify(signature)
    assert caught.value.code == "signature.malformed" and caught.value.field == "signature"


def test_a_pem_certificate_is_not_a_signature(card):
    with pytest.raises(RuleViolation) as caught:
        verify(card.certificate.read_bytes())
    assert caught.value.code == "signature.malformed"


def test_der_that_is_not_signed_data_is_refused(card):
    der = x509build.der(x509.load_pem_x509_certificate(card.certificate.read_bytes()))
    with pytest.raises(RuleViolation) as caught:
        verify(der)
    assert caught.value.code == "signature.malformed"


def test_a_detached_signature_without_its_content_is_refused(card):
    with pytest.raises(RuleViolation) as caught:
        verify(openssl_sign(card), content=None)
    assert caught.value.code == "content.required" and caught.value.field == "content"


def test_an_unknown_municipality_is_refused(card):
    with pytest.raises(RuleViolation) as caught:
        verify(openssl_sign(card), municipality_code="999999")
    assert caught.value.status == 404


def test_a_signature_by_two_signers_is_refused(card):
    second = card.key.parent / "auth"
    extra = ("-signer", str(second) + "-cert.pem", "-inkey", str(second) + "-key.pem")

    with pytest.raises(RuleViolation) as caught:
        verify(openssl_sign(card, extra=extra))
    assert caught.value.code == "signature.one_signer" and caught.value.status == 422


# --- integrity -------------------------------------------------------------------------------


def test_content_modified_after_signing_is_refused(card):
    result = verify(openssl_sign(card), content=CONTENT.replace("山田".encode(), "田中".encode()))

    assert not result.valid and codes(result) == ["content.modified"]


def test_attached_content_that_differs_from_the_content_sent_is_refused(card):
    result = verify(openssl_sign(card, detached=False), content=b"something else")

    assert codes(result) == ["content.modified"]


def test_a_signature_without_the_signers_certificate_is_refused(card):
    result = verify(openssl_sign(card, extra=("-nocerts",)))

    assert codes(result) == ["certificate.missing"]


def test_an_rsa_pss_signature_is_refused(card):
    result = verify(openssl_sign(card, extra=("-keyopt", "rsa_padding_mode:pss")))

    assert codes(result) == ["signature.algorithm"]
    assert "rsassa_pss" in result.reasons[0].message_en


def test_an_altered_signature_value_is_refused(card):
    signature = bytearray(openssl_sign(card))
    signature[-1] ^= 0xFF  # the SignerInfo's signature is the last field

    result = verify(bytes(signature))

    assert codes(result) == ["signature.invalid"]


# --- trust -----------------------------------------------------------------------------------


def test_a_certificate_from_another_ca_with_the_same_names_is_refused(yokohama, card, tmp_path):
    from jichi.identity.services.authorities import SPECS

    services.init_pki()
    forged_root_key, forged_ca_key, key = (x509build.new_key() for _ in range(3))
    start, end = now() - timedelta(days=1), now() + timedelta(days=30)
    spec = SPECS[AuthorityName.ROOT]
    root = x509build.ca_certificate(
        subject=x509build.name(spec.common_name, unit=spec.unit), key=forged_root_key,
        issuer=None, issuer_key=forged_root_key, not_before=start, not_after=end, path_length=1,
    )  # fmt: skip
    spec = SPECS[AuthorityName.SIGNING]
    forged_ca = x509build.ca_certificate(
        subject=x509build.name(spec.common_name, unit=spec.unit), key=forged_ca_key,
        issuer=root, issuer_key=forged_root_key, not_before=start, not_after=end, path_length=0,
    )  # fmt: skip
    leaf = x509build.end_entity(
        subject=x509build.name("FORGED", organization=""), public_key=key.public_key(),
        issuer=forged_ca, issuer_key=forged_ca_key, not_before=start, not_after=end,
        usages=("digital_signature", "content_commitment"), san=card_facts.san(YAMADA),
    )  # fmt: skip

    result = verify(openssl_sign(write_pair(tmp_path / "forged", key, leaf)))

    assert codes(result) == ["chain.untrusted"]
    assert result.person_number is None  # the facts of an untrusted certificate are not read


def test_a_self_made_certificate_is_refused(yokohama, card, tmp_path):
    key = x509build.new_key()
    start, end = now() - timedelta(days=1), now() + timedelta(days=30)
    self_signed = x509build.ca_certificate(
        subject=x509build.name("me"), key=key, issuer=None, issuer_key=key,
        not_before=start, not_after=end, path_length=0,
    )  # fmt: skip

    result = verify(openssl_sign(write_pair(tmp_path / "self", key, self_signed)))

    assert codes(result) == ["chain.untrusted"]


def test_an_authentication_certificate_cannot_sign_an_application(card):
    files = CardFiles(card.key.parent / "auth-key.pem", card.key.parent / "auth-cert.pem", "")

    result = verify(openssl_sign(files))

    assert codes(result) == ["certificate.not_signing"]


def test_an_expired_certificate_is_refused(yokohama, household, tmp_path):
    services.init_pki(valid_from=now() - timedelta(days=60))  # CAs older than the card
    files = mint(
        yokohama, tmp_path, facts=YAMADA,
        not_before=now() - timedelta(days=30), not_after=now() - timedelta(days=1),
    )  # fmt: skip

    result = verify(openssl_sign(files))

    assert codes(result) == ["certificate.expired"]
    assert result.person_number == household[0].number  # the facts still say who it was


def test_a_certificate_not_yet_valid_is_refused(yokohama, household, tmp_path):
    files = mint(
        yokohama, tmp_path, facts=YAMADA,
        not_before=now() + timedelta(days=1), not_after=now() + timedelta(days=30),
    )  # fmt: skip

    assert codes(verify(openssl_sign(files))) == ["certificate.not_yet_valid"]


def test_a_certificate_missing_from_the_ledger_is_refused(yokohama, household, tmp_path):
    files = mint(
        yokohama, tmp_path, facts=YAMADA,
        not_before=now() - timedelta(days=1), not_after=now() + timedelta(days=30),
    )  # fmt: skip
    IssuedCertificate.objects.filter(serial=files.serial).delete()

    assert codes(verify(openssl_sign(files))) == ["certificate.unknown"]


def revoke(yokohama, serial, at, reason="affiliation_changed"):
    with tenant_scope(yokohama.code):
        services.revoke_certificate(
            certificate=IssuedCertificate.objects.get(serial=serial),
            actor=SYSTEM,
            reason=reason,
            cause="test",
            at=at,
        )


def test_a_certificate_revoked_before_signing_is_refused(yokohama, card):
    revoke(yokohama, card.serial, now() - timedelta(hours=1))

    result = verify(openssl_sign(card))

    assert codes(result) == ["certificate.revoked"]
    assert result.revocation_reason == "affiliation_changed"
    assert "住所" in result.reasons[0].message_ja or "異動" in result.reasons[0].message_ja


@pytest.mark.parametrize("reason", ["key_compromise", "unspecified"])
def test_after_a_lost_key_no_signature_verifies_whatever_time_it_claims(yokohama, card, reason):
    signature = openssl_sign(card)  # signingTime: now, before the revocation below
    revoke(yokohama, card.serial, timezone.now() + timedelta(seconds=1), reason)

    result = verify(signature)

    assert codes(result) == ["certificate.compromised"]
    assert "署名し直して" in result.reasons[0].message_ja


def test_a_certificate_revoked_after_signing_still_verifies_and_says_so(yokohama, card):
    signature = openssl_sign(card)
    revoke(yokohama, card.serial, timezone.now() + timedelta(seconds=1))

    result = verify(signature)

    assert result.valid
    assert [n.code for n in result.notes] == ["certificate.revoked_later"]
    assert result.revoked_at is not None


def test_a_signing_time_after_the_receipt_is_refused(card):
    result = verify(openssl_sign(card), at=timezone.now() - timedelta(hours=1))

    assert codes(result) == ["signing_time.future"]


# --- the signer against the register -----------------------------------------------------------


def test_a_certificate_without_the_four_facts_is_refused(yokohama, household, tmp_path):
    files = mint(
        yokohama, tmp_path, facts=None,
        not_before=now() - timedelta(days=1), not_after=now() + timedelta(days=30),
    )  # fmt: skip

    result = verify(openssl_sign(files))

    assert codes(result) == ["facts.missing"]
    assert "氏名、性別、生年月日、住所" in result.reasons[0].message_ja


def test_facts_matching_no_resident_of_the_municipality_are_refused(card, kawasaki):
    result = verify(openssl_sign(card), municipality_code=kawasaki.code)

    assert codes(result) == ["facts.no_match"] and result.person_number is None


def test_facts_matching_no_resident_after_the_register_changed_are_refused(
    yokohama, household, tmp_path
):
    other = card_facts.Facts(name="山田 次郎", sex="1", birth_date="319800401",
                             address=YAMADA.address)  # fmt: skip
    files = mint(
        yokohama, tmp_path, facts=other,
        not_before=now() - timedelta(days=1), not_after=now() + timedelta(days=30),
    )  # fmt: skip

    assert codes(verify(openssl_sign(files))) == ["facts.no_match"]


def test_facts_matching_two_residents_are_refused(yokohama, tmp_path):
    """Two girls of the same name born the same day at the same address, in two households."""
    born = days_ago(3)
    for head, kana in (("佐藤", "サトウ"), ("鈴木", "スズキ")):
        with tenant_scope(yokohama.code):
            movement = registry_services.record_move_in(
                municipality=yokohama,
                actor=SYSTEM,
                notice=arrival(person(family_name=head, family_name_kana=kana)),
            )
            household = movement.subjects.get().household_after.number
        record(
            yokohama,
            registry_services.record_birth,
            BirthIn(
                effective_on=born,
                household=household,
                child=person(given_name="花子", given_name_kana="ハナコ", sex="2",
                             relationship="子", birth_date=born.isoformat()),
            ),
        )  # fmt: skip
    with tenant_scope(yokohama.code):
        baby = Person.objects.order_by("-number").first()
    with tenant_scope(yokohama.code):
        issued = services.issue_card(municipality=yokohama, actor=SYSTEM, person_number=baby.number)
    services.write_card(issued, tmp_path)
    files = CardFiles(tmp_path / "signing-key.pem", tmp_path / "signing-cert.pem", "")

    result = verify(openssl_sign(files))

    assert codes(result) == ["facts.ambiguous"]
    assert "2人" in result.reasons[0].message_ja and result.person_number is None
