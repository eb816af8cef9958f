from django.urls import path

from jichi.identity.business import views

app_name = "business"

urlpatterns = [
    path("", views.account, name="account"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password, name="password"),
    path("register/", views.register, name="register"),
    path("members/", views.add_member, name="add-member"),
    path("members/<uuid:member_id>/deactivate/", views.deactivate_member, name="deactivate-member"),
    path("members/<uuid:member_id>/role/", views.change_role, name="change-role"),
    path("members/<uuid:member_id>/password/", views.reset_password, name="reset-password"),
]
