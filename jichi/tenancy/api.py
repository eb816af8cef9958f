"""Tenancy API: who am I, my municipalities, API tokens."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Query, Router, Schema, Status
from pydantic import Field

from jichi.common.api import ERRORS, PageOut, StrictSchema
from jichi.common.pagination import DEFAULT_LIMIT, paginate
from jichi.tenancy import selectors, services
from jichi.tenancy.access import require

router = Router(tags=["tenancy"])


class MunicipalityOut(Schema):
    code: str
    name: str
    display_name: str
    name_kana: str
    county: str
    prefecture_code: str
    prefecture_name: str
    kind: str


class MeOut(Schema):
    actor_kind: str
    actor_id: str
    label: str
    municipalities: dict[str, list[str]]


class PageFilters(Schema):
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


class TokenIn(StrictSchema):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(min_length=1)
    days: int = 365


class TokenOut(Schema):
    id: UUID
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret. It is shown only in this answer.")


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request):
    """The caller and the permissions it holds in each municipality."""
    principal = request.principal
    reach = selectors.municipalities_for(principal).values_list("code", flat=True)
    return {
        "actor_kind": principal.actor.kind,
        "actor_id": principal.actor.id,
        "label": principal.actor.label,
        "municipalities": {c: sorted(principal.permissions(c)) for c in reach},
    }


@router.get("/municipalities", response={200: PageOut[MunicipalityOut], **ERRORS})
def list_municipalities(request, filters: Query[PageFilters]):
    """Municipalities the caller may reach (one for a municipality's token)."""
    page = paginate(
        selectors.municipalities_for(request.principal),
        key="code",
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/municipalities/{code}", response={200: MunicipalityOut, **ERRORS})
def get_municipality(request, code: str):
    return require(request, "municipality:read")


@router.get("/municipalities/{code}/tokens", response={200: PageOut[TokenOut], **ERRORS})
def list_tokens(request, code: str, filters: Query[PageFilters]):
    municipality = require(request, "tokens:manage")
    page = paginate(
        selectors.tokens_of(municipality), key="id", cursor=filters.cursor, limit=filters.limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/municipalities/{code}/tokens", response={201: TokenCreatedOut, **ERRORS})
def create_token(request, code: str, payload: TokenIn):
    """A system token of this municipality. The secret is in this answer only."""
    municipality = require(request, "tokens:manage")
    token, secret = services.create_token(
        actor=request.principal.actor,
        municipality=municipality,
        name=payload.name,
        scopes=payload.scopes,
        days=payload.days,
    )
    out = TokenOut.model_validate(token).model_dump()
    return Status(201, {**out, "token": secret})


@router.delete("/municipalities/{code}/tokens/{token_id}", response={200: TokenOut, **ERRORS})
def revoke_token(request, code: str, token_id: UUID):
    municipality = require(request, "tokens:manage")
    token = selectors.token_of(municipality, token_id)
    return services.revoke_token(actor=request.principal.actor, token=token)
