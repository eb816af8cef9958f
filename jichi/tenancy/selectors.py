"""Reads of the tenancy app."""

from __future__ import annotations

from django.db.models import QuerySet

from jichi.common.errors import not_found
from jichi.tenancy.models import ApiToken, Municipality
from jichi.tenancy.principals import Principal


def municipalities_for(principal: Principal) -> QuerySet[Municipality]:
    """The active municipalities a principal may reach."""
    queryset = Municipality.objects.filter(is_active=True).select_related("parent")
    codes = principal.codes()
    if codes is None:
        return queryset
    return queryset.filter(code__in=sorted(codes))


def active_municipality(code: str) -> Municipality | None:
    return Municipality.objects.filter(code=code, is_active=True).select_related("parent").first()


def municipality_by_code(code: str) -> Municipality:
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        raise not_found("municipality", "団体")
    return municipality


def tokens_of(municipality: Municipality) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(municipality=municipality)


def token_of(municipality: Municipality, token_id) -> ApiToken:
    token = ApiToken.objects.filter(municipality=municipality, id=token_id).first()
    if token is None:
        raise not_found("token", "トークン")
    return token
