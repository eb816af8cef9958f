"""Effects: what approving an application does in another module.

Each procedure names one effect (``effect = "..."`` in its file). The hook runs
inside the approval's transaction and goes through the other module's
services only; if it refuses, the approval and everything the hook did roll
back, and the refusal is reported as ``effect.failed`` with the other
module's own error beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from jichi.certificates import services as certificate_services
from jichi.certificates.models import CertificateKind
from jichi.certificates.models import Channel as CertificateChannel
from jichi.certificates.schemas import CertificateIn, OptionsIn, RequesterIn
from jichi.common.errors import FieldError, RuleViolation
from jichi.procedures.models import Application, Channel
from jichi.registry import services as registry_services
from jichi.registry.schemas import DepartureIn
from jichi.tenancy.principals import Actor

Effect = Callable[[Application, Actor], dict]


def _none(application: Application, actor: Actor) -> dict:
    return {}


def _move_out(application: Application, actor: Actor) -> dict:
    """転出届 → 転出 recorded in the register (jichi.registry.services.record_move_out)."""
    answers = application.answers
    notice = DepartureIn(
        effective_on=date.fromisoformat(answers["move_out_date"]),
        notified_on=application.submitted_at.date() if application.submitted_at else None,
        persons=list(answers["movers"]),
        destination_address=answers["destination_address"],
        note=f"オンライン転出届 {application.id}",
    )
    movement = registry_services.record_move_out(
        municipality=application.municipality, actor=actor, notice=notice
    )
    return {"movement": str(movement.id)}


def _issue_certificate(application: Application, actor: Actor) -> dict:
    """住民票の写しの請求 → a certificate (jichi.certificates.services.request_certificate)."""
    answers = application.answers
    request = CertificateIn(
        kind=CertificateKind.RESIDENT_COPY,
        person=application.person.number,
        household=answers.get("scope") == "household",
        options=OptionsIn(
            domicile=bool(answers.get("include_domicile")),
            relationship=bool(answers.get("include_relationship", True)),
        ),
        requester=RequesterIn(category="self", person=application.person.number),
        purpose=answers["purpose"],
    )
    channel = (
        CertificateChannel.COUNTER
        if application.channel == Channel.COUNTER
        else CertificateChannel.API
    )
    certificate = certificate_services.request_certificate(
        municipality=application.municipality, actor=actor, request=request, channel=channel
    )
    return {"certificate": str(certificate.id), "certificate_status": certificate.status}


EFFECTS: dict[str, Effect] = {
    "none": _none,
    "registry.move_out": _move_out,
    "certificates.issue": _issue_certificate,
}


def run(name: str, application: Application, actor: Actor) -> dict:
    """Run the effect ``name``; a refusal becomes ``effect.failed`` (422) naming the cause."""
    try:
        return EFFECTS[name](application, actor)
    except RuleViolation as exc:
        cause = exc.errors or [FieldError(exc.code, exc.message_ja, exc.message_en, exc.field)]
        raise RuleViolation(
            "effect.failed",
            f"承認に伴う処理（{name}）ができませんでした: {exc.message_ja}",
            f"The approval's effect ({name}) failed: {exc.message_en}",
            status=422,
            errors=[FieldError("effect.failed", exc.message_ja, exc.message_en, "effect"), *cause],
        ) from exc
