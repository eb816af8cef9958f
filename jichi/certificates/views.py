"""Counter pages: request a certificate, the ledger, decisions; the public check."""

from __future__ import annotations

import hashlib
import uuid

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jichi.certificates import documents, selectors, services
from jichi.certificates.forms import FIELD_OF, RequestForm
from jichi.certificates.models import CertificateKind, Status
from jichi.common.errors import RuleViolation
from jichi.tenancy.pages import date_input, staff_page


def _certificate(certificate_id: str, *, with_pdf: bool = False):
    try:
        return selectors.certificate(uuid.UUID(certificate_id), with_pdf=with_pdf)
    except ValueError:
        raise Http404 from None


@staff_page("certificates:read")
def ledger(request, municipality):
    params = request.GET
    serial = params.get("serial", "").strip()
    query = selectors.LedgerQuery(
        serial=int(serial) if serial.isdigit() else None,
        kind=params.get("kind", ""),
        status=params.get("status", ""),
        person=params.get("person", ""),
        issued_from=date_input(params.get("issued_from")),
        issued_until=date_input(params.get("issued_until")),
    )
    rows = list(selectors.ledger(query)[:100])
    return render(
        request,
        "certificates/ledger.html",
        {
            "rows": rows,
            "query": query,
            "kinds": CertificateKind.choices,
            "statuses": Status.choices,
            "pending": selectors.pending().count(),
        },
    )


@staff_page("certificates:manage")
@require_http_methods(["GET", "POST"])
def settings(request, municipality):
    """What certificates print (the mayor) and cost: the municipal administrator's page."""
    profile = services.profile_of(municipality)
    error = None
    if request.method == "POST":
        fees = {}
        for kind in CertificateKind.values:
            raw = request.POST.get(f"fee_{kind}", "").strip()
            fees[kind] = int(raw) if raw.isdigit() else raw
        try:
            services.update_profile(
                municipality=municipality,
                actor=request.principal.actor,
                mayor_title=request.POST.get("mayor_title", ""),
                mayor_name=request.POST.get("mayor_name", ""),
                fees=fees,
            )
        except RuleViolation as exc:
            error = exc
        else:
            messages.success(request, _("The certificate settings are saved."))
            return HttpResponseRedirect(reverse("certificates:settings"))
    issuer = documents.issuer_of(municipality, profile)
    posted = request.POST if error else {}
    return render(
        request,
        "certificates/settings.html",
        {
            "mayor_title": posted.get("mayor_title", issuer.mayor_title),
            "mayor_name": posted.get("mayor_name", profile.mayor_name),
            "fees": [
                (
                    kind,
                    label,
                    posted.get(f"fee_{kind}", services.fee_for(municipality, kind)),
                )
                for kind, label in CertificateKind.choices
            ],
            "error": error.message(get_language()) if error else None,
            "error_field": error.field if error else "",
        },
        status=400 if error else 200,
    )


@staff_page("certificates:issue")
@require_http_methods(["GET", "POST"])
def new(request, municipality):
    form = RequestForm(request.POST or None, initial={"person": request.GET.get("person", "")})
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.request_certificate(
                municipality=municipality,
                actor=request.principal.actor,
                request=form.to_request(),
            )
        except RuleViolation as exc:
            for error in exc.errors or [exc]:
                field = FIELD_OF.get(error.field or "", error.field)
                form.add_error(
                    field if field in form.fields else None, error.message(get_language())
                )
        else:
            if certificate.status == Status.PENDING:
                messages.info(request, _("The request waits for approval by a second person."))
            return HttpResponseRedirect(reverse("certificates:detail", args=[certificate.id]))
    status = 400 if form.errors else 200
    return render(request, "certificates/new.html", {"form": form}, status=status)


@staff_page("certificates:read")
def detail(request, municipality, certificate_id: str):
    certificate = _certificate(certificate_id)
    principal = request.principal
    return render(
        request,
        "certificates/detail.html",
        {
            "certificate": certificate,
            "may_decide": principal.has_perm(municipality.code, "certificates:approve"),
            "may_revoke": principal.has_perm(municipality.code, "certificates:revoke"),
        },
    )


@staff_page("certificates:read")
def pdf(request, municipality, certificate_id: str):
    certificate = _certificate(certificate_id, with_pdf=True)
    if not certificate.pdf:
        raise Http404
    services.record_pdf_read(request.principal.actor, certificate)
    return documents.pdf_response(certificate)


def _decided(request, certificate, action):
    try:
        action()
    except RuleViolation as exc:
        messages.error(request, exc.message(get_language()))
    return HttpResponseRedirect(reverse("certificates:detail", args=[certificate.id]))


@staff_page("certificates:approve")
@require_POST
def decide(request, municipality, certificate_id: str):
    certificate = _certificate(certificate_id)
    note = request.POST.get("note", "")
    if request.POST.get("decision") == "approve":
        return _decided(
            request,
            certificate,
            lambda: services.approve_certificate(
                municipality=municipality,
                actor=request.principal.actor,
                certificate=certificate,
                note=note,
            ),
        )
    return _decided(
        request,
        certificate,
        lambda: services.refuse_certificate(
            actor=request.principal.actor, certificate=certificate, note=note
        ),
    )


@staff_page("certificates:revoke")
@require_POST
def revoke(request, municipality, certificate_id: str):
    certificate = _certificate(certificate_id)
    try:
        result = services.revoke_certificate(
            municipality=municipality,
            actor=request.principal.actor,
            certificate=certificate,
            reason=request.POST.get("reason", ""),
            reissue=request.POST.get("reissue") == "on",
        )
    except RuleViolation as exc:
        messages.error(request, exc.message(get_language()))
        result = certificate
    return HttpResponseRedirect(reverse("certificates:detail", args=[result.id]))


# --- public -----------------------------------------------------------------------


def _facts(certificate_id: str):
    try:
        return selectors.public_facts(uuid.UUID(certificate_id))
    except ValueError:
        return None


def verify(request, certificate_id: str):
    """The public check of a certificate (the QR code's link): facts, never personal content."""
    facts = _facts(certificate_id)
    matches = None
    if facts is not None and request.method == "POST" and request.FILES.get("pdf"):
        digest = hashlib.sha256()
        for chunk in request.FILES["pdf"].chunks():
            digest.update(chunk)
        matches = digest.hexdigest() == facts.sha256
    status = 200 if facts else 404
    return render(
        request, "certificates/verify.html", {"facts": facts, "matches": matches}, status=status
    )


def verify_json(request, certificate_id: str):
    facts = _facts(certificate_id)
    if facts is None:
        return JsonResponse(
            {
                "error": {
                    "code": "not_found",
                    "message": "No such certificate.",
                    "message_ja": "該当する証明書はありません。",
                }
            },
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    return JsonResponse(facts.__dict__, json_dumps_params={"ensure_ascii": False})


def verify_lookup(request):
    """The page to type a certificate's id (printed beside its QR code)."""
    certificate_id = (request.GET.get("id") or "").strip()
    if certificate_id:
        return HttpResponseRedirect(reverse("verify", args=[certificate_id]))
    return render(request, "certificates/verify.html", {"lookup": True})
