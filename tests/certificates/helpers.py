"""Requests for certificates with sensible defaults, run through the services."""

from __future__ import annotations

import pytest

from jichi.certificates import services
from jichi.certificates.schemas import CertificateIn, OptionsIn, RequesterIn
from jichi.common.errors import RuleViolation
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.principals import Actor
from tests.factories import SYSTEM

SUPERVISOR = Actor("staff", "supervisor-1", "supervisor")


def ask(person, *, kind="resident_copy", requester=None, options=None, **extra) -> CertificateIn:
    return CertificateIn(
        kind=kind,
        person=person.number,
        options=OptionsIn(**(options or {})),
        requester=RequesterIn(**(requester or {"category": "self"})),
        purpose="各種手続への添付",
        **extra,
    )


def issue(municipality, request: CertificateIn, actor=SYSTEM, **kwargs):
    with tenant_scope(municipality.code):
        return services.request_certificate(
            municipality=municipality, actor=actor, request=request, **kwargs
        )


def refused(municipality, request: CertificateIn) -> RuleViolation:
    with tenant_scope(municipality.code), pytest.raises(RuleViolation) as caught:
        services.request_certificate(municipality=municipality, actor=SYSTEM, request=request)
    return caught.value
