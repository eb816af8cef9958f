from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolingConfig(AppConfig):
    name = "jichi.benefits.schooling"
    label = "schooling"
    verbose_name = _("School enrolment")

    def ready(self) -> None:
        from jichi.benefits.schooling import events

        events.connect()
