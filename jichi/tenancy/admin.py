from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from jichi.tenancy.models import ApiToken, Municipality, RoleGrant, StaffUser


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "county", "prefecture_name", "kind", "is_active"]
    list_filter = ["kind", "is_active", "prefecture_name"]
    search_fields = ["code", "name", "name_kana"]


class GrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["municipality"]
    exclude = ["granted_by"]


@admin.register(StaffUser)
class StaffUserAdmin(UserAdmin):
    list_display = [
        "username",
        "display_name",
        "organization",
        "is_platform_operator",
        "is_active",
        "locked_until",
    ]
    list_filter = ["is_platform_operator", "is_active"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (
            "Jichi",
            {
                "fields": [
                    "display_name",
                    "organization",
                    "is_platform_operator",
                    "failed_login_count",
                    "locked_until",
                ]
            },
        ),
    ]
    autocomplete_fields = ["organization"]
    inlines = [GrantInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "municipality", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["prefix", "secret_hash", "created_at", "last_used_at"]
    list_filter = ["municipality"]
