from django.urls import path

from jichi.procedures.views import business

app_name = "business-procedures"

urlpatterns = [
    path("", business.home, name="home"),
    path("<str:code>/", business.municipality, name="municipality"),
    path("<str:code>/applications/<str:application_id>/", business.application, name="application"),
    path("<str:code>/<str:procedure_id>/", business.procedure, name="procedure"),
]
