"""Encryption at rest for 個人番号 (and later other secrets), searchable by a keyed hash.

What it protects against
    A copy of the database (a dump, a backup tape, a replica, a support
    extract) WITHOUT the data key reveals nothing of the sealed values: each is
    AES-256-GCM ciphertext under a key that never lives in the database.
    Someone who also holds the key (the running application, or whoever can
    read its key file or environment) reads everything; this module does not
    defend against a compromised application server.

Why the search index is keyed
    Equality search ("who has this 個人番号?") cannot use the ciphertext,
    which is different every time, so a *blind index* is stored beside it: an
    HMAC-SHA256 of the value under a second key derived from the same master.
    A plain (unkeyed) hash would be useless here: a 個人番号 is 11 free digits
    plus a check digit, only 10^11 candidates, which an ordinary computer
    hashes through in hours, so every unkeyed hash in a dump would give its
    number back. The HMAC index withstands that dictionary attack only for as
    long as the key stays secret; with the key, the same enumeration works.
    The index also shows which rows hold the same value in the same context
    (that is what makes it searchable) — nothing more.

Contexts
    Every value is sealed for a *context* such as ``"my_number:141003"``
    (kind of value and municipality). The context is the AEAD associated data,
    so a ciphertext copied to another municipality or another column fails to
    decrypt, and it is hashed into the blind index, so the same number gives
    unrelated indexes in two municipalities (no cross-tenant matching).

Keys
    One 32-byte master key, base64 in the file named by ``JICHI_DATA_KEY``, or
    in ``JICHI_DATA_KEY_B64`` itself (containers; wins when set). HKDF-SHA256
    derives the encryption key and the index key from it with distinct
    ``info`` labels. In development and tests (``DEBUG`` or ``TESTING``) a
    missing key file is created, readable by its owner only; in production a
    missing key is an error, never a fresh key, because data sealed under a
    key nobody kept is lost.

Format of a sealed value (``bytes``)
    ``01`` (version) | key id (4 bytes) | nonce (12 random bytes) | ciphertext
    and 16-byte tag. The key id is the first 4 bytes of a SHA-256 of the master
    key, so values sealed under another (older) key are recognised as such
    rather than reported as tampered, and re-encryption after a rotation can
    find them. The version byte and key id are authenticated with the context.
    Changing the labels or the format makes stored data unreadable: add a new
    version instead.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.signals import setting_changed

from jichi.common.checkdigits import (
    normalize_digits,
    validate_local_government_code,
    validate_my_number,
)

VERSION = 1
KEY_BYTES = 32
KEY_ID_BYTES = 4
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER_BYTES = 1 + KEY_ID_BYTES

ENCRYPTION_INFO = b"jichi/data/aes-256-gcm/v1"
BLIND_INDEX_INFO = b"jichi/data/blind-index/hmac-sha256/v1"
_KEY_ID_PREFIX = b"jichi/data/key-id/v1\x00"

# What a role that may not see 個人番号 is shown: a fixed mask, never a part.
MY_NUMBER_MASK = "************"


class SecretError(Exception):
    """A value could not be sealed or opened, or the data key is unusable.

    Messages never contain the value or the key.
    """


@dataclass(frozen=True)
class _Keys:
    aead: AESGCM = field(repr=False)
    index_key: bytes = field(repr=False)
    key_id: bytes


# --- the master key --------------------------------------------------------------------


def _decode_key(text: str | bytes, source: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SecretError(f"{source} is not valid base64.") from None
    if len(raw) != KEY_BYTES:
        raise SecretError(
            f"{source} must hold {KEY_BYTES} bytes in base64 (it holds {len(raw)}); "
            f'make one with: python -c "import base64, os; '
            f'print(base64.b64encode(os.urandom({KEY_BYTES})).decode())"'
        )
    return raw


def _create_key_file(path: Path) -> None:
    """Write a new random key to `path` (0600), atomically: never a half-written file."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(name)  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(base64.b64encode(os.urandom(KEY_BYTES)) + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)  # fails if another process made the key first: use theirs
        except FileExistsError:
            pass
    finally:
        temp.unlink(missing_ok=True)


def _master_key() -> bytes:
    from django.conf import settings

    b64 = getattr(settings, "JICHI_DATA_KEY_B64", None)
    if b64 is not None:
        if not b64.strip():
            raise SecretError("JICHI_DATA_KEY_B64 is set but empty.")
        return _decode_key(b64, "JICHI_DATA_KEY_B64")

    path = Path(settings.JICHI_DATA_KEY)
    if not path.exists():
        if not (settings.DEBUG or getattr(settings, "TESTING", False)):
            raise SecretError(
                f"The data key file {path} (JICHI_DATA_KEY) does not exist. Restore it, or "
                "set JICHI_DATA_KEY_B64; a new key would not open the data already stored."
            )
        _create_key_file(path)
    return _decode_key(path.read_bytes(), f"The data key file {path}")


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(master)


@cache
def _keys() -> _Keys:
    master = _master_key()
    return _Keys(
        aead=AESGCM(_derive(master, ENCRYPTION_INFO)),
        index_key=_derive(master, BLIND_INDEX_INFO),
        key_id=hashlib.sha256(_KEY_ID_PREFIX + master).digest()[:KEY_ID_BYTES],
    )


def reset() -> None:
    """Forget the cached keys (tests; after the key settings change)."""
    _keys.cache_clear()


