from django.urls import path

from jichi.counter import views

app_name = "counter"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("counters/<str:counter_id>/call/", views.call_next, name="call"),
    path("tickets/<str:visit_id>/<str:action>/", views.ticket_action, name="ticket"),
    path("setup/", views.setup, name="setup"),
    path("reservations/", views.reservations, name="reservations"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.csv", views.dashboard_csv, name="dashboard-csv"),
    path("dashboard/<str:kind>.png", views.dashboard_chart, name="dashboard-chart"),
]
