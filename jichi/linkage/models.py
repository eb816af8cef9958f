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


class SubscriptionState(models.TextChoices):
    ACTIVE = "active", "配信中"
    PAUSED = "paused", "停止中"  # by an administrator
    SUSPENDED = "suspended", "配信不能"  # the receiver failed for longer than the retry window


class Subscription(TenantModel):
    """A system's webhook: the events it wants, where they go, how far they have gone.

    ``cursor`` is the last sequence number the receiver acknowledged; delivery
    reads the outbox after it, so the outbox stays the durable record and
    nothing depends on a queue message surviving. One worker at a time holds
    the lease (``lease_owner`` until ``leased_until``), which keeps the order.
    """

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret_sealed = models.BinaryField()  # the signing secret, sealed (common.secrets)
    # After a rotation the old secret signs too, until then, so receivers can switch.
    previous_secret_sealed = models.BinaryField(null=True, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    types = models.JSONField(default=list, blank=True)  # patterns; [] means every type
    batch_size = models.PositiveSmallIntegerField(default=100)
    state = models.CharField(
        max_length=10, choices=SubscriptionState.choices, default=SubscriptionState.ACTIVE
    )
    cursor = models.PositiveBigIntegerField(default=0)
    # Deliver one event a request up to this sequence number (a rejected batch is split
    # so the rejected event is found and set aside alone).
    isolate_through = models.PositiveBigIntegerField(default=0)
    # A failed batch is sent again as it was (same events, same webhook-id) up to here.
    retry_through = models.PositiveBigIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)  # consecutive failed attempts
    failing_since = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    delivered = models.PositiveBigIntegerField(default=0)
    dead_lettered = models.PositiveBigIntegerField(default=0)
    wake = models.BooleanField(default=False)  # a delivery task is queued
    lease_owner = models.CharField(max_length=36, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["municipality", "name"], name="subscription_name"),
            models.CheckConstraint(
                condition=models.Q(batch_size__gte=1, batch_size__lte=500),
                name="subscription_batch_size",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.name}"


class DeadLetter(TenantModel):
    """An event a receiver refused again and again: set aside so the rest goes on."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(OutboxEvent, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # the receiver's answer
    error = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    redelivered_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["municipality", "subscription", "seq"], name="dead_letter_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} #{self.seq}"


class Peer(models.Model):
    """Another Jichi deployment (or a system speaking its hand-over protocol) trusted to
    send and receive hand-overs for the municipalities it hosts.

    Its Ed25519 public key checks what it signs; operators exchange keys out of
    band (``jichi peers self`` prints this deployment's) and compare fingerprints.
    """

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(max_length=300)  # its base URL, e.g. https://jichi.pref.example.jp
    public_key = models.TextField()  # PEM
    key_id = models.CharField(max_length=64, unique=True)
    municipalities = models.JSONField(default=list)  # the codes it hosts
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class TransferDirection(models.TextChoices):
    OUTGOING = "out", "転出（送付）"
    INCOMING = "in", "転入（受領）"


class TransferStatus(models.TextChoices):
    PENDING = "pending", "送付待ち"  # outgoing, not yet taken by the destination
    UNROUTABLE = "unroutable", "送付先不明"  # no deployment hosts the destination
    SENT = "sent", "送付済"  # outgoing, the destination has it
    ARRIVED = "arrived", "転入済"  # outgoing, the destination recorded the 転入
    REFUSED = "refused", "受領拒否"  # outgoing, the destination refused it
    RECEIVED = "received", "受領"  # incoming, waiting for the 転入届
    ACCEPTED = "accepted", "転入処理済"  # incoming, recorded as a 転入


class Transfer(TenantModel):
    """A hand-over of persons moving between municipalities (転出証明書情報).

    The outgoing row lives in the municipality they leave, the incoming row
    in the one they go to, both with the same ``transfer_id``. The signed
    document holds personal data (個人番号 included), so it is kept sealed.
    """

    transfer_id = models.UUIDField()
    direction = models.CharField(max_length=3, choices=TransferDirection.choices)
    counterpart = models.CharField(max_length=6)  # the other municipality's code
    counterpart_name = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=10, choices=TransferStatus.choices)
    document_sealed = models.BinaryField()  # the signed envelope, sealed (common.secrets)
    persons = models.PositiveSmallIntegerField()
    movement_id = models.UUIDField(null=True, blank=True)  # this side's 転出 or 転入
    counterpart_movement_id = models.UUIDField(null=True, blank=True)
    links = models.JSONField(default=dict, blank=True)  # 宛名番号 here -> 宛名番号 there
    effective_on = models.DateField()  # 転出（予定）日
    expires_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)  # arrived / accepted / refused

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["municipality", "transfer_id", "direction"], name="transfer_once"
            ),
        ]
        indexes = [models.Index(fields=["municipality", "direction", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.direction} {self.transfer_id}"
