from django.urls import path

from jichi.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.search, name="search"),
    path("persons/<str:number>/", views.person, name="person"),
    path("households/<str:number>/", views.household, name="household"),
    path("movements/<str:kind>/", views.movement_form, name="movement"),
    path("movements/<str:kind>/check/", views.check_movement, name="check"),
]
