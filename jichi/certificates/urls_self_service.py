from django.urls import path

from jichi.certificates import self_service

app_name = "self-service"

urlpatterns = [
    path("", self_service.home, name="home"),
    path("<str:certificate_id>.pdf", self_service.pdf, name="pdf"),
]
