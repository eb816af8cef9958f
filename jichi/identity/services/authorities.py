"""The platform's certification authorities: made once, their keys sealed, their CRLs.

Layout (shaped like JPKI, see ``docs/identity.md``)::

    root  ─┬─ signing         署名用: the signing certificates of cards
           ├─ authentication  利用者証明用: the authentication certificates of cards
           └─ document        文書署名用: each municipality's document-signing certificate

:func:`init_pki` makes what is missing and leaves the rest (idempotent). Each
CA's private key is stored sealed with the data key (context
``pki_ca:<name>``), never in clear.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from jichi.common.errors import RuleViolation
from jichi.identity import x509build
from jichi.identity.models import Authority, AuthorityName, IssuedCertificate

logger = logging.getLogger("jichi.identity")

ROOT_DAYS = 20 * 365
INTERMEDIATE_DAYS = 10 * 365
CRL_HOURS = 24  # nextUpdate: a CRL is good for a day (JPKI publishes at least daily)
CRL_REFRESH_MARGIN = timedelta(hours=1)  # remade on request when this close to nextUpdate


@dataclass(frozen=True)
class _Spec:
    common_name: str
    unit: str
    parent: str | None


SPECS: dict[str, _Spec] = {
    AuthorityName.ROOT: _Spec("Jichi Root CA", "ルート認証局", None),
    AuthorityName.SIGNING: _Spec("Jichi Signing Card CA", "署名用認証局", AuthorityName.ROOT),
    AuthorityName.AUTHENTICATION: _Spec(
        "Jichi Authentication Card CA", "利用者証明用認証局", AuthorityName.ROOT
    ),
    AuthorityName.DOCUMENT: _Spec(
        "Jichi Municipality Document CA", "文書署名用認証局", AuthorityName.ROOT
    ),
}


def crl_url(name: str) -> str:
    """Where the CRL of CA ``name`` is published (``JICHI_PUBLIC_URL`` + ``/pki/crl/…``)."""
    base = getattr(settings, "JICHI_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}/pki/crl/{name}.crl"


def key_context(name: str) -> str:
    return f"pki_ca:{name}"


@lru_cache(maxsize=64)
def _parse(der: bytes) -> x509.Certificate:
    return x509.load_der_x509_certificate(der)


def certificate_of(authority: Authority) -> x509.Certificate:
    return _parse(bytes(authority.certificate))


def key_of(authority: Authority) -> rsa.RSAPrivateKey:
    return x509build.open_key(bytes(authority.sealed_key), key_context(authority.name))


# --- making the CAs ------------------------------------------------------------------


def init_pki(*, valid_from: datetime | None = None) -> dict[str, Authority]:
    """The four CAs, made where missing (safe to run again, and from two processes).

    New CAs are valid from ``valid_from`` (default five minutes ago, for clocks
    slightly behind).
    """
    authorities = {a.name: a for a in Authority.objects.select_related("parent")}
    start = (valid_from or timezone.now() - timedelta(minutes=5)).replace(microsecond=0)
    for name, spec in SPECS.items():
        if name not in authorities:
            parent = authorities[spec.parent] if spec.parent else None
            authorities[name] = _create(name, spec, parent, start)
    return authorities


def _create(name: str, spec: _Spec, parent: Authority | None, start: datetime) -> Authority:
    key = x509build.new_key()
    days = INTERMEDIATE_DAYS if parent else ROOT_DAYS
    certificate = x509build.ca_certificate(
        subject=x509build.name(spec.common_name, unit=spec.unit),
        key=key,
        issuer=certificate_of(parent) if parent else None,
        issuer_key=key_of(parent) if parent else key,
        not_before=start,
        not_after=start + timedelta(days=days),
        path_length=0 if parent else 1,
        crl_url=crl_url(parent.name) if parent else "",
    )
    try:
        with transaction.atomic():
            return Authority.objects.create(
                name=name,
                parent=parent,
                certificate=x509build.der(certificate),
                sealed_key=x509build.seal_key(key, key_context(name)),
            )
    except IntegrityError:  # another process made it first: use theirs
        return Authority.objects.get(name=name)


def authority(name: str) -> Authority:
    """The CA ``name``, made with the others on first use."""
    found = Authority.objects.filter(name=name).first()
    return found if found is not None else init_pki()[name]


def chain_to_root(found: Authority) -> list[x509.Certificate]:
    """``found``'s certificate and its parents' up to the root, in that order."""
    chain = []
    current: Authority | None = found
    while current is not None:
        chain.append(certificate_of(current))
        current = current.parent
    return chain


# --- CRLs ------------------------------------------------------------------------------


def publish_crl(name: str, *, now: datetime | None = None) -> bytes:
    """Make a new CRL for CA ``name`` (the next CRL number) and keep it; returns its DER."""
    now = (now or timezone.now()).replace(microsecond=0)
    with transaction.atomic():
        found = Authority.objects.select_for_update().filter(name=name).first()
        if found is None:
            raise unknown_authority(name)
        revoked = IssuedCertificate.objects.filter(
            authority=found, revoked_at__isnull=False
        ).values_list("serial", "revoked_at", "revocation_reason")
        number = found.crl_number + 1
        next_update = now + timedelta(hours=CRL_HOURS)
        made = x509build.crl(
            issuer=certificate_of(found),
            issuer_key=key_of(found),
            revoked=[(int(serial, 16), at, reason) for serial, at, reason in revoked],
            number=number,
            this_update=now,
            next_update=next_update,
        )
        found.crl = made.public_bytes(serialization.Encoding.DER)
        found.crl_number = number
        found.crl_next_update = next_update
        found.crl_stale = False
        found.save(update_fields=["crl", "crl_number", "crl_next_update", "crl_stale"])
    return bytes(found.crl)


def current_crl(name: str) -> bytes:
    """The CRL of CA ``name``: the kept one, or a new one after a revocation or near nextUpdate."""
    found = Authority.objects.filter(name=name).first()
    if found is None:
        raise unknown_authority(name)
    fresh = (
        found.crl is not None
        and not found.crl_stale
        and found.crl_next_update - CRL_REFRESH_MARGIN > timezone.now()
    )
    return bytes(found.crl) if fresh else publish_crl(name)


def mark_crl_stale(authority_id) -> None:
    """A certificate of the CA was revoked: its CRL is remade after the commit (or on request).

    Only the first revocation since the last CRL schedules the remake, so a
    movement of a whole household makes one CRL, not one per person.
    """
    if Authority.objects.filter(pk=authority_id, crl_stale=False).update(crl_stale=True):
        name = Authority.objects.filter(pk=authority_id).values_list("name", flat=True).get()
        transaction.on_commit(lambda: publish_crl(name), robust=True)


def unknown_authority(name: str) -> RuleViolation:
    return RuleViolation(
        "authority.unknown",
        f"認証局「{name}」はありません。",
        f"There is no certification authority {name!r}.",
        "ca",
        status=404,
    )
