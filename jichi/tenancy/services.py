"""Writes of the tenancy app: municipalities, staff, grants, tokens, login.

One business action per function, each its own transaction, each announcing
what the audit trail must record (:mod:`jichi.tenancy.events`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jichi.common.errors import ErrorCollector, RuleViolation
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.events import announce
from jichi.tenancy.models import ApiToken, Municipality, MunicipalityKind, RoleGrant, StaffUser
from jichi.tenancy.principals import Actor
from jichi.tenancy.roles import SCOPES, Role, permissions_of

TOKEN_PREFIX = "jichi_"
MAX_TOKEN_DAYS = 730


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# --- municipalities -----------------------------------------------------------


@transaction.atomic
def activate_municipality(*, municipality: Municipality, actor: Actor) -> Municipality:
    """Start serving a municipality on this deployment (参加)."""
    if municipality.kind == MunicipalityKind.PREFECTURE:
        raise RuleViolation(
            "municipality.is_prefecture",
            "都道府県は住民記録の利用団体になれません。",
            "A prefecture cannot be served as a municipality.",
            "municipality_code",
            status=422,
        )
    if not municipality.is_active:
        municipality.is_active = True
        municipality.joined_at = timezone.now()
        municipality.save(update_fields=["is_active", "joined_at"])
        with tenant_scope(municipality.code, "municipality activation"):
            announce(
                municipality.code,
                actor,
                "tenancy.municipality.activated",
                "municipality",
                municipality.code,
            )
    return municipality


# --- staff ----------------------------------------------------------------------


def _check_password(password: str, user: StaffUser | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise RuleViolation(
            "password.weak",
            "パスワードが弱すぎます（12文字以上、推測されにくいもの）。",
            "The password is too weak: " + " ".join(exc.messages),
            "password",
        ) from exc


@transaction.atomic
def create_staff(
    *,
    actor: Actor,
    username: str,
    password: str,
    organization: Municipality | None,
    display_name: str = "",
    roles: list[str] = (),
    is_platform_operator: bool = False,
) -> StaffUser:
    """A new staff account with its roles in its own organization."""
    errors = ErrorCollector()
    if not username or len(username) > 150:
        errors.add(
            "username.required",
            "ユーザー名を入力してください（150文字以内）。",
            "A username of at most 150 characters is required.",
            "username",
        )
    elif StaffUser.objects.filter(username=username).exists():
        errors.add(
            "username.taken",
            "このユーザー名は既に使われています。",
            "This username is already taken.",
            "username",
        )
    for role in roles:
        if role not in Role.values:
            errors.add("roles.unknown", f"不明な役割です: {role}", f"Unknown role: {role}", "roles")
    errors.raise_if_any()
    user = StaffUser(
        username=username,
        display_name=display_name,
        organization=organization,
        is_platform_operator=is_platform_operator,
        is_staff=is_platform_operator,
        is_superuser=is_platform_operator,
    )
    _check_password(password, user)
    user.set_password(password)
    user.save()
    for role in roles:
        grant_role(actor=actor, user=user, municipality=organization, role=role)
    return user


@transaction.atomic
def grant_role(
    *, actor: Actor, user: StaffUser, municipality: Municipality, role: str, valid_until=None
) -> RoleGrant:
    """Give ``user`` a role in ``municipality``.

    Prefecture staff may only be granted municipalities of their own
    prefecture, and only explicitly, one municipality at a time.
    """
    if role not in Role.values:
        raise RuleViolation(
            "role.unknown", f"不明な役割です: {role}", f"Unknown role: {role}", "role"
        )
    if municipality is None or municipality.is_prefecture:
        raise RuleViolation(
            "role.municipality",
            "役割は市区町村に対して付与します。",
            "Roles are granted on a municipality.",
            "municipality_code",
        )
    org = user.organization
    if role == Role.PREFECTURE_STAFF:
        if (
            org is None
            or not org.is_prefecture
            or org.prefecture_code != municipality.prefecture_code
        ):
            raise RuleViolation(
                "role.prefecture_scope",
                "都道府県職員には、その都道府県内の市区町村だけを付与できます。",
                "Prefecture staff can be granted only municipalities of their prefecture.",
                "municipality_code",
                status=422,
            )
    elif org is None or org.code != municipality.code:
        raise RuleViolation(
            "role.own_organization",
            "この役割は職員の所属団体に対してだけ付与できます。",
            "This role can be granted only in the staff member's own municipality.",
            "municipality_code",
            status=422,
        )
    grant, _created = RoleGrant.objects.update_or_create(
        user=user,
        municipality=municipality,
        role=role,
        defaults={"valid_until": valid_until, "granted_by_id": _staff_id(actor)},
    )
    with tenant_scope(municipality.code, "role grant"):
        announce(
            municipality.code,
            actor,
            "tenancy.role.granted",
            "staff",
            str(user.id),
            details={"role": role},
        )
    return grant


@transaction.atomic
def revoke_role(*, actor: Actor, grant: RoleGrant) -> None:
    code = grant.municipality_id
    user_id, role = grant.user_id, grant.role
    grant.delete()
    with tenant_scope(code, "role revocation"):
        announce(code, actor, "tenancy.role.revoked", "staff", str(user_id), details={"role": role})


def _staff_id(actor: Actor):
    return actor.id if actor.kind == "staff" else None


# --- login and lockout ----------------------------------------------------------


def _invalid_login() -> RuleViolation:
    """A fresh exception each time (a shared one would grow its traceback forever)."""
    return RuleViolation(
        "auth.invalid_credentials",
        "ユーザー名またはパスワードが正しくありません。",
        "The username or password is not correct.",
        status=401,
    )


def authenticate_staff(*, username: str, password: str) -> StaffUser:
    """Check a login; lock the account after repeated failures.

    After ``JICHI_LOGIN_MAX_FAILURES`` wrong passwords in a row the account
    is locked for ``JICHI_LOGIN_LOCKOUT_MINUTES``; while locked even the
    right password is refused. Unknown usernames get the same answer as
    wrong passwords, after the same hashing work.
    """
    user = StaffUser.objects.filter(username=username).first()
    now = timezone.now()
    if user is None:
        StaffUser().set_password(password)  # same work as a real check
        raise _invalid_login()
    if user.is_locked(now):
        raise RuleViolation(
            "auth.locked",
            "ログインの失敗が続いたため、このアカウントは一時的にロックされています。",
            "This account is locked for a while after repeated failed logins.",
            status=401,
        )
    if not user.check_password(password) or not user.is_active:
        _record_failure(user, now)
        raise _invalid_login()
    if user.failed_login_count or user.locked_until:
        StaffUser.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    return user


@transaction.atomic
def _record_failure(user: StaffUser, now) -> None:
    StaffUser.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
    user.refresh_from_db(fields=["failed_login_count"])
    if user.failed_login_count >= settings.JICHI_LOGIN_MAX_FAILURES:
        until = now + timedelta(minutes=settings.JICHI_LOGIN_LOCKOUT_MINUTES)
        StaffUser.objects.filter(pk=user.pk).update(locked_until=until, failed_login_count=0)
        if user.organization_id:
            with tenant_scope(user.organization_id, "login lockout"):
                announce(
                    user.organization_id,
                    Actor("staff", str(user.id), user.username),
                    "tenancy.staff.locked_out",
                    "staff",
                    str(user.id),
                )


# --- API tokens -----------------------------------------------------------------


@transaction.atomic
def create_token(
    *,
    actor: Actor,
    municipality: Municipality,
    name: str,
    scopes: list[str],
    days: int = 365,
    user: StaffUser | None = None,
) -> tuple[ApiToken, str]:
    """A new token; returns it with its secret, which is never shown again."""
    errors = ErrorCollector()
    if not name.strip() or len(name) > 100:
        errors.add(
            "name.required",
            "トークンの名前を入力してください（100文字以内）。",
            "A token name of at most 100 characters is required.",
            "name",
        )
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        errors.add(
            "scopes.unknown",
            "不明なスコープがあります: " + ", ".join(unknown),
            "Unknown scopes: " + ", ".join(unknown),
            "scopes",
        )
    elif not scopes:
        errors.add(
            "scopes.required",
            "スコープを1つ以上指定してください。",
            "At least one scope is required.",
            "scopes",
        )
    if not 1 <= days <= MAX_TOKEN_DAYS:
        errors.add(
            "days.range",
            f"有効日数は1日から{MAX_TOKEN_DAYS}日までです。",
            f"The validity must be between 1 and {MAX_TOKEN_DAYS} days.",
            "days",
        )
    if user is not None and not user.is_platform_operator:
        from jichi.tenancy.principals import Principal

        held = permissions_of(Principal(user=user).roles(municipality.code))
        beyond = sorted(set(scopes) - held)
        if beyond:
            errors.add(
                "scopes.beyond_roles",
                "本人の役割を超えるスコープは付与できません: " + ", ".join(beyond),
                "A staff token cannot exceed its owner's roles: " + ", ".join(beyond),
                "scopes",
            )
    errors.raise_if_any()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        municipality=municipality,
        name=name.strip(),
        prefix=secret[len(TOKEN_PREFIX) :][:8],
        secret_hash=hash_token(secret),
        scopes=sorted(set(scopes)),
        user=user,
        created_by_id=_staff_id(actor),
        expires_at=timezone.now() + timedelta(days=days),
    )
    with tenant_scope(municipality.code, "token creation"):
        announce(
            municipality.code,
            actor,
            "tenancy.token.created",
            "api_token",
            str(token.id),
            details={"scopes": token.scopes, "days": days},
        )
    return token, secret


@transaction.atomic
def revoke_token(*, actor: Actor, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        with tenant_scope(token.municipality_id, "token revocation"):
            announce(
                token.municipality_id, actor, "tenancy.token.revoked", "api_token", str(token.id)
            )
    return token


TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


def token_for_secret(secret: str) -> ApiToken | None:
    """The usable token with this secret, or ``None`` (unknown, expired, revoked).

    A token found is kept in this process for ``JICHI_TOKEN_CACHE_SECONDS``
    (:class:`_TokenCache`): a revocation, or a deactivation of its owner or its
    municipality, made in another process takes effect here at most that late.
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    key = hash_token(secret)
    now = timezone.now()
    token = _tokens.get(key, now)
    if token is None:
        token = (
            ApiToken.objects.select_related("user", "municipality__parent")
            .filter(secret_hash=key)
            .first()
        )
        if token is None:
            return None
        _tokens.put(key, token, now)
    if not token.is_usable(now):
        return None
    if token.user_id is not None and not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


