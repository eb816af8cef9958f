"""The audit trail: an append-only hash chain per municipality.

Entry *n* stores the SHA-256 of entry *n−1* (``prev_hash``) and its own
hash over a canonical JSON of its content and that link
(:func:`jichi.audit.chain.entry_hash`). Editing, deleting, inserting or
reordering entries breaks the chain; ``jichi verify-audit`` finds the first
bad entry. Checkpoints of each chain's head, signed with the platform key,
let the verifier notice a truncated tail too.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jichi.tenancy.models import TenantModel


class Outcome(models.TextChoices):
    OK = "ok", _("ok")
    DENIED = "denied", _("denied")  # a refused attempt (access, certificate, ...)


class AuditEntry(TenantModel):
    seq = models.PositiveBigIntegerField()
    occurred_at = models.DateTimeField(default=timezone.now)
    actor_kind = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=200, blank=True)  # 利用目的 for reads of personal data
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OK)
    request_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)  # never personal data
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["municipality", "seq"], name="audit_entry_seq"),
        ]
        indexes = [
            models.Index(
                fields=["municipality", "object_type", "object_id"], name="audit_entry_object"
            ),
            models.Index(fields=["municipality", "occurred_at"], name="audit_entry_time"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}#{self.seq} {self.action}"


class AuditCheckpoint(TenantModel):
    """The chain's head at a moment, signed with the platform key (Ed25519)."""

    seq = models.PositiveBigIntegerField()
    entry_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=120)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["municipality", "seq"], name="audit_checkpoint_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}@{self.seq}"
