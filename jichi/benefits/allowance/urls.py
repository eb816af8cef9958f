from django.urls import path

from jichi.benefits.allowance import views

app_name = "allowance"
urlpatterns = [
    path("", views.index, name="index"),
    path("payments", views.pay, name="pay"),
]