class _TokenCache:
    """Tokens recently found, by secret hash, for a few seconds: most API requests
    skip the token's query (and its joins). Emptied in this process whenever a token,
    a staff user, a role grant or a municipality is saved or deleted
    (``tenancy.apps``); bounded in size."""

    LIMIT = 1_000

    def __init__(self) -> None:
        self._found: dict[str, tuple[object, ApiToken]] = {}

    def get(self, key: str, now) -> ApiToken | None:
        kept = self._found.get(key)
        if kept is None or kept[0] <= now:
            return None
        return kept[1]

    def put(self, key: str, token: ApiToken, now) -> None:
        seconds = settings.JICHI_TOKEN_CACHE_SECONDS
        if seconds <= 0:
            return
        if len(self._found) >= self.LIMIT:
            self._found.clear()
        self._found[key] = (now + timedelta(seconds=seconds), token)

    def clear(self, **kwargs) -> None:
        self._found.clear()


_tokens = _TokenCache()
forget_tokens = _tokens.clear  # a signal receiver (``tenancy.apps``)


# --- the national list ------------------------------------------------------------


@transaction.atomic
def load_national_list() -> tuple[int, int]:
    """Insert or update every local government of the packaged national list.

    Idempotent; never deletes (a municipality that merged away keeps its
    history) and never changes ``is_active``. Returns (created, updated).
    """
    from jichi.tenancy.national import national_list

    existing = {m.code: m for m in Municipality.objects.all()}
    created, changed = [], []
    for row in national_list():  # sorted by code: parents come first
        values = _national_fields(row)
        current = existing.get(row.code)
        if current is None:
            created.append(Municipality(code=row.code, **values))
        elif any(getattr(current, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(current, f, v)
            changed.append(current)
    Municipality.objects.bulk_create(created, batch_size=500)
    Municipality.objects.bulk_update(changed, list(_NATIONAL_FIELDS), batch_size=500)
    return len(created), len(changed)


_NATIONAL_FIELDS = (
    "name",
    "name_kana",
    "county",
    "county_kana",
    "prefecture_code",
    "prefecture_name",
    "kind",
    "parent_id",
)


def _national_fields(row) -> dict:
    """The model's values for one row of the national list."""
    values = {f: getattr(row, f) for f in _NATIONAL_FIELDS if f not in ("kind", "parent_id")}
    return {**values, "kind": str(row.kind), "parent_id": row.parent_code or None}


@transaction.atomic
def add_local_government(code: str) -> Municipality:
    """One local government of the national list (and its parents), without the rest."""
    from jichi.tenancy.national import national_index

    row = national_index().get(code)
    if row is None:
        raise RuleViolation(
            "municipality_code.unknown",
            "全国地方公共団体コードが見つかりません。",
            "No local government has this code.",
            "municipality_code",
            status=404,
        )
    if row.parent_code:
        add_local_government(row.parent_code)
    municipality, _ = Municipality.objects.get_or_create(code=code, defaults=_national_fields(row))
    return municipality
