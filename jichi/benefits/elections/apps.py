from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "jichi.benefits.elections"
    label = "elections"
    verbose_name = _("Electoral roll")

    def ready(self) -> None:
        from jichi.benefits.elections import events

        events.connect()
