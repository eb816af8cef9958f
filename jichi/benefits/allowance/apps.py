from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllowanceConfig(AppConfig):
    name = "jichi.benefits.allowance"
    label = "allowance"
    verbose_name = _("Child allowance")

    def ready(self) -> None:
        from jichi.benefits.allowance import events

        events.connect()
