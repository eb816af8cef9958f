"""Certificate actions: request (issue at once or hold for approval), approve, refuse, revoke.

Each action is one transaction with its audit entry and events. A refused
request changes nothing but is still audited: its entry is written after the
request's own transaction has rolled back.
"""

from __future__ import annotations

import hashlib

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from jichi.audit.models import Outcome
from jichi.audit.services import record as audit
from jichi.certificates import documents
from jichi.certificates.models import (
    DEFAULT_FEES,
    Certificate,
    CertificateKind,
    Channel,
    IssuerProfile,
    Status,
)
from jichi.certificates.rules import Assessment, assess, refuse
from jichi.certificates.schemas import CertificateIn, OptionsIn, RequesterIn
from jichi.common.errors import RuleViolation
from jichi.linkage import outbox
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

_LOCK_CLASS = 7_316_005  # per-municipality lock for the 交付番号


def profile_of(municipality: Municipality) -> IssuerProfile:
    """The municipality's issuing profile (created with the defaults on first use)."""
    found = IssuerProfile.objects.filter(municipality=municipality).first()
    return found or IssuerProfile(municipality=municipality)


def ready_to_issue(profile: IssuerProfile) -> None:
    """A certificate names the head of the municipality: refused until it is set."""
    if not profile.mayor_name.strip():
        raise refuse(
            "profile.mayor_name_missing",
            "証明書に記載する首長の氏名が設定されていません。管理者が「証明書の設定」で"
            "登録するまで交付できません。",
            "The name of the head of the municipality printed on certificates is not set: "
            "an administrator must set it in the certificate settings first.",
            "mayor_name",
            409,
        )


def fee_for(municipality: Municipality, kind: str) -> int:
    fees = profile_of(municipality).fees or {}
    return int(fees.get(kind, DEFAULT_FEES[kind]))


@transaction.atomic
def update_profile(
    *, municipality: Municipality, actor: Actor, mayor_title: str, mayor_name: str, fees: dict
) -> IssuerProfile:
    """Set the mayor's title and name printed on certificates and the fee of each kind."""
    if len(mayor_title.strip()) > 60:  # empty: the municipality's own (横浜市長)
        raise refuse(
            "mayor_title.length",
            "首長の職名は60文字以内で入力してください。",
            "The title of the head of the municipality is 60 characters at most.",
            "mayor_title",
            400,
        )
    if not mayor_name.strip() or len(mayor_name.strip()) > 60:
        raise refuse(
            "mayor_name.required",
            "証明書に記載する首長の氏名を60文字以内で入力してください。",
            "Enter the name of the head of the municipality printed on certificates "
            "(60 characters at most).",
            "mayor_name",
            400,
        )
    for kind, yen in fees.items():
        if kind not in CertificateKind.values:
            raise refuse(
                "fees.kind.invalid",
                f"証明書の種類「{kind}」はありません。",
                f"There is no certificate kind {kind!r}.",
                f"fees.{kind}",
                400,
            )
        if not isinstance(yen, int) or isinstance(yen, bool) or not 0 <= yen <= 100_000:
            raise refuse(
                "fees.amount.invalid",
                "手数料は0円から100,000円までの整数で入力してください。",
                "A fee is a whole number of yen from 0 to 100,000.",
                f"fees.{kind}",
                400,
            )
    profile = profile_of(municipality)
    profile.mayor_title, profile.mayor_name = mayor_title.strip(), mayor_name.strip()
    profile.fees, profile.updated_at = dict(fees), timezone.now()
    profile.save()
    audit(
        actor,
        "certificates.profile.updated",
        object_type="issuer_profile",
        details={"fees": profile.fees},
    )
    return profile


# --- request ----------------------------------------------------------------------


def request_certificate(
    *,
    municipality: Municipality,
    actor: Actor,
    request: CertificateIn,
    channel: Channel = Channel.COUNTER,
) -> Certificate:
    """A request for a certificate: issued at once, or held until a second person approves.

    Third-party requests and any certificate about a person under 支援措置 wait
    for approval; a listed offender is refused outright.
    """
    try:
        with transaction.atomic():
            return _request(municipality, actor, request, channel)
    except RuleViolation as exc:
        _audit_refusal(actor, request, exc)
        raise


