"""Throw-away material for tests, benchmarks and previews (never for issuing).

- :func:`sample_content`: a household certificate of made-up residents of 横浜市.
- :func:`make_pki`: a small CA (root → intermediate → document signer) built with
  ``cryptography``, shaped like the platform's (``jichi.identity`` builds the real one).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, replace

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from jichi.certificates.pdf.content import (
    CertificateContent,
    ForeignItems,
    Issuer,
    Kind,
    Movement,
    PersonRow,
)
from jichi.certificates.pdf.signing import Signer

YOKOHAMA = Issuer("141003", "横浜市", "神奈川県", "横浜市長", "山中　竹春")
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")  # id-kp-documentSigning (RFC 9336)
SAMPLE_ID = uuid.UUID("0193b1f2-7c4e-7a51-9b2e-3f1c2d4e5f60")


def _japanese(name: str, kana: str, birth: datetime.date, sex: str, relationship: str) -> PersonRow:
    return PersonRow(
        name=name,
        kana=kana,
        birth_date=birth,
        sex=sex,
        relationship=relationship,
        became_resident_on=datetime.date(2015, 4, 1),
        address_since=datetime.date(2015, 4, 1),
        address_notified_on=datetime.date(2015, 4, 3),
        previous_address="東京都千代田区霞が関一丁目3番1号",
        domicile="神奈川県横浜市中区日本大通1番地",
        domicile_head="横浜　一郎",
        movements=(Movement("転入", datetime.date(2015, 4, 1), datetime.date(2015, 4, 3)),),
    )


def sample_persons() -> tuple[PersonRow, ...]:
    """Four made-up residents: head, spouse, child, and a foreign-resident member."""
    head = _japanese("横浜　一郎", "ヨコハマ　イチロウ", datetime.date(1980, 5, 12), "男", "世帯主")
    spouse = _japanese("横浜　花子", "ヨコハマ　ハナコ", datetime.date(1982, 11, 3), "女", "妻")
    child = replace(
        _japanese("横浜　太郎", "ヨコハマ　タロウ", datetime.date(2016, 7, 20), "男", "子"),
        became_resident_on=datetime.date(2016, 7, 20),
        address_since=datetime.date(2016, 7, 20),
        address_notified_on=datetime.date(2016, 7, 25),
        previous_address="",
        movements=(Movement("出生", datetime.date(2016, 7, 20), datetime.date(2016, 7, 25)),),
    )
    lodger = PersonRow(
        name="SMITH JOHN",
        kana="スミス　ジョン",
        birth_date=datetime.date(1990, 2, 28),
        sex="男",
        relationship="同居人",
        became_resident_on=datetime.date(2020, 10, 1),
        address_since=datetime.date(2020, 10, 1),
        address_notified_on=datetime.date(2020, 10, 5),
        previous_address="国外",
        alias="須見　譲",
        foreign=ForeignItems(
            nationality="アメリカ合衆国",
            article_30_45="中長期在留者",
            residence_status="技術・人文知識・国際業務",
            residence_period="3年",
            residence_expiry=datetime.date(2026, 9, 30),
            residence_card_no="AB12345678CD",
            became_foreign_resident_on=datetime.date(2020, 10, 1),
        ),
        movements=(Movement("国外転入", datetime.date(2020, 10, 1), datetime.date(2020, 10, 5)),),
    )
    return (head, spouse, child, lodger)


def sample_content(*, persons: int | tuple[PersonRow, ...] = 4, **changes) -> CertificateContent:
    """A 世帯連記 住民票の写し of the first `persons` sample residents (or of the given
    persons); any other field can be changed by keyword."""
    content = CertificateContent(
        kind=Kind.RESIDENT_COPY,
        issuer=YOKOHAMA,
        persons=sample_persons()[:persons] if isinstance(persons, int) else persons,
        address="神奈川県横浜市中区港町一丁目1番地",
        household_head="横浜　一郎",
        whole_household=True,
        issued_on=datetime.date(2025, 4, 1),
        serial="141003-2025-000123",
        certificate_id=SAMPLE_ID,
        verify_url=f"https://jichi.example.jp/verify/{SAMPLE_ID}",
        fee=300,
        requester="本人",
    )
    return replace(content, **changes)


# --- a throw-away PKI --------------------------------------------------------------


@dataclass(frozen=True)
class TestPki:
    root: x509.Certificate
    intermediate: x509.Certificate
    signer: Signer


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Jichi Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(subject, key, issuer_name, issuer_key, *, ca: bool, days: int = 3650):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if ca:
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
    else:
        usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
        builder = builder.add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING]), critical=False)
    builder = builder.add_extension(usage, critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _key(kind: str):
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def make_pki(name: str = "Jichi Test", *, key_kind: str = "rsa") -> TestPki:
    """Root CA → intermediate CA → a document-signing certificate of 横浜市.

    ``key_kind``: ``"rsa"`` (RSA-2048, as JPKI) or ``"ec"`` (P-256, faster to make).
    """
    root_key, inter_key, doc_key = _key(key_kind), _key(key_kind), _key(key_kind)
    root_name = _name(f"{name} Root CA")
    root = _certificate(root_name, root_key, root_name, root_key, ca=True)
    inter_name = _name(f"{name} Municipality CA")
    inter = _certificate(inter_name, inter_key, root_name, root_key, ca=True)
    doc_name = _name(f"{name} 横浜市 141003 certificate signing")
    doc = _certificate(doc_name, doc_key, inter_name, inter_key, ca=False, days=365)
    return TestPki(root, inter, Signer(key=doc_key, cert=doc, chain=[inter, root]))
