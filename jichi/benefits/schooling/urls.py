from django.urls import path

from jichi.benefits.schooling import views

app_name = "schooling"
urlpatterns = [
    path("", views.index, name="index"),
    path("notices", views.issue, name="issue"),
    path("notices/<str:notice_id>.pdf", views.notice_pdf, name="notice-pdf"),
]
