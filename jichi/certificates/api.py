"""Certificates in the JSON API: request, ledger, one certificate and its PDF, decisions."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from jichi.certificates import documents, selectors, services
from jichi.certificates.models import Certificate, CertificateKind, Channel
from jichi.certificates.schemas import CertificateIn
from jichi.common.api import ERRORS, PageOut, StrictSchema
from jichi.common.errors import not_found
from jichi.common.ids import parse_id
from jichi.common.pagination import DEFAULT_LIMIT, paginate
from jichi.tenancy.access import require

router = Router(tags=["certificates"])
BASE = "/municipalities/{code}/certificates"


class CertificateOut(Schema):
    id: str
    serial: int
    kind: str
    kind_label: str
    person: str
    household: bool
    as_of: date
    options: dict[str, bool]
    requester_category: str
    channel: str
    fee: int
    status: str
    status_label: str
    approval_reasons: list[str]
    requested_at: datetime
    issued_at: datetime | None
    revoked_at: datetime | None
    sha256: str
    replaces: str | None
    pdf_url: str | None = Field(description="the signed PDF, once issued")
    verify_url: str | None = Field(description="the public check, once issued")


def certificate_out(request, certificate: Certificate) -> dict:
    issued = certificate.issued_at is not None
    base = f"/api/v1/municipalities/{certificate.municipality_id}/certificates/{certificate.id}"
    return {
        "id": str(certificate.id),
        "serial": certificate.serial,
        "kind": certificate.kind,
        "kind_label": certificate.get_kind_display(),
        "person": certificate.person.number,
        "household": certificate.household_id is not None,
        "as_of": certificate.as_of,
        "options": certificate.options,
        "requester_category": certificate.requester_category,
        "channel": certificate.channel,
        "fee": certificate.fee,
        "status": certificate.status,
        "status_label": certificate.get_status_display(),
        "approval_reasons": certificate.approval_reasons,
        "requested_at": certificate.requested_at,
        "issued_at": certificate.issued_at,
        "revoked_at": certificate.revoked_at,
        "sha256": certificate.sha256,
        "replaces": str(certificate.replaces_id) if certificate.replaces_id else None,
        "pdf_url": f"{base}.pdf" if issued else None,
        "verify_url": f"/verify/{certificate.id}" if issued else None,
    }


def _may_print_numbers(request, municipality, payload: CertificateIn) -> None:
    if payload.options.my_number or payload.options.resident_code:
        require(request, "registry:read_my_number")


@router.post(BASE, response={201: CertificateOut, 202: CertificateOut, **ERRORS})
def request_certificate(request, code: str, payload: CertificateIn):
    """Request a certificate: 201 when issued at once, 202 when it waits for approval."""
    municipality = require(request, "certificates:issue")
    _may_print_numbers(request, municipality, payload)
    certificate = services.request_certificate(
        municipality=municipality,
        actor=request.principal.actor,
        request=payload,
        channel=Channel.API,
    )
    return Status(201 if certificate.issued_at else 202, certificate_out(request, certificate))


class LedgerParams(Schema):
    serial: int | None = None
    kind: str = ""
    status: str = ""
    person: str = ""
    issued_from: date | None = None
    issued_until: date | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@router.get(BASE, response={200: PageOut[CertificateOut], **ERRORS})
def ledger(request, code: str, params: Query[LedgerParams]):
    """The issuance ledger (交付台帳), newest first."""
    require(request, "certificates:read")
    query = selectors.LedgerQuery(
        **params.model_dump(exclude={"cursor", "limit"}),
    )
    page = paginate(
        selectors.ledger(query),
        key="serial",
        cursor=params.cursor,
        limit=params.limit,
        descending=True,
        to_key=int,
    )
    return {
        "items": [certificate_out(request, c) for c in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(BASE + "/{certificate_id}.pdf", response={200: None, **ERRORS})
def certificate_pdf(request, code: str, certificate_id: str):
    """The signed PDF of an issued certificate (a read of personal data: audited)."""
    require(request, "certificates:read")
    certificate = selectors.certificate(parse_id(certificate_id), with_pdf=True)
    if not certificate.pdf:
        raise not_found("PDF", "PDF")
    services.record_pdf_read(request.principal.actor, certificate)
    return documents.pdf_response(certificate)


@router.get(BASE + "/{certificate_id}", response={200: CertificateOut, **ERRORS})
def certificate_detail(request, code: str, certificate_id: str):
    require(request, "certificates:read")
    return certificate_out(request, selectors.certificate(parse_id(certificate_id)))


class DecisionIn(StrictSchema):
    note: str = Field("", max_length=500)


@router.post(BASE + "/{certificate_id}/approve", response={200: CertificateOut, **ERRORS})
def approve(request, code: str, certificate_id: str, payload: DecisionIn):
    """Approve a held request (a second member of staff) and issue it."""
    municipality = require(request, "certificates:approve")
    certificate = services.approve_certificate(
        municipality=municipality,
        actor=request.principal.actor,
        certificate=selectors.certificate(parse_id(certificate_id)),
        note=payload.note,
    )
    return certificate_out(request, certificate)


@router.post(BASE + "/{certificate_id}/refuse", response={200: CertificateOut, **ERRORS})
def refuse(request, code: str, certificate_id: str, payload: DecisionIn):
    require(request, "certificates:approve")
    certificate = services.refuse_certificate(
        actor=request.principal.actor,
        certificate=selectors.certificate(parse_id(certificate_id)),
        note=payload.note,
    )
    return certificate_out(request, certificate)


class RevokeIn(StrictSchema):
    reason: str = Field(max_length=500)
    reissue: bool = False


@router.post(BASE + "/{certificate_id}/revoke", response={200: CertificateOut, **ERRORS})
def revoke(request, code: str, certificate_id: str, payload: RevokeIn):
    """Revoke an issued certificate; with ``reissue`` the corrected one is issued at once."""
    municipality = require(request, "certificates:revoke")
    certificate = services.revoke_certificate(
        municipality=municipality,
        actor=request.principal.actor,
        certificate=selectors.certificate(parse_id(certificate_id)),
        reason=payload.reason,
        reissue=payload.reissue,
    )
    return certificate_out(request, certificate)


# --- settings: the mayor printed on certificates, the fees ---------------------------

SETTINGS = "/municipalities/{code}/certificate-settings"


class SettingsIn(StrictSchema):
    mayor_title: str = Field(max_length=60, examples=["横浜市長"])
    mayor_name: str = Field(max_length=60, examples=["山田　太郎"])
    fees: dict[str, int] = Field(
        default_factory=dict,
        description="yen per certificate kind; kinds left out cost the default",
        examples=[{"resident_copy": 350, "move_out": 0}],
    )


class SettingsOut(Schema):
    mayor_title: str
    mayor_name: str
    fees: dict[str, int] = Field(description="what each kind costs now (defaults included)")
    ready: bool = Field(description="certificates can be issued (the mayor's name is set)")


def _settings_out(municipality) -> dict:
    profile = services.profile_of(municipality)
    return {
        "mayor_title": documents.issuer_of(municipality, profile).mayor_title,
        "mayor_name": profile.mayor_name,
        "fees": {kind: services.fee_for(municipality, kind) for kind in CertificateKind.values},
        "ready": bool(profile.mayor_name.strip()),
    }


@router.get(SETTINGS, response={200: SettingsOut, **ERRORS})
def get_settings(request, code: str):
    """What certificates print and cost in this municipality."""
    municipality = require(request, "certificates:read")
    return _settings_out(municipality)


@router.put(SETTINGS, response={200: SettingsOut, **ERRORS})
def put_settings(request, code: str, payload: SettingsIn):
    """Set the mayor's title and name printed on certificates and the fees (audited)."""
    municipality = require(request, "certificates:manage")
    services.update_profile(
        municipality=municipality,
        actor=request.principal.actor,
        mayor_title=payload.mayor_title,
        mayor_name=payload.mayor_name,
        fees=payload.fees,
    )
    return _settings_out(municipality)
