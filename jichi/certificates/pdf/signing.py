"""sign(pdf_bytes, signer) -> bytes: a PAdES baseline B-B signature with pyhanko.

Profile (``docs/certificates-pdf.md``):

- PAdES (``/SubFilter /ETSI.CAdES.detached``), SHA-256, the signing-certificate-v2
  attribute, the signer's chain embedded; the signing time is the ``/M`` entry of the
  signature dictionary (PAdES puts no signing-time attribute in the CMS).
- A **certification** signature (DocMDP, no changes permitted): a viewer reports any
  later change to the file as breaking the certification.
- **Invisible** field (``CertificateSignature``): what the reader sees is the printed
  seal, statement and QR code; the signature is checked in the viewer's signature
  panel or with :func:`jichi.certificates.pdf.validation.validate`.
- Baseline B-B only. B-T needs a time-stamp authority (RFC 3161), and this platform
  has none offline; with a TSA, pyhanko's ``timestamper`` argument adds B-T, and
  ``embed_validation_info`` with revocation data gives B-LT.

The signer is a plain object (:class:`Signer`: a ``cryptography`` private key, its
certificate, the chain up to the root). Its pyhanko counterpart is built once per
:class:`Signer` and kept on it: loading the key from DER for every signature
(pyhanko's ``SimpleSigner`` does) costs about 40 ms, the signature itself 1 ms.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko_certvalidator.registry import SimpleCertificateStore

from jichi.common import coroutines
from jichi.common.errors import RuleViolation

FIELD_NAME = "CertificateSignature"
_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


def to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    """A ``cryptography`` certificate as pyhanko's (asn1crypto) certificate."""
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class _KeySigner(signers.SimpleSigner):
    """pyhanko's SimpleSigner, signing with the already loaded ``cryptography`` key."""

    def __init__(self, key, **kwargs) -> None:
        super().__init__(**kwargs)
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        key = self._key
        if isinstance(key, rsa.RSAPrivateKey) and mechanism == "rsassa_pkcs1v15":
            return key.sign(data, padding.PKCS1v15(), _HASHES[digest_algorithm]())
        if isinstance(key, ec.EllipticCurvePrivateKey) and mechanism == "ecdsa":
            return key.sign(data, ec.ECDSA(_HASHES[digest_algorithm]()))
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return key.sign(data)
        return super().sign_raw(data, digest_algorithm)  # pragma: no cover - other keys


@dataclass(frozen=True, eq=False)
class Signer:
    """Who signs: a private key, its certificate, and the chain (intermediates, root)."""

    key: object  # a cryptography private key (RSA, EC or Ed25519)
    cert: x509.Certificate
    chain: Sequence[x509.Certificate] = field(default_factory=tuple)

    @cached_property
    def pdf_signer(self) -> signers.PdfSigner:
        """The pyhanko signer, made once (key, certificates and profile)."""
        key_info = asn1_keys.PrivateKeyInfo.load(
            self.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        signer = _KeySigner(
            self.key,
            signing_cert=to_asn1(self.cert),
            signing_key=key_info,
            cert_registry=SimpleCertificateStore.from_certs([to_asn1(c) for c in self.chain]),
        )
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.PADES,
            certify=True,
            docmdp_permissions=MDPPerm.NO_CHANGES,
        )
        return signers.PdfSigner(meta, signer=signer)

    @cached_property
    def bytes_reserved(self) -> int:
        """Room for the CMS object, in hex digits: the certificates, the attributes and
        the signature (so pyhanko needs no trial signature to size it)."""
        certs = [self.cert, *self.chain]
        der = sum(len(c.public_bytes(serialization.Encoding.DER)) for c in certs)
        return 2 * (der + 3072)


def sign(pdf_bytes: bytes, signer: Signer) -> bytes:
    """`pdf_bytes` with a PAdES B-B certification signature by `signer` appended.

    A file that is not a readable PDF is refused (``pdf.unreadable``, 400).
    """
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    except (PdfReadError, ValueError, IndexError, KeyError) as exc:
        raise unreadable() from exc
    output = io.BytesIO()
    coroutines.run(
        signer.pdf_signer.async_sign_pdf(
            writer, output=output, bytes_reserved=signer.bytes_reserved
        )
    )
    return output.getvalue()


def unreadable() -> RuleViolation:
    return RuleViolation(
        "pdf.unreadable",
        "PDFとして読み取れないファイルです。",
        "The file is not a readable PDF.",
        "pdf",
    )
