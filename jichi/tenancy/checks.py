"""System checks: tenant tables keyed for distribution; the database role bound by RLS."""

from __future__ import annotations

from django.core.checks import Error, Tags, Warning, register
from django.db import connection


@register(Tags.models)
def tenant_tables_lead_with_municipality(app_configs, **kwargs):
    from jichi.tenancy.rls import tenant_models

    errors = []
    for model in tenant_models():
        leading = [
            next(iter(c.fields)) for c in model._meta.constraints if getattr(c, "fields", None)
        ] + [next(iter(f)) for f in model._meta.unique_together]
        if "municipality" not in leading:
            errors.append(
                Error(
                    f"{model._meta.label} has no unique constraint leading with municipality.",
                    hint="Let its Meta inherit TenantModel.Meta (class Meta(TenantModel.Meta)).",
                    obj=model,
                    id="jichi.E001",
                )
            )
    return errors


@register(Tags.database, deploy=True)
def database_role_is_bound_by_rls(app_configs, databases=None, **kwargs):
    from jichi.tenancy.rls import role_bypasses_rls

    if not databases or connection.vendor != "postgresql":
        return []
    if role_bypasses_rls():
        return [
            Warning(
                "The database role is a superuser or has BYPASSRLS: row-level security "
                "does not separate municipalities for it.",
                hint="Connect as the application's own plain role (see docs/operations.md).",
                id="jichi.W001",
            )
        ]
    return []
