from django.contrib import admin
from django.urls import include, path

from jichi.api import api
from jichi.certificates import views as certificate_views
from jichi.web import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("registry/", include("jichi.registry.urls")),
    path("pki/", include("jichi.identity.urls")),
    path("business/procedures/", include("jichi.procedures.urls_business")),
    path("business/", include("jichi.identity.business.urls")),
    path("certificates/", include("jichi.certificates.urls")),
    path("counter/onestop/", include("jichi.counter.urls_onestop")),
    path("counter/", include("jichi.counter.urls")),
    path("elections/", include("jichi.benefits.elections.urls")),
    path("schooling/", include("jichi.benefits.schooling.urls")),
    path("allowance/", include("jichi.benefits.allowance.urls")),
    path("transfers/", include("jichi.linkage.urls")),
    path("procedures/", include("jichi.procedures.urls")),
    path("queue/", include("jichi.counter.urls_public_queue")),
    path("reserve/", include("jichi.counter.urls_public_reserve")),
    path("resident/", include("jichi.identity.urls_resident")),
    path("resident/certificates/", include("jichi.certificates.urls_self_service")),
    path("resident/procedures/", include("jichi.procedures.urls_portal")),
    path("verify/", certificate_views.verify_lookup, name="verify-lookup"),
    path("verify/<str:certificate_id>.json", certificate_views.verify_json, name="verify-json"),
    path("verify/<str:certificate_id>", certificate_views.verify, name="verify"),
    path("", include("jichi.web.urls")),
]
