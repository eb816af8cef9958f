"""Issued certificates (交付台帳) and each municipality's issuing profile (fees, mayor)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from jichi.registry.models import Household, Person
from jichi.tenancy.models import TenantModel


class CertificateKind(models.TextChoices):
    RESIDENT_COPY = "resident_copy", "住民票の写し"
    ENTRY_CERTIFICATE = "entry_certificate", "住民票記載事項証明書"
    REMOVED_COPY = "removed_copy", "除票の写し"
    MOVE_OUT = "move_out", "転出証明書"


class RequesterCategory(models.TextChoices):
    SELF = "self", "本人"
    HOUSEHOLD = "household", "同一世帯の者"
    AGENT = "agent", "代理人"
    THIRD_PARTY = "third_party", "第三者"


class Channel(models.TextChoices):
    COUNTER = "counter", "窓口"
    API = "api", "システム連携"
    SELF_SERVICE = "self_service", "自動交付"


class Status(models.TextChoices):
    PENDING = "pending", "承認待ち"
    ISSUED = "issued", "交付済"
    REFUSED = "refused", "不交付"
    REVOKED = "revoked", "取消"


# Items a request may include or omit (住基法12条5項), and what is printed when it says nothing.
OPTION_DEFAULTS: dict[str, bool] = {
    "head": True,  # 世帯主の氏名
    "relationship": True,  # 世帯主との続柄
    "previous_address": True,  # 前住所
    "domicile": False,  # 本籍・筆頭者
    "my_number": False,  # 個人番号
    "resident_code": False,  # 住民票コード
}
DEFAULT_FEES: dict[str, int] = {
    CertificateKind.RESIDENT_COPY: 300,
    CertificateKind.ENTRY_CERTIFICATE: 300,
    CertificateKind.REMOVED_COPY: 300,
    CertificateKind.MOVE_OUT: 0,
}


class IssuerProfile(TenantModel):
    """What a municipality prints on its certificates and charges for them."""

    mayor_title = models.CharField(max_length=60, blank=True)  # e.g. 横浜市長
    mayor_name = models.CharField(max_length=60, blank=True)
    fees = models.JSONField(default=dict, blank=True)  # kind -> yen; missing kinds: DEFAULT_FEES
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["municipality"], name="certificates_one_profile"),
        ]


class Certificate(TenantModel):
    """One request for a certificate and, once issued, its signed PDF (交付台帳の1件)."""

    serial = models.PositiveIntegerField()  # 交付番号, per municipality
    kind = models.CharField(max_length=20, choices=CertificateKind.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # set for 世帯全員 (世帯連記)
    as_of = models.DateField()
    options = models.JSONField(default=dict)
    purpose = models.CharField(max_length=200)  # 請求の事由 / 利用目的

    requester_category = models.CharField(max_length=12, choices=RequesterCategory.choices)
    requester_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requester_name = models.CharField(max_length=200, blank=True)
    requester_address = models.CharField(max_length=200, blank=True)
    power_of_attorney = models.CharField(max_length=200, blank=True)  # 委任状 as presented
    third_party_reason = models.TextField(blank=True)  # 第三者請求の正当な理由
    channel = models.CharField(max_length=12, choices=Channel.choices)
    fee = models.PositiveIntegerField()

    status = models.CharField(max_length=10, choices=Status.choices)
    approval_reasons = models.JSONField(default=list)  # why approval is needed
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.CharField(max_length=64)  # actor id
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=64, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True)  # of the signed PDF
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=500, blank=True)
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reissues"
    )

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["municipality", "serial"], name="certificate_serial"),
        ]
        indexes = [
            models.Index(fields=["municipality", "requested_at"], name="certificate_requested"),
            models.Index(fields=["municipality", "person"], name="certificate_person"),
            models.Index(fields=["municipality", "status"], name="certificate_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"

    @property
    def household_wide(self) -> bool:
        return self.household_id is not None
