"""Where a municipality is served: here, at a peer deployment, or nowhere known."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from jichi.common import platform_key
from jichi.common.errors import RuleViolation
from jichi.linkage.models import Peer
from jichi.tenancy.models import Municipality

LOCAL = "local"
TIMEOUT = httpx.Timeout(15.0, connect=5.0)


def route(code: str) -> str | Peer | None:
    """``LOCAL`` when this deployment serves ``code``, the peer that does, or None."""
    if Municipality.objects.filter(code=code, is_active=True).exists():
        return LOCAL
    for peer in Peer.objects.order_by("name"):
        if code in peer.municipalities:
            return peer
    return None


@dataclass(frozen=True)
class Answer:
    ok: bool
    status: int | None
    error: str

    @property
    def final(self) -> bool:
        """The other side refused the content: sending it again will not help."""
        return self.status is not None and 400 <= self.status < 500 and self.status != 429


def post(peer: Peer, path: str, envelope: dict, client: httpx.Client | None = None) -> Answer:
    url = peer.url.rstrip("/") + path
    try:
        if client is not None:
            response = client.post(url, json=envelope)
        else:
            with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as own:
                response = own.post(url, json=envelope)
    except httpx.HTTPError as exc:
        return Answer(False, None, type(exc).__name__)
    if response.status_code < 300:
        return Answer(True, response.status_code, "")
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = f"HTTP {response.status_code}"
    return Answer(False, response.status_code, code)


def load_key(pem: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError:
        key = None
    if not isinstance(key, Ed25519PublicKey):
        raise RuleViolation(
            "public_key.invalid",
            "Ed25519 の公開鍵（PEM）を指定してください。",
            "Give an Ed25519 public key in PEM.",
            "public_key",
        )
    return key


def add_peer(*, name: str, url: str, public_key: str, municipalities: list[str]) -> Peer:
    """Trust another deployment for the municipalities it hosts (platform operators)."""
    key_id = platform_key.key_id(load_key(public_key))
    if key_id == platform_key.key_id():
        raise RuleViolation(
            "public_key.own",
            "このシステム自身の鍵です。",
            "This is this deployment's own key.",
            "public_key",
        )
    peer, _ = Peer.objects.update_or_create(
        name=name,
        defaults={
            "url": url,
            "public_key": public_key.strip() + "\n",
            "key_id": key_id,
            "municipalities": sorted(set(municipalities)),
        },
    )
    return peer


def own_public_key() -> str:
    return (
        platform_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
