from django.contrib import admin
from django.urls import include, path

from jichi.api import api
from jichi.web import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("registry/", include("jichi.registry.urls")),
    path("", include("jichi.web.urls")),
]
