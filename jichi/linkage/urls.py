from django.urls import path

from jichi.linkage import views

app_name = "transfers"
urlpatterns = [
    path("", views.incoming, name="incoming"),
    path("<str:transfer_id>/", views.accept, name="accept"),
]
