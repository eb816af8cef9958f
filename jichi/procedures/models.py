"""Applications for procedures, their history and attachments; per-municipality settings.

The procedures themselves are data files (``catalog/``), not rows: an
application names the procedure's id and the version it was made under.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from jichi.registry.models import Person
from jichi.tenancy.models import TenantModel


class State(models.TextChoices):
    DRAFT = "draft", "下書き"
    SUBMITTED = "submitted", "受付"
    IN_REVIEW = "in_review", "審査中"
    INFO_REQUESTED = "info_requested", "補正依頼中"
    APPROVED = "approved", "承認"
    REJECTED = "rejected", "却下"
    COMPLETED = "completed", "完了"
    WITHDRAWN = "withdrawn", "取下げ"


OPEN_STATES = (State.SUBMITTED, State.IN_REVIEW, State.INFO_REQUESTED)


class Channel(models.TextChoices):
    ONLINE = "online", "オンライン"
    COUNTER = "counter", "窓口"
    API = "api", "システム連携"


class ApplicantKind(models.TextChoices):
    RESIDENT = "resident", "本人"
    AGENT = "agent", "代理人"
    BUSINESS = "business", "事業者"


class ProcedureSetting(TenantModel):
    """What one municipality changes of a catalog procedure."""

    procedure_id = models.CharField(max_length=60)
    enabled = models.BooleanField(default=True)
    fee = models.PositiveIntegerField(null=True, blank=True)  # None: the catalog's fee
    texts = models.JSONField(default=dict, blank=True)  # name/description/notifications.<state>
    department = models.CharField(max_length=60, blank=True)  # "": the catalog's
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.CharField(max_length=64, blank=True)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["municipality", "procedure_id"], name="procedure_setting_unique"
            ),
        ]


class Application(TenantModel):
    """One application (申請・届出) for one procedure, from draft to its end."""

    procedure_id = models.CharField(max_length=60)
    procedure_version = models.PositiveIntegerField()
    applicant_kind = models.CharField(max_length=10, choices=ApplicantKind.choices)
    person = models.ForeignKey(  # the resident it concerns (None: not in the register yet)
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agent_name = models.CharField(max_length=100, blank=True)  # 代理人
    agent_relation = models.CharField(max_length=60, blank=True)
    business_member_id = models.UUIDField(null=True, blank=True)  # jichi.identity.business
    entered_by_kind = models.CharField(max_length=20)  # resident | business_member | staff | token
    entered_by = models.CharField(max_length=64)
    channel = models.CharField(max_length=10, choices=Channel.choices)

    answers = models.JSONField(default=dict)
    prefilled = models.JSONField(default=dict)  # field -> {"source", "value"} at submission
    flags = models.JSONField(default=list)  # prefilled values the resident corrected
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    assignee = models.CharField(max_length=64, blank=True)  # staff user id
    department = models.CharField(max_length=60)
    fee = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)  # 標準処理期間 from submission
    paused_at = models.DateTimeField(null=True, blank=True)  # waiting for the applicant
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    question = models.TextField(blank=True)  # the open request for information
    decision_reason = models.TextField(blank=True)
    effect_result = models.JSONField(default=dict, blank=True)

    # NULL (not "") when absent: the unique constraint ignores NULLs only
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    request_hash = models.CharField(max_length=64, blank=True)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["municipality", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="application_idempotency",
            ),
        ]
        # The inbox pages newest first (by id, a UUIDv7): a queue by procedure, department
        # or assignee is one backward walk of its index that stops after a page, however
        # rare the value or old its applications (docs/benchmarks.md, procedures_inbox).
        indexes = [
            models.Index(fields=["municipality", "state", "due_on"], name="application_due"),
            models.Index(fields=["municipality", "person"], name="application_person"),
            models.Index(
                fields=["municipality", "procedure_id", "id"], name="application_procedure"
            ),
            models.Index(fields=["municipality", "department", "id"], name="application_dept"),
            models.Index(fields=["municipality", "assignee", "id"], name="application_assignee"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.id}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class Transition(TenantModel):
    """One step of an application's history: who moved it from which state to which, why."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="history")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    actor_kind = models.CharField(max_length=20)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["municipality", "application", "seq"], name="transition_seq"
            ),
        ]


class Attachment(TenantModel):
    """A file given with an application (kept in the database with its SHA-256)."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="attachments"
    )
    field = models.CharField(max_length=60)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [
            models.Index(fields=["municipality", "application"], name="attachment_application")
        ]
