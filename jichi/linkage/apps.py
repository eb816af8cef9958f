from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "jichi.linkage"
    label = "linkage"
    verbose_name = _("Linkage")

    def ready(self) -> None:
        from jichi.linkage import handover

        handover.connect()