def _request(
    municipality: Municipality, actor: Actor, request: CertificateIn, channel: Channel
) -> Certificate:
    ready_to_issue(profile_of(municipality))
    assessment = assess(request, channel=channel)
    requester = request.requester
    certificate = Certificate.objects.create(
        municipality=municipality,
        serial=_next_serial(municipality),
        kind=assessment.kind,
        person=assessment.person,
        household=assessment.household,
        as_of=assessment.as_of,
        options=assessment.options,
        purpose=request.purpose.strip(),
        requester_category=requester.category,
        requester_person=assessment.requester_person,
        requester_name=requester.name.strip(),
        requester_address=requester.address.strip(),
        power_of_attorney=requester.power_of_attorney.strip(),
        third_party_reason=requester.reason.strip(),
        channel=channel,
        fee=fee_for(municipality, assessment.kind),
        status=Status.PENDING if assessment.approval_reasons else Status.ISSUED,
        approval_reasons=assessment.approval_reasons,
        requested_by=actor.id[:64],
    )
    if assessment.approval_reasons:
        _audit(actor, "certificates.requested", certificate, request.purpose)
        return certificate
    return _issue(municipality, actor, certificate, assessment)


def _next_serial(municipality: Municipality) -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, int(municipality.code)]
            )
    last = Certificate.objects.filter(municipality=municipality).aggregate(m=Max("serial"))["m"]
    return (last or 0) + 1


def _issue(
    municipality: Municipality, actor: Actor, certificate: Certificate, assessment: Assessment
) -> Certificate:
    now = timezone.now()
    certificate.issued_at = now
    pdf = documents.signed_pdf(municipality, profile_of(municipality), certificate, assessment)
    certificate.pdf, certificate.sha256 = pdf, hashlib.sha256(pdf).hexdigest()
    certificate.status = Status.ISSUED
    certificate.save()
    _audit(actor, "certificates.issued", certificate, certificate.purpose)
    outbox.publish(
        "certificate.issued",
        {"id": str(certificate.id), "kind": certificate.kind, "serial": certificate.serial},
        subject=str(certificate.id),
    )
    return certificate


# --- decisions --------------------------------------------------------------------


def _pending(certificate: Certificate, actor: Actor) -> None:
    if certificate.status != Status.PENDING:
        raise refuse(
            "certificate.not_pending",
            "この請求は承認待ちではありません。",
            "This request is not waiting for approval.",
            "status",
        )
    if certificate.requested_by == actor.id[:64]:
        raise refuse(
            "approval.same_person",
            "請求を受け付けた職員とは別の職員が承認してください。",
            "Another member of staff than the one who took the request must decide it.",
            "status",
            403,
        )


@transaction.atomic
def approve_certificate(
    *, municipality: Municipality, actor: Actor, certificate: Certificate, note: str = ""
) -> Certificate:
    """Approve a held request and issue it, checked again against today's register."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    _pending(certificate, actor)
    assessment = assess(request_of(certificate), channel=Channel(certificate.channel))
    certificate.decided_at, certificate.decided_by = timezone.now(), actor.id[:64]
    certificate.decision_note = note.strip()[:500]
    _audit(actor, "certificates.approved", certificate, certificate.purpose)
    return _issue(municipality, actor, certificate, assessment)


@transaction.atomic
def refuse_certificate(*, actor: Actor, certificate: Certificate, note: str) -> Certificate:
    """Refuse a held request (不交付決定), with the reason told to the requester."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    _pending(certificate, actor)
    _require_note(note, "note")
    certificate.status = Status.REFUSED
    certificate.decided_at, certificate.decided_by = timezone.now(), actor.id[:64]
    certificate.decision_note = note.strip()[:500]
    certificate.save()
    _audit(actor, "certificates.refused", certificate, certificate.purpose, Outcome.DENIED)
    return certificate


