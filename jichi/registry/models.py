"""The resident register (住民記録): persons, households, their history, movements.

The register is append-only and bitemporal (see docs/registry.md):

- a :class:`PersonVersion` holds every data item of one person for a period of
  legal validity ``[valid_from, valid_to)`` as known from ``recorded_at``;
- a later recording never edits a version's data: it closes the version's
  knowledge (``superseded_at``, set once) and adds the versions that replace it.
  The rows with ``superseded_at IS NULL`` are what the office knows now, a
  timeline without gaps or overlaps per person; the rows with
  ``recorded_at <= T < superseded_at`` are what it knew at time T.

Each change is one :class:`Movement` (異動) with its reason code.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from jichi.registry.codes import (
    Article30_45,
    Reason,
    ReasonCategory,
    ResidentKind,
    ResidentStatus,
    Sex,
)
from jichi.tenancy.models import TenantModel

CURRENT = Q(superseded_at__isnull=True)


class NumberSequence(TenantModel):
    """The last serial issued per municipality for 宛名番号 and 世帯番号."""

    name = models.CharField(max_length=20)  # resident | household
    last = models.PositiveBigIntegerField(default=0)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["municipality", "name"], name="registry_sequence"),
        ]


class Household(TenantModel):
    """世帯: its number; its members and head are in the persons' versions."""

    number = models.CharField(max_length=10)  # 世帯番号
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["municipality", "number"], name="household_number"),
        ]

    def __str__(self) -> str:
        return self.number


class Person(TenantModel):
    """A person known to the register (宛名番号); the data is in :class:`PersonVersion`."""

    number = models.CharField(max_length=10)  # 宛名番号
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["municipality", "number"], name="person_number"),
        ]

    def __str__(self) -> str:
        return self.number


class Movement(TenantModel):
    """異動: one business action on the register, with the standard reason."""

    reason = models.CharField(max_length=2, choices=Reason.choices)
    category = models.CharField(max_length=10, choices=ReasonCategory.choices)
    effective_on = models.DateField()  # 異動日
    notified_on = models.DateField(null=True, blank=True)  # 届出日 / 申出日 / 通知日
    recorded_at = models.DateTimeField(default=timezone.now)  # 処理日時
    actor_kind = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    late = models.BooleanField(default=False)  # 届出 after the legal 14 days
    note = models.TextField(blank=True)  # 留意事項
    details = models.JSONField(default=dict, blank=True)  # reason-specific facts

    class Meta(TenantModel.Meta):
        indexes = [
            models.Index(fields=["municipality", "effective_on"], name="movement_effective"),
            models.Index(fields=["municipality", "recorded_at"], name="movement_recorded"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.effective_on}"


class MovementSubject(TenantModel):
    """A person touched by a movement, with the households before and after."""

    movement = models.ForeignKey(Movement, on_delete=models.PROTECT, related_name="subjects")
    # No lone indexes: subject_person (municipality, person) serves a person's movements,
    # and nothing looks subjects up by household.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="movements", db_index=False
    )
    household_before = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    household_after = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta(TenantModel.Meta):
        indexes = [models.Index(fields=["municipality", "person"], name="subject_person")]


