from django.urls import path

from jichi.procedures.views import staff

app_name = "procedures"

urlpatterns = [
    path("", staff.inbox, name="inbox"),
    path("assign/", staff.bulk_assign, name="bulk-assign"),
    path("settings/", staff.catalog_settings, name="settings"),
    path("settings/<str:procedure_id>/texts/", staff.procedure_texts, name="texts"),
    path("applications/<str:application_id>/", staff.application, name="application"),
    path(
        "applications/<str:application_id>/attachments/<str:attachment_id>",
        staff.attachment,
        name="attachment",
    ),
]
