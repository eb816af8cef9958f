"""Public PKI files: the trust anchors and the CRLs (no login, cacheable)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from jichi.common.errors import RuleViolation
from jichi.identity.selectors import trust_anchors_pem
from jichi.identity.services.authorities import current_crl

CRL_MAX_AGE = 3600


@require_safe
def ca_pem(request):
    """The root and the intermediate CAs, PEM (what a relying party trusts)."""
    body = trust_anchors_pem()
    if not body:
        raise Http404("the PKI is not initialised (jichi pki init)")
    response = HttpResponse(body, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'inline; filename="ca.pem"'
    return response


@require_safe
def crl(request, name: str):
    """The current CRL of CA ``name`` (DER), remade after a revocation or near nextUpdate."""
    try:
        body = current_crl(name)
    except RuleViolation:
        raise Http404(f"no CA named {name}") from None
    response = HttpResponse(body, content_type="application/pkix-crl")
    response["Cache-Control"] = f"public, max-age={CRL_MAX_AGE}"
    return response
