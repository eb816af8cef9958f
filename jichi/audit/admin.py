from django.contrib import admin

from jichi.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only."""

    list_display = ["municipality", "seq", "occurred_at", "actor_label", "action", "outcome"]
    list_filter = ["municipality", "outcome"]
    ordering = ["municipality", "-seq"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
