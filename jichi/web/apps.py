from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    default = True
    name = "jichi.web"
    label = "web"
    verbose_name = _("Web pages")


class PlatformAdminConfig(admin_apps.AdminConfig):
    """Django admin, for platform operators only."""

    default = False
    default_site = "jichi.web.admin_site.PlatformAdminSite"
