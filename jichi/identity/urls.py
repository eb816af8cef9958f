from django.urls import path

from jichi.identity import views

app_name = "pki"

urlpatterns = [
    path("ca.pem", views.ca_pem, name="ca"),
    path("crl/<slug:name>.crl", views.crl, name="crl"),
]
