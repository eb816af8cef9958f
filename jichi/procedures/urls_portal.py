from django.urls import path

from jichi.procedures.views import resident

app_name = "portal"

urlpatterns = [
    path("", resident.home, name="home"),
    path("life-events/<str:event_id>/", resident.life_event, name="life-event"),
    path("applications/<str:application_id>/", resident.application_page, name="application"),
    path("applications/<str:application_id>/sign/", resident.sign, name="sign"),
    path(
        "applications/<str:application_id>/sign/application.json",
        resident.signed_content,
        name="signed-content",
    ),
    path("<str:procedure_id>/", resident.procedure_page, name="procedure"),
]
