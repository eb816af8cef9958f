from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class PlatformAdminSite(admin.AdminSite):
    site_header = _("Jichi platform administration")
    site_title = _("Jichi platform")

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and getattr(user, "is_platform_operator", False))