class PersonVersion(TenantModel):
    """Every data item of one person over one period, as recorded at one time."""

    # version_history_no (municipality, person, history_no) serves every read by person.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="versions", db_index=False
    )
    history_no = models.PositiveIntegerField()  # 履歴番号
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)  # exclusive; open while current
    recorded_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)
    # Versions are never read by movement, and movements are never deleted.
    movement = models.ForeignKey(
        Movement, on_delete=models.PROTECT, related_name="versions", db_index=False
    )
    reason = models.CharField(max_length=2, choices=Reason.choices)

    status = models.CharField(max_length=1, choices=ResidentStatus.choices)  # 住民状態
    kind = models.CharField(max_length=1, choices=ResidentKind.choices)  # 住民種別

    family_name = models.CharField(max_length=100, blank=True)  # 氏
    given_name = models.CharField(max_length=100, blank=True)  # 名
    family_name_kana = models.CharField(max_length=100, blank=True)
    given_name_kana = models.CharField(max_length=100, blank=True)
    name_alphabet = models.CharField(max_length=200, blank=True)  # 外国人住民の氏名（ローマ字）
    former_surname = models.CharField(max_length=100, blank=True)  # 旧氏
    former_surname_kana = models.CharField(max_length=100, blank=True)
    alias = models.CharField(max_length=200, blank=True)  # 通称
    alias_kana = models.CharField(max_length=200, blank=True)
    name_key = models.CharField(max_length=400, blank=True)  # search key of every reading
    kanji_key = models.CharField(max_length=400, blank=True)  # search key of every written name

    birth_date = models.DateField()
    birth_precision = models.CharField(max_length=8, default="day")  # day|month|year|unknown
    birth_note = models.CharField(max_length=60, blank=True)  # 不詳 text, e.g. 年月日不詳
    sex = models.CharField(max_length=1, choices=Sex.choices)

    town_code = models.CharField(max_length=11)  # 住所コード (町字)
    town_name = models.CharField(max_length=60)
    block = models.CharField(max_length=60, blank=True)  # 番地・号
    building = models.CharField(max_length=100, blank=True)  # 方書
    postal_code = models.CharField(max_length=7, blank=True)

    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )
    relationship = models.CharField(max_length=40, blank=True)  # 続柄
    is_head = models.BooleanField(default=False)  # 世帯主

    became_resident_on = models.DateField()  # 住民となった年月日
    address_since = models.DateField()  # 住所を定めた年月日
    previous_address = models.CharField(max_length=200, blank=True)  # 前住所
    domicile = models.CharField(max_length=200, blank=True)  # 本籍
    domicile_head = models.CharField(max_length=100, blank=True)  # 筆頭者

    resident_code = models.CharField(max_length=11, blank=True)  # 住民票コード
    my_number_cipher = models.BinaryField(null=True, blank=True)  # 個人番号 (encrypted)
    my_number_index = models.CharField(max_length=64, blank=True)  # keyed hash for search

    nationality = models.CharField(max_length=60, blank=True)  # 国籍・地域
    article_30_45 = models.CharField(max_length=1, choices=Article30_45.choices, blank=True)
    residence_status = models.CharField(max_length=40, blank=True)  # 在留資格
    residence_period = models.CharField(max_length=40, blank=True)  # 在留期間
    residence_expiry = models.DateField(null=True, blank=True)  # 在留期間の満了の日
    residence_card_no = models.CharField(max_length=12, blank=True)  # 在留カード等番号
    became_foreign_resident_on = models.DateField(null=True, blank=True)

    destination_address = models.CharField(max_length=200, blank=True)  # 転出先
    planned_move_out_on = models.DateField(null=True, blank=True)  # 転出予定日

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["municipality", "person", "history_no"], name="version_history_no"
            ),
        ]
        indexes = [
            models.Index(
                fields=["municipality", "person", "valid_from"],
                condition=CURRENT,
                name="version_current_person",
            ),
            # A name search walks one of these in order (prefix, then 宛名番号 order by
            # person) and stops at the page's end. On PostgreSQL both keys have the "C"
            # collation (migration 0005), so the index serves the prefix and the order.
            models.Index(
                fields=["municipality", "name_key", "person"],
                condition=CURRENT,
                name="version_current_name",
            ),
            models.Index(
                fields=["municipality", "kanji_key", "person"],
                condition=CURRENT,
                name="version_current_kanji",
            ),
            models.Index(
                fields=["municipality", "birth_date"],
                condition=CURRENT,
                name="version_current_birth",
            ),
            models.Index(
                fields=["municipality", "town_code"], condition=CURRENT, name="version_current_town"
            ),
            models.Index(
                fields=["municipality", "household", "valid_from"],
                condition=CURRENT,
                name="version_current_household",
            ),
            models.Index(
                fields=["municipality", "my_number_index"],
                condition=CURRENT,
                name="version_current_my_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}#{self.history_no}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.given_name) if p) or self.name_alphabet

    @property
    def full_name_kana(self) -> str:
        return " ".join(p for p in (self.family_name_kana, self.given_name_kana) if p)

    @property
    def address(self) -> str:
        return f"{self.town_name}{self.block}"


class Protection(TenantModel):
    """DV等支援措置 for one person: who must not learn where they live."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="protections")
    starts_on = models.DateField()
    ends_on = models.DateField()
    provisional = models.BooleanField(default=False)  # 仮支援措置
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)  # lifted before its end

    class Meta(TenantModel.Meta):
        indexes = [models.Index(fields=["municipality", "person"], name="protection_person")]


class ProtectionOffender(TenantModel):
    """A listed offender (加害者) of a protection."""

    protection = models.ForeignKey(Protection, on_delete=models.CASCADE, related_name="offenders")
    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=400)  # search key of the written name
    kana_key = models.CharField(max_length=400, blank=True)  # search key of the reading
    birth_date = models.DateField(null=True, blank=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
