"""Cards issued from the register, and signatures made with the real openssl binary."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from jichi.identity import facts as card_facts
from jichi.identity import services, x509build
from jichi.identity.models import AuthorityName
from jichi.identity.services.authorities import authority, certificate_of, key_of
from jichi.identity.services.cards import card_subject, record_certificate
from jichi.tenancy.context import tenant_scope
from tests.factories import SYSTEM
from tests.registry.people import family

CONTENT = "転入届\n氏名: 山田太郎\n申請日: 令和7年4月1日\n".encode()


@dataclass
class CardFiles:
    """A card's signing key and certificate on disk (what openssl signs with)."""

    key: Path
    certificate: Path
    serial: str


def issue(municipality, number: str, directory: Path) -> services.IssuedCard:
    with tenant_scope(municipality.code):
        issued = services.issue_card(municipality=municipality, actor=SYSTEM, person_number=number)
    services.write_card(issued, directory)
    return issued


@pytest.fixture
def household(yokohama):
    """A household of three in 横浜市 (head 山田太郎, 花子, 一郎)."""
    return family(yokohama)[1]


@pytest.fixture
def card(yokohama, household, tmp_path) -> CardFiles:
    """山田太郎's card, written to files."""
    directory = tmp_path / "card"
    issued = issue(yokohama, household[0].number, directory)
    return CardFiles(
        directory / "signing-key.pem", directory / "signing-cert.pem", issued.card.signing.serial
    )


def mint(
    municipality,
    directory: Path,
    *,
    facts: card_facts.Facts | None,
    not_before: datetime,
    not_after: datetime,
    ca: str = AuthorityName.SIGNING,
) -> CardFiles:
    """A certificate of our own CA with the given facts and validity, entered in its ledger."""
    issuer = authority(ca)
    key = x509build.new_key()
    certificate = x509build.end_entity(
        subject=card_subject(municipality, "TEST"),
        public_key=key.public_key(),
        issuer=certificate_of(issuer),
        issuer_key=key_of(issuer),
        not_before=not_before,
        not_after=not_after,
        usages=("digital_signature", "content_commitment"),
        san=card_facts.san(facts) if facts else None,
    )
    record_certificate(certificate, issuer=issuer, municipality=municipality)
    return write_pair(directory, key, certificate)


def write_pair(directory: Path, key, certificate) -> CardFiles:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "key.pem").write_bytes(x509build.key_pem(key))
    (directory / "cert.pem").write_bytes(x509build.pem(certificate))
    return CardFiles(
        directory / "key.pem",
        directory / "cert.pem",
        x509build.serial_hex(certificate.serial_number),
    )


def openssl_sign(
    files: CardFiles,
    content: bytes = CONTENT,
    *,
    detached: bool = True,
    outform: str = "DER",
    attributes: bool = True,
    extra: tuple[str, ...] = (),
) -> bytes:
    """``openssl cms -sign -binary`` of ``content`` with the card's key (the real binary)."""
    directory = files.key.parent
    source = directory / "content.bin"
    source.write_bytes(content)
    command = [
        "openssl", "cms", "-sign", "-binary", "-in", str(source),
        "-signer", str(files.certificate), "-inkey", str(files.key), "-outform", outform,
    ]  # fmt: skip
    if not detached:
        command.append("-nodetach")
    if not attributes:
        command.append("-noattr")
    command.extend(extra)
    return subprocess.run(command, check=True, capture_output=True).stdout
