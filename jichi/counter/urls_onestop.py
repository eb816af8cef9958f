from django.urls import path

from jichi.counter import onestop

app_name = "onestop"

urlpatterns = [
    path("", onestop.start, name="start"),
    path("reservations/<str:application_id>/confirm/", onestop.confirm_reservation, name="confirm"),
    path("<str:number>/", onestop.visit, name="visit"),
]
