from django.urls import path

from jichi.counter import public

app_name = "reserve"

urlpatterns = [
    path("<str:code>/", public.reserve_home, name="home"),
    path("<str:code>/cancel/", public.reserve_cancel, name="cancel"),
    path("<str:code>/<str:procedure_id>/", public.reserve_slots, name="slots"),
]
