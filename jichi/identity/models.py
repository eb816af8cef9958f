"""The JPKI-shaped PKI: certification authorities, the certificates they issued, cards.

Two kinds of table:

- platform tables, read before or across tenants and holding no personal data:
  :class:`Authority` (a CA, its certificate, its sealed key and its current
  CRL) and :class:`IssuedCertificate` (the ledger of every certificate a CA
  issued: serial, validity, revocation). A signature is verified against this
  ledger whichever municipality receives it, as a CRL would be read.
- tenant tables: :class:`Card` binds a person of the register to the two
  certificates of a card, :class:`DocumentSigner` holds a municipality's
  document-signing key.

The certificate of a card's signing key carries the person's 基本4情報; its
DER is therefore never stored (only its SHA-256). Certificates without
personal facts (authentication, document signing) are stored whole.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jichi.common.ids import new_id
from jichi.identity.business.models import (  # noqa: F401 (registers the business identity models)
    BusinessAccount,
    BusinessAuditEntry,
    BusinessMember,
)
from jichi.tenancy.models import Municipality, TenantModel


class AuthorityName(models.TextChoices):
    ROOT = "root", _("Root CA")  # ルート認証局
    SIGNING = "signing", _("Signing card CA")  # 署名用認証局
    AUTHENTICATION = "authentication", _("Authentication card CA")  # 利用者証明用認証局
    DOCUMENT = "document", _("Municipality document-signing CA")  # 文書署名用認証局


class Authority(models.Model):
    """A certification authority of the platform, with its sealed key and its CRL."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    name = models.CharField(max_length=20, choices=AuthorityName.choices, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    certificate = models.BinaryField()  # DER
    sealed_key = models.BinaryField()  # PKCS#8 PEM, encrypted with the data key
    created_at = models.DateTimeField(default=timezone.now)
    crl = models.BinaryField(null=True, blank=True)  # DER of the latest CRL
    crl_number = models.PositiveBigIntegerField(default=0)
    crl_next_update = models.DateTimeField(null=True, blank=True)
    crl_stale = models.BooleanField(default=True)  # a revocation since the CRL was made

    def __str__(self) -> str:
        return self.name


class CertificateKind(models.TextChoices):
    SIGNING = "signing", _("Signing certificate")  # 署名用電子証明書
    AUTHENTICATION = "authentication", _("Authentication certificate")  # 利用者証明用電子証明書
    DOCUMENT = "document", _("Document-signing certificate")  # 文書署名用証明書


class RevocationReason(models.TextChoices):
    """RFC 5280 CRLReason names (what the CRL entry carries)."""

    UNSPECIFIED = "unspecified", _("Unspecified")
    KEY_COMPROMISE = "key_compromise", _("Key compromise")  # 紛失・盗難
    AFFILIATION_CHANGED = "affiliation_changed", _("Affiliation changed")  # 住所の異動
    SUPERSEDED = "superseded", _("Superseded")  # 氏名等の変更、再発行
    CESSATION_OF_OPERATION = "cessation_of_operation", _("Cessation of operation")  # 死亡・消除


class IssuedCertificate(models.Model):
    """One certificate issued by one of the platform's CAs (the CA's ledger)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="issued")
    serial = models.CharField(max_length=40)  # upper-case hex, no leading zeros
    kind = models.CharField(max_length=20, choices=CertificateKind.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, db_column="municipality_code", related_name="+"
    )
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the DER, hex
    der = models.BinaryField(null=True, blank=True)  # only for certificates without personal facts
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(
        max_length=30, choices=RevocationReason.choices, blank=True
    )
    # Why, in the platform's terms: "registry:21" (the 異動事由 that caused it), "reissue", "cli".
    revocation_cause = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "serial"], name="issued_serial"),
        ]
        indexes = [
            models.Index(fields=["authority", "revoked_at"], name="issued_revoked"),
            models.Index(fields=["fingerprint"], name="issued_fingerprint"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.serial}"

    def is_revoked_at(self, moment) -> bool:
        return self.revoked_at is not None and self.revoked_at <= moment


class Card(TenantModel):
    """A card (個人番号カード-like) of one person: its signing and authentication certificates.

    ``number`` is an opaque random identifier written as the CN of both
    certificates; with the authentication certificate's serial it maps a
    card back to the person, so a login by signed challenge can find them.
    ``facts_index`` is a keyed hash of the 基本4情報 written on the signing
    certificate: a change of them in the register revokes the certificate.
    """

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    number = models.CharField(max_length=32)
    signing = models.OneToOneField(IssuedCertificate, on_delete=models.PROTECT, related_name="+")
    authentication = models.OneToOneField(
        IssuedCertificate, on_delete=models.PROTECT, related_name="+"
    )
    facts_index = models.CharField(max_length=64)
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["municipality", "number"], name="card_number"),
        ]
        indexes = [models.Index(fields=["municipality", "person"], name="card_person")]

    def __str__(self) -> str:
        return self.number


class DocumentSigner(TenantModel):
    """A municipality's document-signing key and certificate (for signed certificate PDFs)."""

    certificate = models.OneToOneField(
        IssuedCertificate, on_delete=models.PROTECT, related_name="+"
    )
    sealed_key = models.BinaryField()  # PKCS#8 PEM, encrypted with the data key
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [models.Index(fields=["municipality", "created_at"], name="signer_created")]