@transaction.atomic
def revoke_certificate(
    *,
    municipality: Municipality,
    actor: Actor,
    certificate: Certificate,
    reason: str,
    reissue: bool = False,
) -> Certificate:
    """Revoke an issued certificate (e.g. issued with an error); optionally issue it again.

    Returns the new certificate when reissued, the revoked one otherwise. The
    public check of the revoked one says so from now on.
    """
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != Status.ISSUED:
        raise refuse(
            "certificate.not_issued",
            "交付済の証明書だけ取り消せます。",
            "Only an issued certificate can be revoked.",
            "status",
        )
    _require_note(reason, "reason")
    certificate.status, certificate.revoked_at = Status.REVOKED, timezone.now()
    certificate.revoke_reason = reason.strip()[:500]
    certificate.save()
    _audit(actor, "certificates.revoked", certificate, certificate.purpose)
    outbox.publish(
        "certificate.revoked",
        {"id": str(certificate.id), "kind": certificate.kind, "serial": certificate.serial},
        subject=str(certificate.id),
    )
    if not reissue:
        return certificate
    request = request_of(certificate)
    assessment = assess(request, channel=Channel(certificate.channel))
    again = Certificate.objects.create(
        **{
            f.attname: getattr(certificate, f.attname)
            for f in Certificate._meta.concrete_fields
            if f.attname in _COPIED
        },
        municipality=municipality,
        serial=_next_serial(municipality),
        status=Status.ISSUED,
        replaces=certificate,
        requested_by=actor.id[:64],
    )
    return _issue(municipality, actor, again, assessment)


_COPIED = {
    "kind",
    "person_id",
    "household_id",
    "as_of",
    "options",
    "purpose",
    "requester_category",
    "requester_person_id",
    "requester_name",
    "requester_address",
    "power_of_attorney",
    "third_party_reason",
    "channel",
    "fee",
    "approval_reasons",
    "decided_at",
    "decided_by",
    "decision_note",
}


def request_of(certificate: Certificate) -> CertificateIn:
    """The request a ledger entry was made from (to check it again)."""
    requester_number = certificate.requester_person.number if certificate.requester_person else ""
    return CertificateIn(
        kind=certificate.kind,
        person=certificate.person.number,
        household=certificate.household_id is not None,
        as_of=certificate.as_of if certificate.kind == CertificateKind.ENTRY_CERTIFICATE else None,
        options=OptionsIn(**certificate.options),
        requester=RequesterIn(
            category=certificate.requester_category,
            person=requester_number,
            name=certificate.requester_name,
            address=certificate.requester_address,
            power_of_attorney=certificate.power_of_attorney,
            reason=certificate.third_party_reason,
        ),
        purpose=certificate.purpose,
    )


# --- audit ------------------------------------------------------------------------


def record_pdf_read(actor: Actor, certificate: Certificate) -> None:
    """A download of a certificate's PDF: its personal content is read."""
    audit(
        actor,
        "certificate.read",
        object_type="certificate",
        object_id=str(certificate.id),
        purpose="交付済証明書の閲覧",
        details={"serial": certificate.serial, "kind": certificate.kind},
    )


def _require_note(text: str, field: str) -> None:
    if len(text.strip()) < 2:
        raise refuse(
            f"{field}.required",
            "理由を入力してください。",
            "State the reason.",
            field,
            400,
        )


def _audit(
    actor: Actor, action: str, certificate: Certificate, purpose: str, outcome=Outcome.OK
) -> None:
    audit(
        actor,
        action,
        object_type="certificate",
        object_id=str(certificate.id),
        purpose=purpose[:200],
        outcome=outcome,
        details={
            "serial": certificate.serial,
            "kind": certificate.kind,
            "requester": certificate.requester_category,
            "household": certificate.household_id is not None,
            "status": certificate.status,
            "approval": list(certificate.approval_reasons),
        },
    )


def _audit_refusal(actor: Actor, request: CertificateIn, exc: RuleViolation) -> None:
    with transaction.atomic():
        audit(
            actor,
            "certificates.refused",
            object_type="certificate_request",
            purpose=request.purpose[:200],
            outcome=Outcome.DENIED,
            details={
                "code": exc.code,
                "kind": str(request.kind),
                "requester": str(request.requester.category),
            },
        )
