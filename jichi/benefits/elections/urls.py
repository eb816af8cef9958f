from django.urls import path

from jichi.benefits.elections import views

app_name = "elections"
urlpatterns = [
    path("", views.index, name="index"),
    path("register", views.register, name="register"),
    path("districts", views.districts, name="districts"),
    path("roll/<str:district>", views.roll, name="roll"),
]
