"""選挙人名簿: voting districts, registrations and the entries of the roll."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from jichi.tenancy.models import TenantModel


class VotingDistrict(TenantModel):
    """投票区: the 町字 whose electors vote at one polling place."""

    code = models.CharField(max_length=4)  # 投票区番号, e.g. "01"
    name = models.CharField(max_length=60)  # 第1投票区
    polling_place = models.CharField(max_length=100, blank=True)  # 投票所
    towns = models.JSONField(default=list)  # 11-digit 町字 codes

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["municipality", "code"], name="district_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RegistrationKind(models.TextChoices):
    PERIODIC = "periodic", "定時登録"  # March, June, September, December
    ELECTION = "election", "選挙時登録"  # before an election


class Registration(TenantModel):
    """One registration (登録) as of a reference date (基準日)."""

    kind = models.CharField(max_length=10, choices=RegistrationKind.choices)
    reference_date = models.DateField()  # 基準日
    registered_on = models.DateField()  # 登録日
    election = models.CharField(max_length=100, blank=True)  # the election, for 選挙時登録
    added = models.PositiveIntegerField(default=0)
    displayed = models.PositiveIntegerField(default=0)  # 転出表示 this time
    removed = models.PositiveIntegerField(default=0)  # 抹消 this time
    total = models.PositiveIntegerField(default=0)  # on the roll afterwards (表示 included)
    seconds = models.FloatField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["municipality", "kind", "reference_date"], name="registration_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference_date}"


class EntryStatus(models.TextChoices):
    REGISTERED = "registered", "登録"
    DISPLAYED = "displayed", "転出表示"  # moved out; removed 4 months later
    REMOVED = "removed", "抹消"


class RemovalReason(models.TextChoices):
    MOVED_OUT = "moved_out", "転出後4か月経過"
    DECEASED = "deceased", "死亡"
    NOT_RESIDENT = "not_resident", "住民でなくなった（国籍喪失・職権消除など）"


class ElectorEntry(TenantModel):
    """A person on the roll. Names and addresses are read from the register when shown;
    the entry keeps what the roll itself decides (district, dates, status)."""

    number = models.CharField(max_length=10)  # 宛名番号: the register's person
    sex = models.CharField(max_length=1)  # for the counts by sex
    district = models.CharField(max_length=4, blank=True)  # 投票区番号 ("" if unmapped)
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="+")
    registered_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=EntryStatus.choices, default=EntryStatus.REGISTERED
    )
    displayed_on = models.DateField(null=True, blank=True)  # the day of the 転出
    removed_on = models.DateField(null=True, blank=True)
    removal_reason = models.CharField(max_length=12, choices=RemovalReason.choices, blank=True)

    class Meta(TenantModel.Meta):
        indexes = [
            models.Index(fields=["municipality", "number"], name="elector_person"),
            models.Index(fields=["municipality", "status", "district"], name="elector_district"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.status}"
