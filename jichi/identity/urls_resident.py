from django.urls import path

from jichi.identity import residents

app_name = "resident"

urlpatterns = [
    path("login/", residents.login_page, name="login"),
    path("logout/", residents.logout_page, name="logout"),
]
