from django.urls import path

from jichi.counter import public

app_name = "queue"

urlpatterns = [
    path("<str:code>/kiosk/", public.kiosk, name="kiosk"),
    path("<str:code>/ticket/<str:visit_id>/", public.ticket, name="ticket"),
    path("<str:code>/board/<slug:office>/", public.board, name="board"),
    path("<str:code>/board/<slug:office>/live/", public.board_live, name="board-live"),
]
