"""The platform's Ed25519 signing key (audit checkpoints and other platform seals).

Production points ``JICHI_PLATFORM_KEY`` at a PEM file kept outside the
database (an HSM-backed file system or a secret mount). For development and
tests the key is created on first use, readable by its owner only.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)


def _path() -> Path:
    from django.conf import settings

    return Path(settings.JICHI_PLATFORM_KEY)


@cache
def private_key() -> Ed25519PrivateKey:
    path = _path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def key_id(key: Ed25519PublicKey | None = None) -> str:
    """First 16 hex digits of the SHA-256 of the raw public key."""
    raw = (key or public_key()).public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(message: bytes) -> str:
    return base64.b64encode(private_key().sign(message)).decode("ascii")


def verify(message: bytes, signature: str, key: Ed25519PublicKey | None = None) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        (key or public_key()).verify(base64.b64decode(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True
