"""就学: schools with their 通学区域, and the 就学通知 sent to the entrants' households."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from jichi.tenancy.models import TenantModel


class SchoolKind(models.TextChoices):
    PRIMARY = "primary", "小学校"
    JUNIOR = "junior", "中学校"


class School(TenantModel):
    """A municipal school and the 町字 of its 通学区域 (school district)."""

    code = models.CharField(max_length=6)
    name = models.CharField(max_length=60)
    kind = models.CharField(max_length=8, choices=SchoolKind.choices)
    address = models.CharField(max_length=200, blank=True)
    towns = models.JSONField(default=list)  # 11-digit 町字 codes

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["municipality", "code"], name="school_code"),
        ]

    def __str__(self) -> str:
        return self.name


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", "通知済"
    WITHDRAWN = "withdrawn", "取消（転出・死亡）"


class EntryNotice(TenantModel):
    """就学通知 (学校教育法施行令第5条): the school a child enters in April."""

    number = models.CharField(max_length=10)  # the child's 宛名番号
    entry_year = models.PositiveSmallIntegerField()  # the April of entry
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    child_name = models.CharField(max_length=200)
    guardian_name = models.CharField(max_length=200)  # 保護者 (the household head)
    address = models.CharField(max_length=300)
    birth_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED
    )
    issued_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["municipality", "number", "entry_year"], name="entry_notice_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_year} {self.number}"
