"""jichi pki init / issue-card / revoke / crl."""

import io

import pytest
from cryptography import x509
from django.core.management import CommandError, call_command

from jichi.identity.facts import read
from jichi.identity.models import Authority, Card, IssuedCertificate
from jichi.tenancy.context import tenant_scope


def pki(*args) -> str:
    out = io.StringIO()
    call_command("pki", *args, stdout=out)
    return out.getvalue()


def test_pki_init_is_idempotent(db):
    first = pki("init")
    second = pki("init")

    assert "root: " in first and "Jichi Root CA" in first
    assert first == second
    assert Authority.objects.count() == 4


def test_issue_card_writes_the_pem_files(yokohama, household, tmp_path):
    out = pki("issue-card", "--municipality", "141003", "--person", household[1].number,
              "--out", str(tmp_path))  # fmt: skip

    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "auth-cert.pem", "auth-key.pem", "chain.pem", "signing-cert.pem", "signing-key.pem",
    ]  # fmt: skip
    facts, _ = read(x509.load_pem_x509_certificate((tmp_path / "signing-cert.pem").read_bytes()))
    assert facts.name == "山田 花子" and facts.sex == "2"
    with tenant_scope("141003"):
        card = Card.objects.get()
    assert card.number in out and card.person_id == household[1].id


def test_issue_card_for_an_unknown_person_fails_with_the_reason(yokohama, household, tmp_path):
    with pytest.raises(CommandError, match="person"):
        pki("issue-card", "--municipality", "141003", "--person", "0000000000",
            "--out", str(tmp_path))  # fmt: skip


def test_issue_card_for_an_inactive_municipality_fails(db, tmp_path):
    with pytest.raises(CommandError, match="unknown or inactive"):
        pki("issue-card", "--municipality", "141003", "--person", "1", "--out", str(tmp_path))


def test_revoke_by_serial_and_publish_the_crl(yokohama, household, tmp_path):
    pki("issue-card", "--municipality", "141003", "--person", household[0].number,
        "--out", str(tmp_path))  # fmt: skip
    signing = IssuedCertificate.objects.get(kind="signing")

    out = pki("revoke", "--serial", signing.serial.lower(), "--reason", "key_compromise")

    signing.refresh_from_db()
    assert signing.revocation_reason == "key_compromise" and signing.revocation_cause == "cli"
    assert "revoked" in out
    crl = x509.load_der_x509_crl(bytes(Authority.objects.get(name="signing").crl))
    assert crl.get_revoked_certificate_by_serial_number(int(signing.serial, 16)) is not None
    with pytest.raises(CommandError, match="already revoked"):
        pki("revoke", "--serial", signing.serial)


def test_revoke_an_unknown_serial_fails(db):
    with pytest.raises(CommandError, match="No certificate has this serial"):
        pki("revoke", "--serial", "ABCDEF")


def test_crl_publishes_every_ca_and_writes_files(db, tmp_path):
    out = pki("crl", "--out", str(tmp_path))

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "authentication.crl", "document.crl", "root.crl", "signing.crl",
    ]  # fmt: skip
    assert "signing: " in out
    crl = x509.load_der_x509_crl((tmp_path / "signing.crl").read_bytes())
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert number == 1
