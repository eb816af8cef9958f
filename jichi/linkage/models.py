"""The transactional outbox: every event a service publishes, in its own transaction.

An event is stored as a CloudEvents 1.0 envelope in the same transaction as
the change it announces, so a change is never without its event and an event
never without its change. Delivery (feeds, webhooks) reads this table.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from jichi.tenancy.models import TenantModel


class OutboxEvent(TenantModel):
    seq = models.PositiveBigIntegerField()  # order within the municipality
    type = models.CharField(max_length=100)  # e.g. jp.jichi.registry.person.registered
    subject = models.CharField(max_length=100, blank=True)  # e.g. person/<id>
    time = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["municipality", "seq"], name="outbox_event_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}#{self.seq} {self.type}"
