"""Writes of identity: one function per business action, each its own transaction.

- :mod:`.authorities` — the platform's CAs (``init_pki``) and their CRLs;
- :mod:`.cards` — issuing a card from the register, revoking certificates;
- :mod:`.documents` — each municipality's document signer (``document_signer``).
"""

from jichi.identity.services.authorities import current_crl, init_pki, publish_crl
from jichi.identity.services.cards import (
    IssuedCard,
    certificate_by_serial,
    issue_card,
    revoke_certificate,
    write_card,
)
from jichi.identity.services.documents import Signer, document_signer

__all__ = [
    "IssuedCard",
    "Signer",
    "certificate_by_serial",
    "current_crl",
    "document_signer",
    "init_pki",
    "issue_card",
    "publish_crl",
    "revoke_certificate",
    "write_card",
]
