from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_rls(sender, using="default", **kwargs):
    from jichi.tenancy.rls import install_policies

    install_policies(using)


def _forget_tokens_on_change() -> None:
    """A saved token, staff user, role grant or municipality empties this process's
    cache of tokens (``services.token_for_secret``)."""
    from django.db.models.signals import post_delete, post_save

    from jichi.tenancy.models import ApiToken, Municipality, RoleGrant, StaffUser
    from jichi.tenancy.services import forget_tokens

    for model in (ApiToken, StaffUser, RoleGrant, Municipality):
        for what, signal in (("saved", post_save), ("deleted", post_delete)):
            uid = f"jichi.tokens.{model.__name__}.{what}"
            signal.connect(forget_tokens, sender=model, dispatch_uid=uid)


class TenancyConfig(AppConfig):
    name = "jichi.tenancy"
    label = "tenancy"
    verbose_name = _("Tenancy")

    def ready(self) -> None:
        from jichi.common import lookups
        from jichi.tenancy import checks  # noqa: F401  (registers system checks)

        lookups.register()
        _forget_tokens_on_change()

        # Once per migrate run, after every app's tables exist.
        post_migrate.connect(_install_rls, sender=self, dispatch_uid="jichi.rls")
