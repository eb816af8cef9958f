"""Admins' settings of the catalog for their municipality: enable, fee, texts, queue."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from jichi.audit.services import record as audit
from jichi.common.errors import ErrorCollector
from jichi.procedures import selectors
from jichi.procedures.definitions import NOTIFIED_STATES
from jichi.procedures.models import ProcedureSetting
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

TEXT_KEYS = ("name", "description", *(f"notifications.{s}" for s in NOTIFIED_STATES))
FEE_MAX = 1_000_000


@transaction.atomic
def update_setting(
    *,
    municipality: Municipality,
    actor: Actor,
    procedure_id: str,
    enabled: bool | None = None,
    fee: int | None = None,
    reset_fee: bool = False,
    texts: dict | None = None,
    department: str | None = None,
) -> ProcedureSetting:
    """Change what is given; ``texts`` replaces the overrides (``{key: {ja, en}}``)."""
    selectors.procedure(procedure_id)
    _check(fee, texts, department)
    setting, _ = ProcedureSetting.objects.select_for_update().get_or_create(
        municipality=municipality, procedure_id=procedure_id
    )
    if enabled is not None:
        setting.enabled = enabled
    if fee is not None or reset_fee:
        setting.fee = None if reset_fee else fee
    if texts is not None:
        setting.texts = {k: {lang: v[lang].strip() for lang in v} for k, v in texts.items()}
    if department is not None:
        setting.department = department.strip()
    setting.updated_at, setting.updated_by = timezone.now(), actor.id[:64]
    setting.save()
    audit(
        actor,
        "procedures.setting.updated",
        object_type="procedure_setting",
        object_id=procedure_id,
        details={"enabled": setting.enabled, "fee": setting.fee, "texts": sorted(setting.texts)},
    )
    return setting


def _check(fee, texts, department) -> None:
    errors = ErrorCollector()
    if fee is not None and (isinstance(fee, bool) or not 0 <= fee <= FEE_MAX):
        errors.add(
            "fee.range",
            f"手数料は0円から{FEE_MAX:,}円までです。",
            f"A fee is 0 to {FEE_MAX:,} yen.",
            "fee",
        )
    for key, value in (texts or {}).items():
        if key not in TEXT_KEYS:
            errors.add(
                "texts.unknown_key",
                f"「{key}」は変更できる文言ではありません。",
                f"{key} is not a text that can be changed.",
                f"texts.{key}",
            )
        elif (
            not isinstance(value, dict)
            or set(value) - {"ja", "en"}
            or not all(isinstance(v, str) and 0 < len(v.strip()) <= 500 for v in value.values())
        ):
            errors.add(
                "texts.invalid",
                "文言は ja・en ごとに1〜500文字で指定してください。",
                "Give each text as ja/en strings of 1 to 500 characters.",
                f"texts.{key}",
            )
    if department is not None and len(department.strip()) > 60:
        errors.add(
            "department.invalid",
            "部署は60文字以内です。",
            "A department is at most 60 characters.",
            "department",
        )
    errors.raise_if_any()
