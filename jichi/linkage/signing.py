"""Webhook signatures after the Standard Webhooks specification (standardwebhooks.com).

Each request carries three headers:

- ``webhook-id``: the idempotency key of the message (the same on every retry);
- ``webhook-timestamp``: Unix seconds when it was sent;
- ``webhook-signature``: ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``;
  while a secret is being rotated, one signature per secret, space-separated.

The secret is ``whsec_`` and the base64 of 32 random bytes. Receivers verify
with any Standard Webhooks library or with :func:`verify` here; they refuse
a timestamp more than :data:`TOLERANCE` seconds away from their clock, which
stops an old captured request from being replayed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

SECRET_PREFIX = "whsec_"
TOLERANCE = 5 * 60


class SignatureError(ValueError):
    """The request was not signed with the secret, or not recently."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secrets_: list[str], message_id: str, body: bytes, now: float | None = None) -> dict:
    """The three headers of a message signed with each of ``secrets_``."""
    timestamp = int(now if now is not None else time.time())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, message_id, timestamp, body) for s in secrets_),
    }


def verify(secret: str, headers_: dict, body: bytes, now: float | None = None) -> None:
    """Raise :class:`SignatureError` unless ``body`` was signed with ``secret`` lately."""
    lower = {k.lower(): v for k, v in headers_.items()}
    try:
        message_id = lower["webhook-id"]
        timestamp = int(lower["webhook-timestamp"])
        given = lower["webhook-signature"].split()
    except (KeyError, ValueError):
        raise SignatureError("the webhook headers are missing or malformed") from None
    if abs((now if now is not None else time.time()) - timestamp) > TOLERANCE:
        raise SignatureError("the timestamp is too far from now")
    expected = signature(secret, message_id, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in given):
        raise SignatureError("no signature matches the secret")
