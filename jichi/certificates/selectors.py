"""Reads of the issuance ledger (交付台帳) and of one certificate for its public check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from jichi.certificates.models import Certificate, Status
from jichi.common.checkdigits import normalize_digits
from jichi.common.errors import not_found
from jichi.tenancy.context import platform_scope

# The PDF stays in the database until it is asked for.
LEDGER_FIELDS_DEFERRED = ("pdf",)


@dataclass(frozen=True)
class LedgerQuery:
    serial: int | None = None
    kind: str = ""
    status: str = ""
    person: str = ""  # 宛名番号 of the person the certificate is about
    issued_from: date | None = None
    issued_until: date | None = None  # inclusive


def ledger(query: LedgerQuery) -> QuerySet[Certificate]:
    """The municipality's certificates, newest request first."""
    found = Certificate.objects.defer(*LEDGER_FIELDS_DEFERRED).select_related("person")
    if query.serial is not None:
        found = found.filter(serial=query.serial)
    if query.kind:
        found = found.filter(kind=query.kind)
    if query.status:
        found = found.filter(status=query.status)
    if query.person.strip():
        found = found.filter(person__number=normalize_digits(query.person))
    if query.issued_from:
        found = found.filter(requested_at__date__gte=query.issued_from)
    if query.issued_until:
        found = found.filter(requested_at__date__lte=query.issued_until)
    return found.order_by("-serial")


def pending() -> QuerySet[Certificate]:
    return ledger(LedgerQuery(status=Status.PENDING)).order_by("serial")


def certificate(certificate_id, *, with_pdf: bool = False) -> Certificate:
    """One certificate of the municipality in scope (a 404 otherwise)."""
    found = Certificate.objects.select_related("person", "requester_person")
    if not with_pdf:
        found = found.defer(*LEDGER_FIELDS_DEFERRED)
    found = found.filter(pk=certificate_id).first()
    if found is None:
        raise not_found()
    return found


@dataclass(frozen=True)
class PublicFacts:
    """What anyone holding a certificate may learn about it: never its personal content."""

    id: str
    kind: str
    kind_label: str
    municipality_code: str
    municipality_name: str
    serial: int
    issued_at: str
    sha256: str
    revoked: bool
    revoked_at: str | None


def _full_name(municipality) -> str:
    if municipality.is_prefecture:
        return municipality.display_name
    return f"{municipality.prefecture_name}{municipality.display_name}"


def public_facts(certificate_id) -> PublicFacts | None:
    """The facts of an issued (or revoked) certificate, looked up across municipalities."""
    with platform_scope("public certificate check"):
        found = (
            Certificate.objects.defer(*LEDGER_FIELDS_DEFERRED)
            .select_related("municipality")
            .filter(pk=certificate_id, status__in=[Status.ISSUED, Status.REVOKED])
            .first()
        )
    if found is None:
        return None
    return PublicFacts(
        id=str(found.id),
        kind=found.kind,
        kind_label=found.get_kind_display(),
        municipality_code=found.municipality_id,
        municipality_name=_full_name(found.municipality),
        serial=found.serial,
        issued_at=found.issued_at.isoformat(),
        sha256=found.sha256,
        revoked=found.status == Status.REVOKED,
        revoked_at=found.revoked_at.isoformat() if found.revoked_at else None,
    )
