from django.urls import path

from jichi.certificates import views

app_name = "certificates"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("new/", views.new, name="new"),
    path("settings/", views.settings, name="settings"),
    path("<str:certificate_id>/", views.detail, name="detail"),
    path("<str:certificate_id>.pdf", views.pdf, name="pdf"),
    path("<str:certificate_id>/decide/", views.decide, name="decide"),
    path("<str:certificate_id>/revoke/", views.revoke, name="revoke"),
]
