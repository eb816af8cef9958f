"""児童手当: recipients (受給者), their children, payments and the changes to handle."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from jichi.tenancy.models import TenantModel


class EndReason(models.TextChoices):
    MOVED_OUT = "moved_out", "転出"
    DECEASED = "deceased", "死亡"
    NO_CHILD = "no_child", "支給対象児童なし"
    OTHER = "other", "その他（受給事由消滅届）"


class Recipient(TenantModel):
    """受給者: the claimant certified for the allowance (認定)."""

    number = models.CharField(max_length=10)  # the claimant's 宛名番号
    name = models.CharField(max_length=200)
    application_id = models.UUIDField(null=True, blank=True)  # the 認定請求 in procedures
    claimed_on = models.DateField()  # 認定請求日
    start_month = models.DateField()  # 支給開始月 (1st of the month)
    end_month = models.DateField(null=True, blank=True)  # the last month paid
    end_reason = models.CharField(max_length=10, choices=EndReason.choices, blank=True)
    certified_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [models.Index(fields=["municipality", "number"], name="allowance_recipient_no")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class AllowanceChild(TenantModel):
    """A child of a recipient: paid (支給対象) or only counted for the birth order (算定対象)."""

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="children")
    number = models.CharField(max_length=10)
    name = models.CharField(max_length=200)
    birth_date = models.DateField()
    from_month = models.DateField()
    to_month = models.DateField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        indexes = [models.Index(fields=["municipality", "number"], name="allowance_child_no")]


class Payment(TenantModel):
    """One even month's payment to a recipient, for the two months before."""

    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="payments")
    pay_month = models.DateField()
    amount = models.PositiveIntegerField()
    months = models.JSONField(default=list)  # [{"month", "children": {宛名番号: yen}}]
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["municipality", "recipient", "pay_month"], name="payment_once"
            ),
        ]


class ChangeKind(models.TextChoices):
    BIRTH = "birth", "出生（額改定請求・認定請求の案内）"
    MOVE_IN = "move_in", "転入（認定請求の案内）"
    ENDED = "ended", "受給資格の消滅（転出・死亡）"
    CHILD_LEFT = "child_left", "児童の転出・死亡（額改定）"


class Change(TenantModel):
    """What a register event means for the allowance: a to-do of the office."""

    kind = models.CharField(max_length=12, choices=ChangeKind.choices)
    number = models.CharField(max_length=10)  # the person the event is about
    household = models.CharField(max_length=10, blank=True)
    on = models.DateField()
    deadline = models.DateField(null=True, blank=True)  # 15 days for a claim
    recipient = models.ForeignKey(Recipient, null=True, blank=True, on_delete=models.SET_NULL)
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [
            models.Index(
                fields=["municipality", "handled_at", "created_at"], name="allowance_change_open"
            )
        ]
