"""Is a certificate one of ours? The CA's ledger, and RFC 5280 path validation to the root.

A certificate is looked up in the ledger by its SHA-256 (one indexed query;
its CA's and the root's certificates are kept per process, a CA never
changing once made); only a certificate the ledger does not know takes the
slow path that names what is wrong with it.
Path validation is ``cryptography.x509.verification`` (Rust): the CA
certificates under the Web PKI profile's rules, the end-entity certificate's
extensions left to the caller (a card certificate is no TLS client).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509 import verification as pathval
from django.db import connection

from jichi.identity.models import Authority, AuthorityName, IssuedCertificate


@dataclass(frozen=True)
class Anchors:
    """An intermediate CA and the root it hangs from, ready for path validation."""

    intermediate: x509.Certificate
    store: pathval.Store


@lru_cache(maxsize=16)
def _anchors(intermediate_der: bytes, root_der: bytes) -> Anchors:
    root = x509.load_der_x509_certificate(root_der)
    return Anchors(x509.load_der_x509_certificate(intermediate_der), pathval.Store([root]))


@dataclass(frozen=True)
class LedgerEntry:
    """What verification needs of a ledger record."""

    authority: str  # the CA's name
    anchors: Anchors | None  # its certificate and the root's (None for the root)
    serial: str
    revoked_at: datetime | None
    revocation_reason: str

    def is_revoked_at(self, moment: datetime) -> bool:
        return self.revoked_at is not None and self.revoked_at <= moment


def anchors_of(authority: Authority) -> Anchors | None:
    """The anchors of an intermediate CA (None for the root itself)."""
    if authority.parent is None:
        return None
    return _anchors(bytes(authority.certificate), bytes(authority.parent.certificate))


@lru_cache(maxsize=64)
def _authority(authority_id) -> tuple[str, Anchors | None]:
    """A CA's name and anchors by id: a CA row never changes once made, so once per process."""
    found = Authority.objects.select_related("parent").get(pk=authority_id)
    return found.name, anchors_of(found)


# The one query on every verification: one indexed row of a platform table (no tenant
# data, no row-level security), in SQL because the ORM would spend ten times longer
# building it than the database spends answering it.
_LEDGER_SQL = (
    "SELECT id, authority_id, serial, revoked_at, revocation_reason FROM {table} "
    "WHERE fingerprint = %s LIMIT 1"
)


def ledger_entry(certificate: x509.Certificate) -> LedgerEntry | None:
    """The ledger's record of this very certificate (by SHA-256), with its CA's anchors."""
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
    table = connection.ops.quote_name(IssuedCertificate._meta.db_table)
    found = list(IssuedCertificate.objects.raw(_LEDGER_SQL.format(table=table), [fingerprint]))
    if not found:
        return None
    record = found[0]
    name, anchors = _authority(record.authority_id)
    return LedgerEntry(name, anchors, record.serial, record.revoked_at, record.revocation_reason)


def chains(certificate: x509.Certificate, anchors: Anchors, moment: datetime) -> bool:
    """RFC 5280 path validation: certificate → intermediate → root, at ``moment``."""
    policy = (
        pathval.PolicyBuilder()
        .store(anchors.store)
        .time(moment)
        .extension_policies(
            ca_policy=pathval.ExtensionPolicy.webpki_defaults_ca(),
            ee_policy=pathval.ExtensionPolicy.permit_all(),
        )
    )
    try:
        policy.build_client_verifier().verify(certificate, [anchors.intermediate])
    except pathval.VerificationError:
        return False
    return True


def why_unknown(certificate: x509.Certificate, moment: datetime) -> str:
    """For a certificate not in the ledger: the finding code that says why it is refused.

    ``certificate.unknown`` when our signing CA did sign it (a record lost, or a
    key misused), ``certificate.not_signing`` when another of our CAs is its
    issuer, ``chain.untrusted`` otherwise.
    """
    authorities = {a.name: a for a in Authority.objects.select_related("parent")}
    signing = authorities.get(AuthorityName.SIGNING)
    anchors = anchors_of(signing) if signing else None
    if anchors and certificate.issuer == anchors.intermediate.subject:
        return "certificate.unknown" if chains(certificate, anchors, moment) else "chain.untrusted"
    for name, found in authorities.items():
        ours = x509.load_der_x509_certificate(bytes(found.certificate))
        if name != AuthorityName.SIGNING and certificate.issuer == ours.subject:
            other = anchors_of(found)
            if other and chains(certificate, other, moment):
                return "certificate.not_signing"
    return "chain.untrusted"