def _on_setting_changed(*, setting: str, **kwargs) -> None:
    if setting in {"JICHI_DATA_KEY", "JICHI_DATA_KEY_B64", "DEBUG", "TESTING"}:
        reset()


setting_changed.connect(_on_setting_changed, dispatch_uid="jichi.common.secrets.reset")


def key_id() -> str:
    """The current master key's id, 8 hex digits (what new values carry)."""
    return _keys().key_id.hex()


def blob_key_id(blob: bytes | bytearray | memoryview) -> str:
    """The id of the key a sealed value was made with (to find values to re-encrypt)."""
    blob = bytes(blob)
    if len(blob) < HEADER_BYTES:
        raise SecretError("Not an encrypted value (too short).")
    return blob[1:HEADER_BYTES].hex()


# --- sealing any value ------------------------------------------------------------------


def _context_bytes(context: str) -> bytes:
    if not isinstance(context, str) or not context:
        raise ValueError("context must be a non-empty string")
    if "\x00" in context:
        raise ValueError("context must not contain NUL")
    return context.encode("utf-8")


def encrypt(plaintext: str, *, context: str) -> bytes:
    """AES-256-GCM under the data key; `context` must be given again to decrypt."""
    if not isinstance(plaintext, str):
        raise TypeError("plaintext must be a str")
    aad_context = _context_bytes(context)
    keys = _keys()
    header = bytes([VERSION]) + keys.key_id
    nonce = os.urandom(NONCE_BYTES)
    sealed = keys.aead.encrypt(nonce, plaintext.encode("utf-8"), header + aad_context)
    return header + nonce + sealed


def decrypt(blob: bytes | bytearray | memoryview, *, context: str) -> str:
    """The plaintext of `blob`; :class:`SecretError` if the key, context or bytes differ.

    Accepts ``memoryview`` (what PostgreSQL gives back for a ``BinaryField``).
    """
    aad_context = _context_bytes(context)
    blob = bytes(blob)
    if len(blob) < HEADER_BYTES + NONCE_BYTES + TAG_BYTES:
        raise SecretError("Not an encrypted value (too short).")
    if blob[0] != VERSION:
        raise SecretError(f"Unknown encrypted value format (version {blob[0]}).")
    keys = _keys()
    header = blob[:HEADER_BYTES]
    if header[1:] != keys.key_id:
        raise SecretError(
            f"The value was encrypted under another data key (key id {header[1:].hex()}, "
            f"current {keys.key_id.hex()})."
        )
    nonce = blob[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES]
    try:
        plaintext = keys.aead.decrypt(
            nonce, blob[HEADER_BYTES + NONCE_BYTES :], header + aad_context
        )
    except InvalidTag:
        raise SecretError(
            "The value could not be decrypted: it was altered, or it belongs to another "
            "context (municipality or column)."
        ) from None
    return plaintext.decode("utf-8")


def blind_index(value: str, *, context: str) -> str:
    """Hex HMAC-SHA256 of ``context + NUL + value`` under the index key (64 hex digits).

    The same value in the same context always gives the same index; another
    context gives an unrelated one. Callers normalise `value` first.
    """
    if not isinstance(value, str):
        raise TypeError("value must be a str")
    message = _context_bytes(context) + b"\x00" + value.encode("utf-8")
    return hmac.new(_keys().index_key, message, hashlib.sha256).hexdigest()


# --- 個人番号 (My Number) ---------------------------------------------------------------


def my_number_context(municipality_code: str) -> str:
    """``"my_number:141003"``: a valid 団体コード, or RuleViolation on ``municipality_code``."""
    return f"my_number:{validate_local_government_code(municipality_code)}"


def _canonical_my_number(number: str) -> str:
    """12 ASCII digits, or the RuleViolation of :func:`validate_my_number` (field ``my_number``).

    Full-width digits, hyphens and spaces are forgiven, so every way of writing
    one number seals and indexes the same.
    """
    if isinstance(number, str):
        number = normalize_digits(number)
    return validate_my_number(number)


def seal_my_number(number: str, municipality_code: str) -> tuple[bytes, str]:
    """(ciphertext, blind index) of a 個人番号 held by `municipality_code`."""
    canonical = _canonical_my_number(number)
    context = my_number_context(municipality_code)
    return encrypt(canonical, context=context), blind_index(canonical, context=context)


def open_my_number(blob: bytes | bytearray | memoryview, municipality_code: str) -> str:
    """The 個人番号 sealed by :func:`seal_my_number` for `municipality_code`."""
    return decrypt(blob, context=my_number_context(municipality_code))


def my_number_index(number: str, municipality_code: str) -> str:
    """The blind index to search for `number` (any written form) in one municipality."""
    return blind_index(_canonical_my_number(number), context=my_number_context(municipality_code))


def mask_my_number(number: str | None) -> str:
    """What a role that may not see 個人番号 is shown: ``"************"``, or ``""`` if none.

    Deliberately no "last 4 digits": 番号法 protects the number as a whole, and a
    role outside 個人番号利用事務 has no use for any part of it, while a part
    still narrows the number down (the last four are three free digits and the
    check digit, which together leave about 10^7 of the 10^11 candidates, fewer
    still beside the other identifiers on the same screen). The mask has a fixed length, so
    it tells only that a number is on record.
    """
    return MY_NUMBER_MASK if number else ""
