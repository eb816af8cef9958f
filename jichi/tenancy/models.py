"""Municipalities (the tenants), staff, role grants, API tokens, and the
base of every tenant-owned table.

The tables of this module are platform tables: they are read before a
tenant is known (login, token lookup) and hold no resident data. Every
table that holds a municipality's data derives from :class:`TenantModel`.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jichi.common.checkdigits import validate_local_government_code
from jichi.common.errors import RuleViolation
from jichi.common.ids import new_id
from jichi.tenancy.context import OutOfScope, current_scope
from jichi.tenancy.roles import Role


def _validate_code(value: str) -> None:
    from django.core.exceptions import ValidationError

    try:
        validate_local_government_code(value)
    except RuleViolation as exc:
        raise ValidationError(exc.message_en, code=exc.code) from exc


class MunicipalityKind(models.TextChoices):
    PREFECTURE = "prefecture", _("Prefecture")  # 都道府県
    DESIGNATED_CITY = "designated_city", _("Designated city")  # 指定都市
    CITY = "city", _("City")  # 市
    SPECIAL_WARD = "special_ward", _("Special ward")  # 特別区
    WARD = "ward", _("Ward of a designated city")  # 行政区
    TOWN = "town", _("Town")  # 町
    VILLAGE = "village", _("Village")  # 村


class Municipality(models.Model):
    """A local government: 全国地方公共団体コード with its check digit.

    The national list is loaded whole (``jichi load-municipalities``); a
    municipality served by this deployment is *active*.
    """

    code = models.CharField(primary_key=True, max_length=6, validators=[_validate_code])
    name = models.CharField(max_length=40)  # 団体名 (without the 郡)
    name_kana = models.CharField(max_length=80)
    county = models.CharField(max_length=20, blank=True)  # 郡
    county_kana = models.CharField(max_length=40, blank=True)
    prefecture_code = models.CharField(max_length=2, validators=[RegexValidator(r"^\d{2}$")])
    prefecture_name = models.CharField(max_length=10)
    kind = models.CharField(max_length=20, choices=MunicipalityKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(default=False)  # served by this deployment
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["prefecture_code", "kind"])]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.code})"

    @property
    def display_name(self) -> str:
        """The name as written in addresses: 横浜市鶴見区, 神奈川県."""
        if self.kind == MunicipalityKind.WARD and self.parent_id:
            return f"{self.parent.name}{self.name}"
        return self.name

    @property
    def is_prefecture(self) -> bool:
        return self.kind == MunicipalityKind.PREFECTURE


class StaffUser(AbstractUser):
    """A member of staff of a municipality, a prefecture or the platform.

    ``organization`` is where the person works (a municipality or a
    prefecture); access comes only from :class:`RoleGrant` rows, or from
    ``is_platform_operator``.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    organization = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_platform_operator = models.BooleanField(default=False)
    failed_login_count = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.username

    def is_locked(self, now=None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))


class RoleGrant(models.Model):
    """A role of a staff member in one municipality (explicit, revocable)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    user = models.ForeignKey(StaffUser, on_delete=models.CASCADE, related_name="grants")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, db_column="municipality_code", related_name="+"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    granted_by = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    valid_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "municipality", "role"], name="grant_unique")
        ]
        indexes = [models.Index(fields=["municipality", "role"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role}@{self.municipality_id}"


class ApiToken(models.Model):
    """A bearer token of a system or of a member of staff.

    The secret is shown once at creation; only its SHA-256 is stored (the
    secret has 256 bits of entropy, so a slow hash adds nothing and would
    cost every request). ``prefix`` lets people tell tokens apart.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, db_column="municipality_code", related_name="+"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    secret_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    user = models.ForeignKey(
        StaffUser,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tokens",
        help_text="Set for a staff member's own token: it never exceeds that person's roles.",
    )
    created_by = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["municipality", "created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


# --- the base of tenant-owned tables ------------------------------------------


class TenantQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        scope = current_scope()
        for obj in objs:
            if not scope.allows(obj.municipality_id):
                raise OutOfScope(obj.municipality_id)
        return super().bulk_create(objs, *args, **kwargs)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Only rows of the municipalities in the current scope; no scope, no query."""

    def get_queryset(self):
        scope = current_scope()
        queryset = super().get_queryset()
        if scope.codes is None:
            return queryset
        if len(scope.codes) == 1:
            return queryset.filter(municipality_id=next(iter(scope.codes)))
        return queryset.filter(municipality_id__in=sorted(scope.codes))


class TenantModel(models.Model):
    """A row owned by one municipality.

    ``municipality_code`` is on every row and leads a unique index, so the
    table can be distributed by it (Citus) without a rewrite. On PostgreSQL
    every table of this kind gets a row-level security policy
    (see :mod:`jichi.tenancy.rls`).
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    # No index of its own: the unique (municipality_code, …) indexes cover it, and a
    # lone index on the column tempts PostgreSQL into reading a whole tenant and sorting.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        db_column="municipality_code",
        db_index=False,
        related_name="+",
    )

    objects = TenantManager()

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "id"], name="%(app_label)s_%(class)s_tenant_key"
            )
        ]

    def save(self, *args, **kwargs):
        if not current_scope().allows(self.municipality_id):
            raise OutOfScope(self.municipality_id)
        super().save(*args, **kwargs)
