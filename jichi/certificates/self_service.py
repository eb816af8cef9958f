"""Self-service issuance (コンビニ交付-like): a resident logged in with their card.

A resident gets certificates about themselves or someone of their own
household today, and nothing else: the request names the requester as that
very person (``self`` or ``household``), and the issuance rules check the
household against the register. The list of choices is only a convenience.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from jichi.certificates import documents, services
from jichi.certificates.models import Certificate, CertificateKind, Channel, Status
from jichi.certificates.schemas import CertificateIn, OptionsIn, RequesterIn
from jichi.common.errors import RuleViolation
from jichi.identity.residents import resident_page
from jichi.registry import selectors

KINDS = [CertificateKind.RESIDENT_COPY, CertificateKind.ENTRY_CERTIFICATE]
CHOSEN_OPTIONS = ("head", "relationship", "domicile")


def _household(resident):
    me = selectors.person_on(selectors.person(resident.number))
    members = selectors.household_members(me.household) if me.household_id else [me]
    return me, members


def _request(resident, post) -> CertificateIn:
    if post.get("kind", "") not in KINDS:
        raise RuleViolation(
            "kind.not_self_service",
            "この証明書は自動交付では請求できません。窓口で請求してください。",
            "This certificate is not issued by self-service: request it at the counter.",
            "kind",
        )
    subject = post.get("person", "").strip() or resident.number
    own = subject == resident.number
    return CertificateIn(
        kind=post.get("kind", ""),
        person=subject,
        household=post.get("household") == "on",
        options=OptionsIn(**{name: post.get(name) == "on" for name in CHOSEN_OPTIONS}),
        requester=RequesterIn(
            category="self" if own else "household", person="" if own else resident.number
        ),
        purpose="自動交付（本人・同一世帯）",
    )


@resident_page
@require_http_methods(["GET", "POST"])
def home(request, municipality, resident):
    me, members = _household(resident)
    error, status = None, 200
    if request.method == "POST":
        try:
            request_in = _request(resident, request.POST)
            services.request_certificate(
                municipality=municipality,
                actor=resident.actor,
                request=request_in,
                channel=Channel.SELF_SERVICE,
            )
        except (RuleViolation, ValueError) as exc:
            error = exc.message(get_language()) if isinstance(exc, RuleViolation) else str(exc)
            status = getattr(exc, "status", 400)
        else:
            return HttpResponseRedirect(reverse("self-service:home"))
    mine = Certificate.objects.defer("pdf").filter(
        requester_person_id=resident.person_id, channel=Channel.SELF_SERVICE
    )
    return render(
        request,
        "certificates/self_service.html",
        {
            "me": me,
            "members": members,
            "kinds": [(k.value, k.label) for k in KINDS],
            "certificates": mine.order_by("-serial")[:20],
            "error": error,
        },
        status=status,
    )


@resident_page
def pdf(request, municipality, resident, certificate_id: str):
    try:
        certificate_id = uuid.UUID(certificate_id)
    except ValueError:
        raise Http404 from None
    certificate = Certificate.objects.filter(
        pk=certificate_id,
        requester_person_id=resident.person_id,
        channel=Channel.SELF_SERVICE,
        status=Status.ISSUED,
    ).first()
    if certificate is None:
        raise Http404
    services.record_pdf_read(resident.actor, certificate)
    return documents.pdf_response(certificate, download=True)
