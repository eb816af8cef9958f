"""Business identity (GビズID-like): accounts keyed by 法人番号, their members, their audit chain.

These are platform tables, not tenant tables: a business account is national,
like GビズID, and applies to any municipality of the platform. No municipality
owns the rows, so they carry no ``municipality_code`` and no row-level security
policy; what a member may see of a municipality is decided by the procedures
that municipality publishes.

- :class:`BusinessAccount`: one corporation (法人), keyed by its 法人番号.
- :class:`BusinessMember`: a person acting for it, an administrator
  (the GビズIDプライム holder: the representative, or someone the
  representative appointed) or a member (GビズIDメンバー, added by an
  administrator). Members are not staff: they are not
  :class:`~jichi.tenancy.models.StaffUser` rows and have their own session key.
- :class:`BusinessAuditEntry`: the platform-level audit chain of these
  accounts (the municipalities' chains cannot hold them: no municipality owns
  a national account).
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jichi.audit.models import Outcome
from jichi.common.ids import new_id


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")  # 利用中
    SUSPENDED = "suspended", _("Suspended")  # 利用停止


class BusinessAccount(models.Model):
    """A corporation's account: 法人番号, 商号又は名称, 本店所在地, status."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    corporate_number = models.CharField(max_length=13, unique=True)  # 法人番号 (check digit first)
    name = models.CharField(max_length=150)  # 商号又は名称
    head_office_address = models.CharField(max_length=300)  # 本店又は主たる事務所の所在地
    status = models.CharField(
        max_length=10, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    registered_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(max_length=200, blank=True)  # why it was suspended

    class Meta:
        ordering = ["corporate_number"]

    def __str__(self) -> str:
        return self.corporate_number

    @property
    def is_active(self) -> bool:
        return self.status == AccountStatus.ACTIVE


class MemberRole(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")  # GビズIDプライム (代表者・管理者)
    MEMBER = "member", _("Member")  # GビズIDメンバー


class BusinessMember(models.Model):
    """A person acting for a business account; signs in with e-mail and password.

    ``email`` is stored in lower case and is unique among active members
    (a deactivated member's address may be registered again). ``password`` is
    a Django password hash (Argon2). ``must_change_password`` is set while the
    member holds a generated one-time password.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(BusinessAccount, on_delete=models.PROTECT, related_name="members")
    name = models.CharField(max_length=100)  # 氏名
    email = models.CharField(max_length=254)
    role = models.CharField(max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER)
    password = models.CharField(max_length=128)
    must_change_password = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    last_login = models.DateTimeField(null=True, blank=True)
    failed_login_count = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(is_active=True),
                name="business_member_email",
            ),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="business_member_email_lower"
            ),
        ]
        indexes = [models.Index(fields=["account", "role"], name="business_member_role")]

    def __str__(self) -> str:
        return str(self.id)

    @property
    def is_administrator(self) -> bool:
        return self.role == MemberRole.ADMINISTRATOR

    def is_locked(self, now=None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))


class BusinessAuditEntry(models.Model):
    """One entry of the business-identity audit chain (platform-level, append-only).

    Hash-chained like :class:`jichi.audit.models.AuditEntry` (``prev_hash`` →
    ``entry_hash``), in one chain for the whole platform. ``account`` is the
    法人番号 concerned (public information); ``details`` never hold personal data.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    seq = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor_kind = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80)
    account = models.CharField(max_length=13, blank=True)  # 法人番号
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OK)
    request_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["account", "occurred_at"], name="business_audit_account")]

    def __str__(self) -> str:
        return f"business#{self.seq} {self.action}"
