from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "jichi.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from jichi.audit.services import receive_tenancy_action
        from jichi.tenancy.events import audited_action

        audited_action.connect(receive_tenancy_action, dispatch_uid="jichi.audit.tenancy")
