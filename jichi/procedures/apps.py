from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "jichi.procedures"
    label = "procedures"
    verbose_name = "Procedures"
