from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_rls(sender, using="default", **kwargs):
    from jichi.tenancy.rls import install_policies

    install_policies(using)


class TenancyConfig(AppConfig):
    name = "jichi.tenancy"
    label = "tenancy"
    verbose_name = _("Tenancy")

    def ready(self) -> None:
        from jichi.common import lookups
        from jichi.tenancy import checks  # noqa: F401  (registers system checks)

        lookups.register()

        # Once per migrate run, after every app's tables exist.
        post_migrate.connect(_install_rls, sender=self, dispatch_uid="jichi.rls")
