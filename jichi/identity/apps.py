from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "jichi.identity"
    label = "identity"
    verbose_name = _("Identity (JPKI-shaped PKI)")

    def ready(self) -> None:
        from jichi.identity import events

        events.connect()
